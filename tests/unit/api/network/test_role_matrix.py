"""The network API's role matrix, as nova/policy.py's NETWORK_API_RULES say: members
manage their project's networks, subnets, ports, floating IPs and security groups;
readers only read (403 on every write, whatever the body); a member of another
project does not find the project's resources (404) and gets 403 where only
admins write (quotas, shared networks); admins do everything. After every refusal
the resources are unchanged. A write route added without a row here fails the
last test."""
from nova.api.openstack import network as network_app
from nova.network import ids

WRITES = ('POST', 'PUT', 'DELETE')
ADMIN_ONLY, HIDDEN = 403, 404

ROWS = [  # (method, route template, concrete path, body, a member of proj-b gets)
    ('POST', '/networks', '/networks', {'network': {'name': 'x'}}, None),
    ('PUT', '/networks/{id}', '/networks/NET', {'network': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/networks/{id}', '/networks/NET', None, HIDDEN),
    ('POST', '/subnets', '/subnets', {'subnet': {'network_id': 'NET', 'cidr': '10.61.0.0/24',
                                                 'ip_version': 4}}, HIDDEN),
    ('PUT', '/subnets/{id}', '/subnets/SUBNET', {'subnet': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/subnets/{id}', '/subnets/SUBNET', None, HIDDEN),
    ('POST', '/ports', '/ports', {'port': {'network_id': 'NET'}}, HIDDEN),
    ('PUT', '/ports/{id}', '/ports/PORT', {'port': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/ports/{id}', '/ports/PORT', None, HIDDEN),
    ('POST', '/floatingips', '/floatingips', {'floatingip': {'floating_network_id': 'POOL'}},
     None),
    ('PUT', '/floatingips/{id}', '/floatingips/FIP', {'floatingip': {'port_id': None}},
     HIDDEN),
    ('DELETE', '/floatingips/{id}', '/floatingips/FIP', None, HIDDEN),
    ('POST', '/security-groups', '/security-groups', {'security_group': {'name': 'x'}}, None),
    ('PUT', '/security-groups/{id}', '/security-groups/GROUP',
     {'security_group': {'name': 'x'}}, HIDDEN),
    ('DELETE', '/security-groups/{id}', '/security-groups/GROUP', None, HIDDEN),
    ('POST', '/security-group-rules', '/security-group-rules', {'security_group_rule': {
        'security_group_id': 'GROUP', 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 80, 'port_range_max': 80}}, HIDDEN),
    ('DELETE', '/security-group-rules/{id}', '/security-group-rules/RULE', None, HIDDEN),
    ('PUT', '/quotas/{id}', '/quotas/proj-a', {'quota': {'network': 5}}, ADMIN_ONLY),
    ('DELETE', '/quotas/{id}', '/quotas/proj-a', None, ADMIN_ONLY),
]


def _fill(value, world):
    if isinstance(value, str):
        for name in sorted(world, key=len, reverse=True):  # SUBNET before NET
            value = value.replace(name, world[name])
        return value
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def _made(response, key):
    assert response.status_int == 201, response.data
    return response.data[key]['id']


def _world(alice, network):
    """proj-a's network with a subnet and a port, a floating IP, a group with a rule."""
    net = _made(alice.post('/networks', {'network': {'name': 'mine'}}), 'network')
    subnet = _made(alice.post('/subnets', {'subnet': {
        'network_id': net, 'cidr': '10.60.0.0/24', 'ip_version': 4}}), 'subnet')
    port = _made(alice.post('/ports', {'port': {'network_id': network.uuid}}), 'port')
    pool = ids.pool_network_id('public')
    fip = _made(alice.post('/floatingips', {'floatingip': {'floating_network_id': pool}}),
                'floatingip')
    group = _made(alice.post('/security-groups', {'security_group': {'name': 'web'}}),
                  'security_group')
    rule = _made(alice.post('/security-group-rules', {'security_group_rule': {
        'security_group_id': group, 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 22, 'port_range_max': 22}}), 'security_group_rule')
    return {'NET': net, 'SUBNET': subnet, 'PORT': port, 'POOL': pool, 'FIP': fip,
            'GROUP': group, 'RULE': rule}


def _state(alice):
    """Everything proj-a has, as its member lists it."""
    listed = {}
    for collection in ('networks', 'subnets', 'ports', 'floatingips', 'security-groups',
                       'security-group-rules'):
        response = alice.get('/' + collection)
        assert response.status_int == 200
        key = collection.replace('-', '_')
        listed[collection] = sorted(
            (item['id'], item.get('name'), item.get('port_id'), item.get('revision_number'))
            for item in response.data[key])
    listed['quota'] = alice.get('/quotas/proj-a').data['quota']
    return listed


def test_readers_get_403_and_other_projects_404_on_every_write(alice, bob, reader, admin,
                                                                network):
    world = _world(alice, network)
    before = _state(alice)
    wrong = []
    for method, _template, path, body, other in ROWS:
        path, body = _fill(path, world), _fill(body, world)
        response = reader.request(method, path, body)
        if response.status_int != 403:
            wrong.append(('reader', method, path, response.status_int, response.data))
        if other is not None:
            response = bob.request(method, path, body)
            if response.status_int != other:
                wrong.append(('proj-b member', method, path, response.status_int,
                              response.data))
    # the admins' shared network: its users neither change nor remove it
    for client in (alice, reader, bob):
        for method, body in (('PUT', {'network': {'name': 'x'}}), ('DELETE', None)):
            response = client.request(method, '/networks/' + network.uuid, body)
            if response.status_int != 403:
                wrong.append(('shared', client.identity, method, response.status_int,
                              response.data))
    assert wrong == [], '\n'.join(map(str, wrong))
    assert _state(alice) == before
    assert reader.get('/networks/' + world['NET']).status_int == 200  # readers read


def test_admins_write_other_projects_resources(alice, admin, network):
    world = _world(alice, network)
    response = admin.put('/networks/' + world['NET'], {'network': {'name': 'renamed'}})
    assert response.status_int == 200 and response.data['network']['name'] == 'renamed'
    assert admin.put('/quotas/proj-a', {'quota': {'network': 7}}).status_int == 200
    assert alice.get('/quotas/proj-a').data['quota']['network'] == 7
    for path in ('/security-group-rules/RULE', '/security-groups/GROUP', '/floatingips/FIP',
                 '/ports/PORT', '/subnets/SUBNET', '/networks/NET'):
        response = admin.delete(_fill(path, world))
        assert response.status_int == 204, (path, response.data)
        assert alice.get(_fill(path, world)).status_int == 404


def test_every_write_route_has_a_row():
    covered = {(method, template) for method, template, _, _, _ in ROWS}
    missing = [(method, path) for path, handlers in network_app.route_table()
               for method in handlers if method in WRITES and (method, path) not in covered]
    assert missing == []
