"""Statements per volume operation, which the create + delete rate of
tools/bench/volume.py rests on: reading a volume with its metadata and
attachments is one query, a service moving a status on is one UPDATE, and a
create through the volume API stays within its budget."""
import uuid

import pytest

from nova import context as nova_context
from nova import exception
from nova.db import api as db
from nova.db import models
from nova.db import query
from nova.db import session as db_session
from nova.volume import api as volume_api
from nova.volume import quota as volume_quota
from tests.unit.db.compute_helpers import count_statements, queries


@pytest.fixture
def api(db_ctx, monkeypatch):
    """The volume API with its scheduler cast recorded (no RPC here)."""
    api = volume_api.API()
    sent = []
    monkeypatch.setattr(api.scheduler_rpcapi, 'create_volume',
                        lambda ctxt, volume_id, spec: sent.append(volume_id))
    api.sent = sent
    return api


@pytest.fixture
def member():
    return nova_context.RequestContext(user_id='alice', project_id='proj-q', roles=['member'],
                                       overwrite=False)


def test_a_volume_with_metadata_and_attachments_is_read_in_one_query(db_ctx, api, member):
    volume = api.create(member, size=1, metadata={'a': '1', 'b': '2'})
    db.volume_update(db_ctx, volume.uuid, {'status': 'available', 'host': 'vhost'})
    servers = sorted(str(uuid.uuid4()) for _ in range(2))
    for server, expected in zip(servers, (['available'], ['attaching'])):
        db.volume_attachment_create(db_ctx, volume.uuid, {'instance_uuid': server,
                                                          'attach_status': 'attaching'},
                                    expected_status=expected, status='attaching')
    with count_statements() as statements:
        found = db.volume_get(db_ctx, volume.uuid)
    assert len(queries(statements)) == 1, statements
    # the join's rows (2 metadata x 2 attachments) make one volume, nothing doubled
    assert found.metadata_dict == {'a': '1', 'b': '2'}
    assert sorted(a.instance_uuid for a in found.attachments) == servers
    # and its type's name, for its view: a GET reads no types
    assert found.volume_type_name == '__DEFAULT__'
    with pytest.raises(Exception, match='could not be found'):
        db.volume_get(db_ctx, str(uuid.uuid4()))


def test_a_status_move_without_reading_back_is_one_update(db_ctx, api, member):
    volume = api.create(member, size=1)
    with count_statements() as statements:
        moved = db.volume_update(db_ctx, volume.uuid, {'status': 'available'},
                                 expected_status='creating', reload=False)
    assert moved is None
    assert [s.split()[0] for s in queries(statements)] == ['UPDATE']
    assert db.volume_get(db_ctx, volume.uuid).status == 'available'


def test_a_create_reads_limits_once_and_no_services_without_a_zone(db_ctx, api, member):
    api.create(member, size=1)  # the project's quota usage rows are made by the first
    with count_statements() as statements:
        volume = api.create(member, size=1, name='second')
    made = queries(statements)
    assert api.sent == [api.sent[0], volume.uuid]
    assert not [s for s in made if 'FROM services' in s]
    assert len([s for s in made if 'FROM quota_classes' in s]) == 1
    # the type, the limits (class and project in one query), two usage updates, the
    # insert: the usage rows are not looked for (they exist), the row is not read back
    assert len(made) <= 5, made
    assert not [s for s in made if s.startswith('SELECT quota_usages')]
    assert db.quota_usage_get_all_by_project(db_ctx, 'proj-q')['volumes'] == 2
    with count_statements() as statements:
        assert (volume.metadata_dict, volume.attachments) == ({}, [])
        assert volume.volume_type_name == '__DEFAULT__'
    assert statements == []


def test_a_created_volume_carries_its_metadata_without_a_read(db_ctx, api, member):
    volume = api.create(member, size=1, metadata={'b': '2', 'a': '1'})
    with count_statements() as statements:
        assert [(m.key, m.value) for m in volume.metadata_items] == [('a', '1'), ('b', '2')]
    assert statements == []
    assert db.volume_get(db_ctx, volume.uuid).metadata_dict == {'a': '1', 'b': '2'}


