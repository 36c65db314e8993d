"""Everything that imports PySide6: task runner, item models, panes, dialogs, forms."""
