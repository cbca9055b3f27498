"""The queries behind usage reports and the migrations list on a real PostgreSQL:
the billing window, paging by uuid in one statement, and migrations filtered by
the migrated server's project and user."""
import datetime

import pytest

from nova import context as nova_context
from nova import exception
from nova.db import api as db
from tests.unit.db.compute_helpers import count_statements, instance_values, queries

T0 = datetime.datetime(2030, 1, 1)


def _at(hours):
    return T0 + datetime.timedelta(hours=hours)


@pytest.fixture
def ctx(pg_db):
    return nova_context.get_admin_context()


def test_usage_window_and_paging(ctx):
    project = 'pg-usage'
    rows = db.instance_create_many(ctx, [
        instance_values(project_id=project, display_name=name, launched_at=launched,
                        terminated_at=terminated, created_at=_at(i),
                        flavor={'cur': {'name': 'm1.tiny'}})
        for i, (name, launched, terminated) in enumerate([
            ('before', _at(-10), _at(-5)),      # gone before the window
            ('across', _at(-1), None),          # still running
            ('inside', _at(2), _at(3)),
            ('after', _at(30), None),           # launched after the window
            ('never', None, None)])])           # never launched: listed, billed nothing
    by_name = {row.display_name: row.uuid for row in rows}
    db.instance_destroy(ctx, by_name['inside'])
    with count_statements() as statements:
        found = db.instance_get_active_by_window(ctx, _at(0), _at(24), project)
    assert len(queries(statements)) == 1
    assert [r.display_name for r in found] == ['across', 'inside', 'never']
    assert found[0].flavor == {'cur': {'name': 'm1.tiny'}} and found[1].deleted
    first = db.instance_get_active_by_window(ctx, _at(0), _at(24), project, limit=2)
    rest = db.instance_get_active_by_window(ctx, _at(0), _at(24), project, limit=2,
                                            marker=first[-1].uuid)
    assert [r.uuid for r in first + rest] == [r.uuid for r in found]
    with pytest.raises(exception.MarkerNotFound):
        db.instance_get_active_by_window(ctx, _at(0), _at(24), project, marker='nope')
    assert db.instance_get_active_by_window(ctx, _at(0), _at(24), 'other-project') == []


def test_migrations_by_owner_source_and_time(ctx):
    [mine] = db.instance_create_many(ctx, [instance_values(project_id='pg-a', user_id='ann')])
    [theirs] = db.instance_create_many(ctx, [instance_values(project_id='pg-b',
                                                             user_id='bo')])
    for instance, source in ((mine, 'src1'), (theirs, 'src2')):
        db.migration_create(ctx, {'instance_uuid': instance.uuid, 'source_compute': source,
                                  'dest_compute': 'dst', 'status': 'finished',
                                  'migration_type': 'migration', 'created_at': _at(1)})

    def uuids(**filters):
        return [m.instance_uuid for m in db.migration_get_all_by_filters(ctx, filters)]
    assert uuids(project_id='pg-a') == [mine.uuid]
    assert uuids(project_id='pg-b', user_id='bo') == [theirs.uuid]
    assert uuids(project_id='pg-a', user_id='bo') == []
    assert uuids(source_compute='src2') == [theirs.uuid]
    assert uuids(source_compute='src1', **{'changes-before': _at(2)}) == [mine.uuid]
    assert uuids(source_compute='src1', **{'changes-before': _at(0)}) == []
