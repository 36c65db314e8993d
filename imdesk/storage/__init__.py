"""Persistence: SQLAlchemy models, engine set-up, guarded migrations, repositories."""
