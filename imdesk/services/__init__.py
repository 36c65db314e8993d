"""Use cases. One public method is one unit of work (one transaction)."""
