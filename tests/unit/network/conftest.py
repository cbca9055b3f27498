"""The database fixtures of tests/unit/db for the network tests."""
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401
