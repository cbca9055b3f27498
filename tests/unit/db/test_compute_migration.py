"""Revision 0002 on SQLite: the compute tables, the default flavors; models vs the schema."""
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from nova.db import api as db
from nova.db import migration
from nova.db import models
from nova.db import session as db_session

COMPUTE_TABLES = {
    'instance_types', 'instance_type_extra_specs', 'instance_type_projects', 'instances',
    'instance_metadata', 'instance_faults', 'instance_actions', 'instance_actions_events',
    'tags', 'key_pairs', 'quotas', 'quota_usages', 'aggregates', 'aggregate_hosts',
    'aggregate_metadata', 'instance_groups', 'instance_group_member', 'migrations'}


def _diff_table(diff):
    """The table a compare_metadata entry is about."""
    while isinstance(diff, list):  # modify_* entries come as lists of tuples
        diff = diff[0]
    for item in diff[1:]:
        table = getattr(item, 'table', None)
        if table is not None:
            return table.name
        if isinstance(item, sa.Table):
            return item.name
        if isinstance(item, str):
            return item
    return None


def test_revision_0002_creates_the_compute_tables(empty_db):
    migration.db_sync('0002')
    assert migration.db_version() == '0002'
    assert COMPUTE_TABLES <= set(sa.inspect(db_session.get_engine()).get_table_names())


def test_compute_models_match_the_migrated_schema(empty_db):
    migration.db_sync()
    with db_session.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        diffs = autogenerate.compare_metadata(context, models.Base.metadata)
    assert [d for d in diffs if _diff_table(d) in COMPUTE_TABLES | {'services',
                                                                     'compute_nodes'}] == []


def test_quota_usages_has_a_unique_index_for_project_wide_rows(empty_db):
    migration.db_sync('0002')
    indexes = sa.inspect(db_session.get_engine()).get_indexes('quota_usages')
    assert [(i['name'], i['column_names'], bool(i['unique'])) for i in indexes] == [
        ('uniq_quota_usages0project_id0resource', ['project_id', 'resource'], True)]


def test_default_flavors_are_seeded(db_ctx):
    flavors = {f.name: (f.flavorid, f.memory_mb, f.vcpus, f.root_gb, f.ephemeral_gb, f.swap,
                        f.rxtx_factor, f.is_public, f.disabled, f.extra_specs)
               for f in db.flavor_get_all(db_ctx)}
    assert flavors == {
        'm1.tiny': ('1', 512, 1, 1, 0, 0, 1.0, True, False, {}),
        'm1.small': ('2', 2048, 1, 20, 0, 0, 1.0, True, False, {}),
        'm1.medium': ('3', 4096, 2, 40, 0, 0, 1.0, True, False, {}),
        'm1.large': ('4', 8192, 4, 80, 0, 0, 1.0, True, False, {}),
        'm1.xlarge': ('5', 16384, 8, 160, 0, 0, 1.0, True, False, {}),
    }
