"""Drills: scenarios, the player, drill records, the scorecard and the after-action report."""
