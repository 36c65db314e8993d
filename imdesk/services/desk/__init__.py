"""Team mode: this console's desk identity, and (on PostgreSQL) the change feed, leases and the
offline spool shared by several desks."""
