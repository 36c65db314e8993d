"""Team mode offline in the console: the banner, the replica kept fresh, the merge, conflicts."""
