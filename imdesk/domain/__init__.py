"""Pure domain rules: incidents, lifecycle, priority, SLA clocks, timeline. Standard library only."""
