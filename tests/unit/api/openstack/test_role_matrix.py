"""The compute API's role matrix: for every write the router serves (every route and
every server, flavor and aggregate action), a reader of the project gets 403 and
a member of another project 404 (403 where only admins may write), and the
resource is unchanged. A route added without a row here fails the last test."""
import pytest

from nova.api.openstack import wsgi
from nova.api.openstack.compute import routes
from nova.compute import vm_states
from nova.db import api as db
from tests.unit.api.openstack import fakes

WRITES = ('POST', 'PUT', 'DELETE')
ADMIN_ONLY = 403  # what a member of another project gets where only admins may write
HIDDEN = 404      # ... where the resource is another project's

SERVER_ACTIONS = {
    'reboot': {'type': 'HARD'}, 'os-stop': None, 'os-start': None, 'pause': None,
    'unpause': None, 'suspend': None, 'resume': None, 'rescue': None, 'unrescue': None,
    'lock': None, 'unlock': None, 'shelve': None, 'unshelve': None, 'shelveOffload': None,
    'createImage': {'name': 'snap'},
    'createBackup': {'name': 'b', 'backup_type': 'daily', 'rotation': 1},
    'rebuild': {'imageRef': 'IMAGE'}, 'resize': {'flavorRef': '2'},
    'confirmResize': None, 'revertResize': None, 'migrate': None,
    'os-migrateLive': {'host': None, 'block_migration': 'auto'},
    'forceDelete': None, 'restore': None, 'os-getConsoleOutput': {},
    'addSecurityGroup': {'name': 'default'}, 'removeSecurityGroup': {'name': 'default'},
    'addFloatingIp': {'address': '192.0.2.9'}, 'removeFloatingIp': {'address': '192.0.2.9'},
    'changePassword': {'adminPass': 'secret'}, 'injectNetworkInfo': None,
    'resetNetwork': None, 'os-resetState': {'state': 'error'},
    'os-getVNCConsole': {'type': 'novnc'}, 'os-getSPICEConsole': {'type': 'spice-html5'},
    'os-getRDPConsole': {'type': 'rdp-html5'}, 'os-getSerialConsole': {'type': 'serial'},
    'evacuate': {}, 'trigger_crash_dump': None,
}
# actions that are not in the latest microversion
ACTION_VERSIONS = {'addFloatingIp': '2.43', 'removeFloatingIp': '2.43',
                   'os-getVNCConsole': '2.5', 'os-getSPICEConsole': '2.5',
                   'os-getRDPConsole': '2.5', 'os-getSerialConsole': '2.5'}
# microversions where a route is not the latest one's (default: LATEST)
LATEST = '2.90'
VERSIONS = {'/os-networks': '2.35', '/os-networks/add': '2.35', '/os-networks/{id}': '2.35',
            '/os-networks/{id}/action': '2.35', '/os-tenant-networks': '2.35',
            '/os-tenant-networks/{id}': '2.35', '/os-fixed-ips/{id}/action': '2.35',
            '/os-floating-ips': '2.35', '/os-floating-ips/{id}': '2.35',
            '/os-floating-ips-bulk': '2.35', '/os-floating-ips-bulk/{id}': '2.35',
            '/os-hosts/{id}': '2.42', '/images/{id}': '2.35',
            '/images/{image_id}/metadata': '2.35', '/images/{image_id}/metadata/{id}': '2.35',
            '/os-security-groups': '2.35', '/os-security-groups/{id}': '2.35',
            '/os-security-group-rules': '2.35', '/os-security-group-rules/{id}': '2.35',
            '/servers/{server_id}/shares': '2.97', '/servers/{server_id}/shares/{id}': '2.97',
            '/os-volumes': '2.35', '/os-volumes/{id}': '2.35', '/os-snapshots': '2.35',
            '/os-snapshots/{id}': '2.35'}


