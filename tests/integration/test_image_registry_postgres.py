"""The image registry and service on a real PostgreSQL: what SQLite cannot show.

Row locks (SELECT ... FOR UPDATE) under concurrent status changes, keyset
paging over NULL-able sort keys, JSON location metadata and the sweep's
compare on updated_at, each with the server doing the work.
"""
import eventlet
import pytest

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.db import api as db
from nova.db import session as db_session
from nova.image import service as image_service
from tests.harness.image_uploads import cut_staleness_between

DATA = bytes(range(256)) * 512


@pytest.fixture
def svc(pg_db, tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    assert db_session.get_engine().dialect.name == 'postgresql'
    yield image_service.ImageService()
    with db_session.get_engine().begin() as connection:
        connection.exec_driver_sql('TRUNCATE images, image_properties, image_tags, '
                                   'image_members, image_locations RESTART IDENTITY')


def _project(project_id):
    return nova_context.RequestContext(user_id='u-' + project_id, project_id=project_id,
                                       roles=['member'])


def _create(svc, ctx, **values):
    values.setdefault('disk_format', 'raw')
    values.setdefault('container_format', 'bare')
    return svc.create(ctx, values)


def test_upload_download_and_delete(svc, tmp_path):
    p1 = _project('p1')
    image = svc.upload(p1, _create(svc, p1, name='a', tags=['t'])['id'], [DATA])
    assert image['status'] == 'active' and image['size'] == len(DATA)
    assert image['locations'][0]['metadata'] == {'store': 'file'}  # JSON round trip
    assert b''.join(svc.download(p1, image['id'])[1]) == DATA
    with pytest.raises(exception.ImageNotFound):
        svc.show(_project('p2'), image['id'])  # 'shared' without membership
    svc.delete(p1, image['id'])
    assert list((tmp_path / 'images').iterdir()) == []


def test_concurrent_uploads_to_one_image_store_it_once(svc):
    p1 = _project('p1')
    image_id = _create(svc, p1)['id']

    def upload():
        try:
            svc.upload(p1, image_id, [DATA])
            return 'stored'
        except exception.ImageStatusConflict:
            return 'refused'

    pool = eventlet.GreenPool()
    results = sorted(pool.imap(lambda _: upload(), range(5)))
    assert results == ['refused'] * 4 + ['stored']
    assert svc.show(p1, image_id)['status'] == 'active'


def test_filters_sorting_and_paging_with_nulls(svc):
    p1 = _project('p1')
    for i, name in enumerate(['b', None, 'a', None, 'c']):
        _create(svc, p1, name=name, min_ram=i, os_distro='x' if i % 2 else 'y')
    names = [image['name'] for image in svc.detail(p1, sort_keys=['name', 'min_ram'],
                                                     sort_dirs=['asc', 'asc'])]
    assert names == [None, None, 'a', 'b', 'c']
    seen, marker = [], None
    while True:
        page = svc.detail(p1, sort_keys=['name'], sort_dirs=['desc'], limit=2, marker=marker)
        if not page:
            break
        seen += [image['id'] for image in page]
        marker = page[-1]['id']
    assert len(seen) == len(set(seen)) == 5
    assert {i['min_ram'] for i in svc.detail(p1, filters={'os_distro': 'x'})} == {1, 3}


def test_sweep_kills_only_uploads_that_stopped_beating(svc, monkeypatch):
    p1 = _project('p1')
    dead = _create(svc, p1)['id']
    db.image_update(p1, dead, {'status': 'saving'}, from_state='queued')
    eventlet.sleep(0.01)
    live = _create(svc, p1)['id']
    db.image_update(p1, live, {'status': 'saving'}, from_state='queued')
    cut_staleness_between(monkeypatch, svc, p1, dead, live)
    assert svc.kill_abandoned_uploads() == [dead]
    assert svc.show(p1, live)['status'] == 'saving'


def test_nul_characters_are_refused_before_postgresql_sees_them(svc):
    p1 = _project('p1')
    image = _create(svc, p1, visibility='shared')
    for call in (lambda: _create(svc, p1, name='a\x00b'),
                 lambda: _create(svc, p1, properties={'k': 'v\x00'}),
                 lambda: _create(svc, p1, properties={'k\x00': 'v'}),
                 lambda: svc.detail(p1, filters={'name': 'a\x00'}),
                 lambda: svc.detail(p1, filters={'id': ['x\x00']}),
                 lambda: svc.detail(p1, filters={'os_distro': '\x00'}),
                 lambda: svc.detail(p1, marker='\x00'),
                 lambda: svc.add_tag(p1, image['id'], 't\x00'),
                 lambda: svc.delete_tag(p1, image['id'], 't\x00'),
                 lambda: svc.add_member(p1, image['id'], 'p\x00'),
                 lambda: svc.get_member(p1, image['id'], 'p\x00')):
        with pytest.raises(exception.InvalidInput, match='NUL|marker'):
            call()
    with pytest.raises(exception.ImageNotFound):
        svc.show(p1, '\x00')
