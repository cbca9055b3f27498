"""Instance records (the API's list read) on a real PostgreSQL: same values as the
ORM rows, metadata and tags from one UNION query, two statements for any page."""
import pytest

from nova import context as nova_context
from nova.db import api as db
from nova.db import instance_records
from tests.unit.db.compute_helpers import count_statements, instance_values, queries


@pytest.fixture
def ctx(pg_db):
    return nova_context.get_admin_context()


def test_records_match_orm_rows_in_two_statements(ctx):
    db.instance_create_many(ctx, [instance_values(
        project_id='pg-records', display_name='vm-%d' % i, flavor={'cur': {'name': 'm1.tiny'}},
        security_groups=['default'], metadata={'k': str(i)}, tags=['b', 'a%d' % i])
        for i in range(40)])
    filters = {'project_id': 'pg-records', 'deleted': False}
    with count_statements() as statements:
        records = db.instance_records_by_filters(ctx, filters, limit=30)
    assert len(queries(statements)) == 2
    rows = db.instance_get_all_by_filters(ctx, filters, limit=30)
    assert [r.uuid for r in records] == [r.uuid for r in rows]
    for row, record in zip(rows, records):
        for name in set(row.column_names()) - set(instance_records._UNLISTED):
            assert getattr(record, name) == getattr(row, name), name
        assert (record.metadata_dict, record.tags) == (row.metadata_dict, row.tags)
