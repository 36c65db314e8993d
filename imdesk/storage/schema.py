"""The schema revisions this build of imdesk knows, without importing Alembic (start-up speed)."""

KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0005", "0006", "0007", "0008", "0009",
                                   "0010", "0011", "0012", "0013", "0018", "0019", "0020", "0021",
                                   "0022")
HEAD_REVISION = KNOWN_REVISIONS[-1]
