"""The Handover pane: the shift's compiled handover, the outgoing manager's ratings, if-then
lines and notes, signing, taking over, the history and the exports."""
