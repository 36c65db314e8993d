"""Linked incidents in the console: callers, links and dependent services beside an incident
(detail and war room), the caller count in the list, and the link keys."""
