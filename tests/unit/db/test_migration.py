"""Schema versions on SQLite: sync, version, the start-up check, models vs migrations."""
import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from nova import exception
from nova.db import migration
from nova.db import models
from nova.db import session as db_session


def test_empty_database_has_no_version(empty_db):
    assert migration.db_version() is None


def test_sync_to_head_creates_the_tables(empty_db):
    migration.db_sync()
    assert migration.db_version() == migration.head_version()
    tables = set(sa.inspect(db_session.get_engine()).get_table_names())
    assert {'services', 'compute_nodes', 'alembic_version'} <= tables


def test_sync_twice_is_harmless(synced_db):
    migration.db_sync()
    assert migration.db_version() == migration.head_version()


def test_sync_to_a_named_revision(empty_db):
    migration.db_sync('0001')
    assert migration.db_version() == '0001'


def test_sync_to_an_unknown_revision_is_invalid_input(empty_db):
    with pytest.raises(exception.InvalidInput, match='9999'):
        migration.db_sync('9999')


def test_models_match_the_migrations(synced_db):
    with db_session.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        assert autogenerate.compare_metadata(context, models.Base.metadata) == []


def test_check_current_refuses_a_database_behind_the_code(empty_db):
    with pytest.raises(exception.DBNotSynced) as raised:
        migration.check_current()
    assert 'nova-manage db sync' in str(raised.value)
    assert migration.head_version() in str(raised.value)


def test_check_current_passes_at_head(synced_db):
    migration.check_current()


def test_check_current_accepts_a_newer_release_schema(synced_db):
    with db_session.get_engine().begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    migration.check_current()


def test_migrations_live_in_the_package_not_the_cwd(empty_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    migration.db_sync()
    assert migration.db_version() == migration.head_version()


def test_0006_starts_server_group_usage_from_the_live_groups(empty_db):
    migration.db_sync('0005')
    with db_session.get_engine().begin() as connection:
        for index, (project_id, deleted) in enumerate((('p1', 0), ('p1', 0), ('p1', 7),
                                                       ('p2', 0))):
            connection.execute(sa.text(
                "INSERT INTO instance_groups (uuid, name, project_id, policy, created_at, "
                "deleted) VALUES (:uuid, 'g', :project_id, 'affinity', '2026-01-01', "
                ":deleted)"), {'uuid': 'group-%d' % index,
                               'project_id': project_id, 'deleted': deleted})
        connection.execute(sa.text(
            "INSERT INTO quota_usages (project_id, resource, in_use, created_at) "
            "VALUES ('p2', 'server_groups', 5, '2026-01-01')"))
    migration.db_sync()
    with db_session.get_engine().connect() as connection:
        usage = dict(connection.execute(sa.text(
            "SELECT project_id, in_use FROM quota_usages WHERE resource = 'server_groups' "
            "AND user_id IS NULL")).all())
    assert usage == {'p1': 2, 'p2': 1}


def test_migrations_are_one_numbered_chain():
    """Migrations landed side by side must be renumbered into one line: NNNN_name.py with
    revision NNNN revising NNNN-1 (two files with one number make two heads, and db sync
    fails on every database)."""
    scripts = migration._scripts()
    assert len(scripts.get_heads()) == 1, 'several heads: %s' % scripts.get_heads()
    revisions = sorted(scripts.walk_revisions(), key=lambda r: r.revision)
    for number, script in enumerate(revisions, start=1):
        assert script.revision == '%04d' % number
        assert script.down_revision == (None if number == 1 else '%04d' % (number - 1))
        assert script.path.rsplit('/', 1)[-1].startswith(script.revision + '_')
    # The daemons' check reads the same chain from the file names, without alembic.
    assert migration.known_revisions() == [script.revision for script in revisions]
    assert migration.head_version() == scripts.get_current_head()
