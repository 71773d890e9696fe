"""Persistence: SQLAlchemy 2 models (one module per aggregate), the session, and migrations."""
