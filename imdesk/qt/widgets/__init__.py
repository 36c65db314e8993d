"""Pieces every pane shares: plain and heading labels, the list/table model base, the lazily built pane
host, the note dialog, the child-process reader."""