def _rows():
    """(method, route template, concrete path, body, other project's answer)."""
    rows = [
        ('POST', '/servers', '/servers', {'server': {
            'name': 'x', 'imageRef': 'IMAGE', 'networks': 'none', 'flavorRef': '1'}}, None),
        ('PUT', '/servers/{id}', '/servers/SERVER', {'server': {'name': 'x'}}, HIDDEN),
        ('DELETE', '/servers/{id}', '/servers/SERVER', None, HIDDEN),
        ('POST', '/servers/{server_id}/metadata', '/servers/SERVER/metadata',
         {'metadata': {'k': 'w'}}, HIDDEN),
        ('PUT', '/servers/{server_id}/metadata', '/servers/SERVER/metadata',
         {'metadata': {'k': 'w'}}, HIDDEN),
        ('PUT', '/servers/{server_id}/metadata/{id}', '/servers/SERVER/metadata/k',
         {'meta': {'k': 'w'}}, HIDDEN),
        ('DELETE', '/servers/{server_id}/metadata/{id}', '/servers/SERVER/metadata/k', None,
         HIDDEN),
        ('PUT', '/servers/{server_id}/tags', '/servers/SERVER/tags', {'tags': ['b']}, HIDDEN),
        ('DELETE', '/servers/{server_id}/tags', '/servers/SERVER/tags', None, HIDDEN),
        ('PUT', '/servers/{server_id}/tags/{id}', '/servers/SERVER/tags/b', None, HIDDEN),
        ('DELETE', '/servers/{server_id}/tags/{id}', '/servers/SERVER/tags/a', None, HIDDEN),
        ('POST', '/flavors', '/flavors', {'flavor': {'name': 'f', 'ram': 64, 'vcpus': 1,
                                                     'disk': 0}}, ADMIN_ONLY),
        ('PUT', '/flavors/{id}', '/flavors/1', {'flavor': {'description': 'd'}}, ADMIN_ONLY),
        ('DELETE', '/flavors/{id}', '/flavors/1', None, ADMIN_ONLY),
        ('POST', '/flavors/{flavor_id}/os-extra_specs', '/flavors/1/os-extra_specs',
         {'extra_specs': {'a': 'b'}}, ADMIN_ONLY),
        ('PUT', '/flavors/{flavor_id}/os-extra_specs/{id}', '/flavors/1/os-extra_specs/a',
         {'a': 'b'}, ADMIN_ONLY),
        ('DELETE', '/flavors/{flavor_id}/os-extra_specs/{id}', '/flavors/1/os-extra_specs/a',
         None, ADMIN_ONLY),
        ('POST', '/os-keypairs', '/os-keypairs', {'keypair': {'name': 'k2'}}, None),
        ('DELETE', '/os-keypairs/{id}', '/os-keypairs/KEYPAIR', None, None),
        ('PUT', '/os-quota-sets/{id}', '/os-quota-sets/proj-a',
         {'quota_set': {'instances': 5}}, ADMIN_ONLY),
        ('DELETE', '/os-quota-sets/{id}', '/os-quota-sets/proj-a', None, ADMIN_ONLY),
        ('POST', '/os-security-groups', '/os-security-groups',
         {'security_group': {'name': 'g', 'description': 'd'}}, None),
        ('PUT', '/os-security-groups/{id}', '/os-security-groups/GROUP',
         {'security_group': {'name': 'g2', 'description': 'd'}}, HIDDEN),
        ('DELETE', '/os-security-groups/{id}', '/os-security-groups/GROUP', None, HIDDEN),
        ('POST', '/os-security-group-rules', '/os-security-group-rules',
         {'security_group_rule': {'parent_group_id': 'GROUP', 'ip_protocol': 'tcp',
                                  'from_port': 80, 'to_port': 80, 'cidr': '0.0.0.0/0'}},
         HIDDEN),
        ('DELETE', '/os-security-group-rules/{id}', '/os-security-group-rules/RULE', None,
         HIDDEN),
        ('PUT', '/os-services/{id}', '/os-services/SERVICE', {'status': 'disabled'},
         ADMIN_ONLY),
        ('DELETE', '/os-services/{id}', '/os-services/SERVICE', None, ADMIN_ONLY),
        ('POST', '/os-aggregates', '/os-aggregates', {'aggregate': {'name': 'ag'}},
         ADMIN_ONLY),
        ('PUT', '/os-aggregates/{id}', '/os-aggregates/AGGREGATE',
         {'aggregate': {'name': 'ag2'}}, ADMIN_ONLY),
        ('DELETE', '/os-aggregates/{id}', '/os-aggregates/AGGREGATE', None, ADMIN_ONLY),
        ('POST', '/os-aggregates/{id}/images', '/os-aggregates/AGGREGATE/images',
         {'cache': [{'id': 'IMAGE'}]}, ADMIN_ONLY),
        ('DELETE', '/images/{id}', '/images/SNAPSHOT', None, HIDDEN),
        ('POST', '/images/{image_id}/metadata', '/images/SNAPSHOT/metadata',
         {'metadata': {'a': 'b'}}, HIDDEN),
        ('PUT', '/images/{image_id}/metadata', '/images/SNAPSHOT/metadata',
         {'metadata': {'a': 'b'}}, HIDDEN),
        ('PUT', '/images/{image_id}/metadata/{id}', '/images/SNAPSHOT/metadata/a',
         {'meta': {'a': 'b'}}, HIDDEN),
        ('DELETE', '/images/{image_id}/metadata/{id}', '/images/SNAPSHOT/metadata/a', None,
         HIDDEN),
        ('DELETE', '/servers/{server_id}/os-server-password',
         '/servers/SERVER/os-server-password', None, HIDDEN),
        ('POST', '/servers/{server_id}/remote-consoles', '/servers/SERVER/remote-consoles',
         {'remote_console': {'protocol': 'vnc', 'type': 'novnc'}}, HIDDEN),
        ('POST', '/os-server-external-events', '/os-server-external-events',
         {'events': [{'name': 'network-changed', 'server_uuid': 'SERVER'}]}, ADMIN_ONLY),
        ('PUT', '/os-hosts/{id}', '/os-hosts/h1', {'status': 'disable'}, ADMIN_ONLY),
        ('PUT', '/os-quota-class-sets/{id}', '/os-quota-class-sets/default',
         {'quota_class_set': {'instances': 5}}, ADMIN_ONLY),
        ('POST', '/os-networks', '/os-networks',
         {'network': {'label': 'n', 'cidr': '10.99.0.0/24'}}, ADMIN_ONLY),
        ('POST', '/os-networks/add', '/os-networks/add', {'id': None}, ADMIN_ONLY),
        ('DELETE', '/os-networks/{id}', '/os-networks/1', None, ADMIN_ONLY),
        ('POST', '/os-networks/{id}/action', '/os-networks/1/action', {'disassociate': None},
         ADMIN_ONLY),
        ('POST', '/os-tenant-networks', '/os-tenant-networks',
         {'network': {'label': 'n', 'cidr': '10.98.0.0/24'}}, None),
        ('DELETE', '/os-tenant-networks/{id}', '/os-tenant-networks/1', None, None),
        ('POST', '/os-fixed-ips/{id}/action', '/os-fixed-ips/10.0.0.5/action',
         {'reserve': None}, ADMIN_ONLY),
        ('POST', '/os-floating-ips', '/os-floating-ips', {'pool': 'nova'}, None),
        ('DELETE', '/os-floating-ips/{id}', '/os-floating-ips/1', None, None),
        ('POST', '/os-floating-ips-bulk', '/os-floating-ips-bulk',
         {'floating_ips_bulk_create': {'ip_range': '192.0.2.0/28'}}, ADMIN_ONLY),
        ('PUT', '/os-floating-ips-bulk/{id}', '/os-floating-ips-bulk/delete',
         {'ip_range': '192.0.2.0/28'}, ADMIN_ONLY),
        ('POST', '/os-server-groups', '/os-server-groups',
         {'server_group': {'name': 'sg', 'policy': 'affinity'}}, None),
        ('DELETE', '/os-server-groups/{id}', '/os-server-groups/SERVER_GROUP', None, HIDDEN),
        ('DELETE', '/servers/{server_id}/migrations/{id}', '/servers/SERVER/migrations/1',
         None, HIDDEN),
        ('POST', '/servers/{server_id}/migrations/{id}/action',
         '/servers/SERVER/migrations/1/action', {'force_complete': None}, HIDDEN),
        ('POST', '/servers/{server_id}/shares', '/servers/SERVER/shares',
         {'share': {'share_id': 'SERVER'}}, HIDDEN),
        ('DELETE', '/servers/{server_id}/shares/{id}', '/servers/SERVER/shares/SERVER', None,
         HIDDEN),
        ('POST', '/servers/{server_id}/os-volume_attachments',
         '/servers/SERVER/os-volume_attachments', {'volumeAttachment': {'volumeId': 'SERVER'}},
         HIDDEN),
        ('PUT', '/servers/{server_id}/os-volume_attachments/{id}',
         '/servers/SERVER/os-volume_attachments/SERVER',
         {'volumeAttachment': {'volumeId': 'SERVER'}}, HIDDEN),
        ('DELETE', '/servers/{server_id}/os-volume_attachments/{id}',
         '/servers/SERVER/os-volume_attachments/SERVER', None, HIDDEN),
        ('POST', '/os-volumes', '/os-volumes', {'volume': {'size': 1}}, None),
        ('DELETE', '/os-volumes/{id}', '/os-volumes/SERVER', None, None),
        ('POST', '/os-snapshots', '/os-snapshots', {'snapshot': {'volume_id': 'SERVER'}}, None),
        ('DELETE', '/os-snapshots/{id}', '/os-snapshots/SERVER', None, None),
        ('POST', '/servers/{server_id}/os-interface', '/servers/SERVER/os-interface',
         {'interfaceAttachment': {'net_id': 'SERVER'}}, HIDDEN),
        ('DELETE', '/servers/{server_id}/os-interface/{id}',
         '/servers/SERVER/os-interface/SERVER', None, HIDDEN),
    ]
    rows += [('POST', '/servers/{id}/action', '/servers/SERVER/action', {name: args}, HIDDEN)
             for name, args in SERVER_ACTIONS.items()]
    rows += [('POST', '/flavors/{id}/action', '/flavors/1/action', {name: {'tenant': 'p'}},
              ADMIN_ONLY) for name in ('addTenantAccess', 'removeTenantAccess')]
    rows += [('POST', '/os-aggregates/{id}/action', '/os-aggregates/AGGREGATE/action', body,
              ADMIN_ONLY)
             for body in ({'add_host': {'host': 'h1'}}, {'remove_host': {'host': 'h1'}},
                          {'set_metadata': {'metadata': {'a': 'b'}}})]
    return rows