def test_a_delete_is_one_update_and_the_destroy_three_statements(db_ctx, api, member):
    volume = api.create(member, size=1, metadata={'a': '1'})
    db.volume_update(db_ctx, volume.uuid, {'status': 'available', 'host': 'vhost'})
    with count_statements() as statements:
        db.volume_begin_delete(db_ctx, volume.uuid, ['available', 'error'])
    assert [s.split()[0] for s in queries(statements)] == ['UPDATE']
    found = db.volume_get(db_ctx, volume.uuid)
    assert (found.status, found.previous_status) == ('deleting', 'available')
    with count_statements() as statements:
        db.volume_destroy(db_ctx, volume.uuid, quota=volume_quota.release(
            'proj-q', volumes=1, gigabytes=1), attachments=False)
    # the volume, its metadata, the two usage rows in one statement
    assert [s.split()[0] for s in queries(statements)] == ['UPDATE', 'UPDATE', 'WITH']
    assert db.quota_usage_get_all_by_project(db_ctx, 'proj-q')['volumes'] == 0
    assert db.volume_get_all(db_ctx.elevated(read_deleted='yes'), {'uuid': volume.uuid})[
        0].metadata_dict == {}


def test_a_refused_delete_says_why(db_ctx, api, member):
    volume = api.create(member, size=1)
    db.volume_update(db_ctx, volume.uuid, {'status': 'available', 'host': 'vhost'})
    db.snapshot_create(db_ctx, {'volume_id': volume.uuid, 'volume_size': 1,
                                'status': 'available', 'project_id': 'proj-q'},
                       volume_status=['available'])
    with pytest.raises(exception.InvalidVolume, match='1 dependent snapshot'):
        db.volume_begin_delete(db_ctx, volume.uuid, ['available'])
    with pytest.raises(exception.InvalidVolume, match='must be error, not available'):
        db.volume_begin_delete(db_ctx, volume.uuid, ['error'])
    other = api.create(member, size=1)
    db.volume_attachment_create(db_ctx, other.uuid, {'instance_uuid': str(uuid.uuid4()),
                                                     'attach_status': 'attaching'},
                                expected_status=['creating'], status='attaching')
    with pytest.raises(exception.InvalidVolume, match='is attached'):
        db.volume_begin_delete(db_ctx, other.uuid, ['attaching'])
    assert db.volume_get(db_ctx, volume.uuid).status == 'available'
    assert db.volume_get(db_ctx, other.uuid).status == 'attaching'


def test_a_volume_keeps_naming_its_deleted_type(db_ctx, api, member):
    kind = db.volume_type_create(db_ctx, {'name': 'gone-soon-%s' % uuid.uuid4().hex[:6]})
    volume = api.create(member, size=1, volume_type=kind.uuid)
    with db_session.writer() as session:  # a type in use cannot be deleted through the API
        session.execute(query.soft_delete(models.VolumeType, models.VolumeType.uuid == kind.uuid))
    assert db.volume_get(db_ctx, volume.uuid).volume_type_name == kind.name
    untyped = api.create(member, size=1)
    db.volume_update(db_ctx, untyped.uuid, {'volume_type_id': None})
    assert db.volume_get(db_ctx, untyped.uuid).volume_type_name is None


def test_a_delete_in_a_project_without_usage_rows_makes_them(db_ctx):
    """The usage rows a release looks for are made on the delete's Core connection too
    (a project's first quota change; here a volume written without a reservation)."""
    project = 'proj-%s' % uuid.uuid4().hex[:8]
    volume = db.volume_create(db_ctx, {'size': 2, 'project_id': project, 'user_id': 'u',
                                       'status': 'deleting', 'metadata': {'k': 'v'}})
    db.volume_destroy(db_ctx, volume.uuid, quota=volume_quota.release(
        project, volumes=1, gigabytes=2), attachments=False)
    assert db.quota_usage_get_all_by_project(db_ctx, project) == {'volumes': 0,
                                                                  'gigabytes': 0}
    with pytest.raises(exception.VolumeNotFound):
        db.volume_get(db_ctx, volume.uuid)
    with pytest.raises(exception.VolumeNotFound):
        db.volume_destroy(db_ctx, volume.uuid)
