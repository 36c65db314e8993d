"""The Documents pane: runbooks and documents per service or team, their versions and review."""