ROWS = _rows()


@pytest.fixture
def world(cloud, app, alice, admin, boot):
    """proj-a's resources (a server with metadata and a tag, a snapshot of it, a
    security group with a rule, a server group), an aggregate, and a key pair of
    the reader."""
    [server] = boot()
    snapshot = alice.action(server, 'createImage', {'name': 'snap', 'metadata': {'a': 'z'}},
                            version='2.45').json['image_id']
    cloud.wait([server], vm_states.ACTIVE)
    alice.put('/servers/%s/metadata/k' % server, {'meta': {'k': 'v'}})
    alice.put('/servers/%s/tags/a' % server)
    group = alice.post('/os-security-groups', {'security_group': {
        'name': 'web', 'description': 'd'}}).json['security_group']['id']
    rule = alice.post('/os-security-group-rules', {'security_group_rule': {
        'parent_group_id': group, 'ip_protocol': 'tcp', 'from_port': 22, 'to_port': 22,
        'cidr': '0.0.0.0/0'}}).json['security_group_rule']['id']
    server_group = alice.post('/os-server-groups', {'server_group': {
        'name': 'sg', 'policies': ['anti-affinity']}}).json['server_group']['id']
    aggregate = admin.post('/os-aggregates', {'aggregate': {'name': 'agg'}}).json[
        'aggregate']['id']
    service = admin.get('/os-services?binary=nova-compute').json['services'][0]['id']
    reader = fakes.Client(app, user='carol', project='proj-a', roles='reader')
    fakes.Client(app, user='carol', project='proj-a', roles='member').post(
        '/os-keypairs', {'keypair': {'name': 'kp'}})
    return {'SERVER': server, 'SNAPSHOT': snapshot, 'GROUP': str(group), 'RULE': str(rule),
            'SERVER_GROUP': server_group, 'AGGREGATE': str(aggregate),
            'SERVICE': str(service), 'KEYPAIR': 'kp', 'IMAGE': cloud.image['id'],
            'reader': reader}


