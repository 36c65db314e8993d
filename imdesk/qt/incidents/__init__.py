"""The Incidents pane: the list (paged from SQL), the detail with its timeline, the new/edit dialog,
the lifecycle commands and their keys."""
