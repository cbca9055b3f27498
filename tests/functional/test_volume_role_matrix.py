"""The block-storage API's role matrix: for every write it serves (every route and
every volume, snapshot and attachment action), a reader of the project gets 403 and
a member of another project 404 (403 where only admins may write), and the volume
is unchanged. A route or action added without a row here fails the last test."""
import pytest

from nova import context as nova_context
from nova.api.openstack import wsgi
from nova.api.openstack.volume import routes
from nova.db import api as db
from tests.functional import test_volume_api as volume_api
from tests.functional.test_volume_api import client, create, wait_status

# the block-storage API's fixtures: a scheduler and a nova-volume host (private tgtd)
cloud, app, alice, admin = volume_api.cloud, volume_api.app, volume_api.alice, volume_api.admin

WRITES = ('POST', 'PUT', 'DELETE')
ADMIN_ONLY, HIDDEN = 403, 404
LATEST = '3.70'

ROWS = [  # (method, route template, concrete path, body, another project's member gets)
    ('POST', '/volumes', '/volumes', {'volume': {'size': 1}}, None),
    ('PUT', '/volumes/{id}', '/volumes/VOLUME', {'volume': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/volumes/{id}', '/volumes/VOLUME', None, HIDDEN),
    ('POST', '/volumes/{volume_id}/metadata', '/volumes/VOLUME/metadata',
     {'metadata': {'k': 'w'}}, HIDDEN),
    ('PUT', '/volumes/{volume_id}/metadata', '/volumes/VOLUME/metadata',
     {'metadata': {'k': 'w'}}, HIDDEN),
    ('PUT', '/volumes/{volume_id}/metadata/{id}', '/volumes/VOLUME/metadata/k',
     {'meta': {'k': 'w'}}, HIDDEN),
    ('DELETE', '/volumes/{volume_id}/metadata/{id}', '/volumes/VOLUME/metadata/k', None,
     HIDDEN),
    ('POST', '/snapshots', '/snapshots', {'snapshot': {'volume_id': 'VOLUME'}}, HIDDEN),
    ('PUT', '/snapshots/{id}', '/snapshots/SNAPSHOT', {'snapshot': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/snapshots/{id}', '/snapshots/SNAPSHOT', None, HIDDEN),
    ('POST', '/types', '/types', {'volume_type': {'name': 't2'}}, ADMIN_ONLY),
    ('PUT', '/types/{id}', '/types/TYPE', {'volume_type': {'description': 'd'}},
     ADMIN_ONLY),
    ('DELETE', '/types/{id}', '/types/TYPE', None, ADMIN_ONLY),
    ('POST', '/types/{type_id}/extra_specs', '/types/TYPE/extra_specs',
     {'extra_specs': {'a': 'b'}}, ADMIN_ONLY),
    ('PUT', '/types/{type_id}/extra_specs/{id}', '/types/TYPE/extra_specs/a', {'a': 'c'},
     ADMIN_ONLY),
    ('DELETE', '/types/{type_id}/extra_specs/{id}', '/types/TYPE/extra_specs/a', None,
     ADMIN_ONLY),
    ('PUT', '/os-quota-sets/{id}', '/os-quota-sets/proj-a', {'quota_set': {'volumes': 5}},
     ADMIN_ONLY),
    ('DELETE', '/os-quota-sets/{id}', '/os-quota-sets/proj-a', None, ADMIN_ONLY),
    ('POST', '/attachments', '/attachments',
     {'attachment': {'volume_uuid': 'VOLUME', 'instance_uuid': 'INSTANCE'}}, HIDDEN),
    ('PUT', '/attachments/{id}', '/attachments/ATTACHMENT',
     {'attachment': {'connector': {'initiator': 'iqn.x'}}}, HIDDEN),
    ('DELETE', '/attachments/{id}', '/attachments/ATTACHMENT', None, HIDDEN),
]
VOLUME_ACTIONS = {
    'os-extend': {'new_size': 2}, 'os-reset_status': {'status': 'error'},
    'os-force_delete': None, 'os-set_bootable': {'bootable': True},
    'os-volume_upload_image': {'image_name': 'up'}, 'os-attach': {'mountpoint': '/dev/vdb'},
    'os-detach': {}, 'os-reserve': None, 'os-unreserve': None, 'os-begin_detaching': None,
    'os-roll_detaching': None, 'os-initialize_connection': {'connector': {}},
    'os-terminate_connection': {'connector': {}}, 'os-update_readonly_flag': {
        'readonly': True}}

OTHER_ACTIONS = {'os-reset_status': {'status': 'error'}}


def _action_rows():
    rows = []
    for path, handlers in routes.route_table():
        handler = handlers.get('POST')
        if not isinstance(handler, wsgi.Actions):
            continue
        resource = path.split('/')[1]
        concrete = '/%s/%s/action' % (resource, resource[:-1].upper())
        for name in sorted(handler.methods):
            body = (VOLUME_ACTIONS if resource == 'volumes' else OTHER_ACTIONS).get(name, {})
            admin_only = 'reset' in name or 'force' in name
            rows.append(('POST', path, concrete, {name: body},
                         ADMIN_ONLY if admin_only else HIDDEN))
    return rows


def _fill(value, world):
    if isinstance(value, str):
        for name, concrete in world.items():
            value = value.replace(name, concrete)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.fixture
def world(alice, admin):
    volume = create(alice, name='data', metadata={'k': 'v'})
    wait_status(alice, 'volumes', volume['id'], 'available')
    res = alice.post('/proj-a/snapshots', {'snapshot': {'volume_id': volume['id']}})
    assert res.status_int == 202, res.body
    snapshot = res.json['snapshot']['id']
    wait_status(alice, 'snapshots', snapshot, 'available')
    res = admin.post('/admin-proj/types', {'volume_type': {'name': 'gold',
                                                           'extra_specs': {'a': 'b'}}})
    assert res.status_int == 200, res.body
    return {'VOLUME': volume['id'], 'SNAPSHOT': snapshot, 'TYPE': res.json['volume_type'][
        'id'], 'ATTACHMENT': '8d0a7c9e-2b0c-4f3e-9d9a-000000000000',
        'INSTANCE': '8d0a7c9e-2b0c-4f3e-9d9a-111111111111'}


def _state(world):
    volume = db.volume_get(nova_context.get_admin_context(), world['VOLUME'])
    return (volume.status, volume.size, volume.display_name, volume.bootable)


def test_readers_get_403_and_other_projects_404_on_every_write(app, world):
    before = _state(world)
    reader = client(app, 'rita', 'proj-a', 'reader')
    bob = client(app, 'bob', 'proj-b')
    wrong = []
    for method, _template, path, body, other in ROWS + _action_rows():
        path, body = _fill(path, world), _fill(body, world)
        response = reader.request(method, '/proj-a' + path, body, version=LATEST)
        if response.status_int != 403:
            wrong.append(('reader', method, path, body, response.status_int,
                          response.body[:200]))
        if other is not None:
            response = bob.request(method, '/proj-b' + path, body, version=LATEST)
            if response.status_int != other:
                wrong.append(('proj-b member', method, path, body, response.status_int,
                              response.body[:200]))
    assert wrong == [], '\n'.join(map(str, wrong))
    assert _state(world) == before


def test_every_write_route_and_action_has_a_row():
    covered = {(method, template) for method, template, _, _, _ in ROWS + _action_rows()}
    missing = [(method, path) for path, handlers in routes.route_table()
               for method, handler in handlers.items()
               if method in WRITES and (method, path) not in covered]
    assert missing == []
    assert set(VOLUME_ACTIONS) >= {name for _, path, _, body, _ in _action_rows()
                                   if path.startswith('/volumes') for name in body}
