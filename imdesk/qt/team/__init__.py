"""Team mode in the console: this desk's name (status bar, Ctrl+Alt+D), and live refresh from the
change feed (PostgreSQL LISTEN/NOTIFY, or a SQLite file's data version)."""
