"""The DB fixtures of tests/unit/db (a migrated SQLite database per test)."""
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401