def _fill(value, world):
    if isinstance(value, str):
        for name, concrete in sorted(world.items(), key=lambda item: -len(item[0])):
            if isinstance(concrete, str):
                value = value.replace(name, concrete)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _state(cloud, world):
    """What a refused write must leave as it was."""
    server = db.instance_get_by_uuid(cloud.admin, world['SERVER'])
    return (server.vm_state, server.task_state, server.display_name, server.locked,
            db.instance_metadata_get(cloud.admin, server.uuid),
            sorted(db.instance_tag_get(cloud.admin, server.uuid)),
            len(db.instance_get_all_by_filters(cloud.admin, {'deleted': False})))


def test_readers_get_403_and_other_projects_404_on_every_write(cloud, world, bob):
    cloud.wait([world['SERVER']], vm_states.ACTIVE)
    before = _state(cloud, world)
    reader = world['reader']
    wrong = []
    for method, template, path, body, other in ROWS:
        path, body = _fill(path, world), _fill(body, world)
        version = VERSIONS.get(template) or ACTION_VERSIONS.get(
            next(iter(body)) if isinstance(body, dict) and template.endswith('/action')
            else None, LATEST)
        response = reader.request(method, path, body, version=version)
        if response.status_int != 403:
            wrong.append(('reader', method, path, body, response.status_int,
                          response.body[:200]))
        if other is not None:
            response = bob.request(method, path, body, version=version)
            if response.status_int != other:
                wrong.append(('proj-b member', method, path, body, response.status_int,
                              response.body[:200]))
    assert wrong == [], '\n'.join(map(str, wrong))
    assert _state(cloud, world) == before


def test_readers_still_read(cloud, world):
    reader = world['reader']
    for path in ('/servers/detail', '/servers/SERVER', '/servers/SERVER/metadata',
                 '/servers/SERVER/tags', '/servers/SERVER/os-instance-actions',
                 '/flavors/detail', '/os-security-groups', '/os-server-groups',
                 '/limits', '/os-quota-sets/proj-a', '/os-availability-zone'):
        response = reader.get(_fill(path, world), version=VERSIONS.get(path, LATEST))
        assert response.status_int == 200, (path, response.status_int, response.body)


def test_every_write_route_and_action_has_a_row():
    covered = {(method, template) for method, template, _, _, _ in ROWS}
    missing = []
    for path, handlers in routes.route_table():
        for method, handler in handlers.items():
            if method not in WRITES:
                continue
            if isinstance(handler, wsgi.Actions):
                names = {next(iter(body)) for m, t, _, body, _ in ROWS if t == path}
                missing += [(path, name) for name in set(handler.methods) - names]
            elif (method, path) not in covered:
                missing.append((method, path))
    assert missing == []
