"""The Compute API's nova-network proxies (os-networks, os-tenant-networks,
os-fixed-ips, os-floating-ips, os-floating-ip-pools, os-floating-ips-bulk) and
the addFloatingIp/removeFloatingIp actions: Nova's bodies, statuses and
microversion limits, over the in-process cloud with nova-network's FlatManager."""
import pytest

from nova.conf import CONF
from nova.network import api as network_api


@pytest.fixture
def network(cloud):
    cloud.start('nova-network', 'nethost')
    return network_api.API().create_network(cloud.admin, '10.8.0.0/24', label='private')


def _add_pool(admin, ip_range, pool='public'):
    response = admin.post('/os-floating-ips-bulk', {'floating_ips_bulk_create': {
        'ip_range': ip_range, 'pool': pool}})
    assert response.status_int == 200, response.body
    return response.json['floating_ips_bulk_create']


def test_os_networks_views_and_admin_management(admin, alice, network):
    listed = alice.get('/os-networks').json['networks']
    assert [n['label'] for n in listed] == ['private']
    assert set(listed[0]) == {'id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2',
                              'cidr_v6', 'gateway_v6', 'label', 'netmask_v6'}
    assert listed[0]['id'] == network.uuid and listed[0]['gateway'] == '10.8.0.1'
    shown = admin.get('/os-networks/' + network.uuid).json['network']
    assert shown['bridge'] == 'br100' and shown['project_id'] is None
    assert shown['dhcp_start'] == '10.8.0.2' and shown['deleted'] is False

    response = admin.post('/os-networks', {'network': {'label': 'more', 'cidr': '10.9.0.0/28',
                                                       'dns1': '10.9.0.2', 'mtu': 1400}})
    assert response.status_int == 200, response.body
    created = response.json['network']
    assert (created['cidr'], created['dns1'], created['mtu']) == ('10.9.0.0/28', '10.9.0.2',
                                                                  1400)
    for body, status, words in (
            ({'label': 'x', 'cidr': '10.9.0.8/29'}, 409, 'conflicts with existing cidr'),
            ({'label': 'x', 'cidr': '10.300.0.0/24'}, 400, 'not a valid CIDR'),
            ({'label': 'x', 'cidr': '10.10.0.0/24', 'dns1': 'nope'}, 400, 'dns1'),
            ({'label': 'x'}, 400, 'cidr'),
            ({'label': 'x', 'cidr': '10.10.0.0/24', 'color': 'red'}, 400, 'color')):
        response = admin.post('/os-networks', {'network': body})
        assert response.status_int == status, (body, response.body)
        assert words in str(response.json), response.json
    assert alice.post('/os-networks', {'network': {'label': 'x', 'cidr': '10.11.0.0/24'}}
                      ).status_int == 403

    path = '/os-networks/%s/action' % created['id']
    assert admin.post(path, {'associate_host': 'nethost'}).status_int == 202
    assert admin.get('/os-networks/' + created['id']).json['network']['host'] == 'nethost'
    assert admin.post('/os-networks/add', {'id': created['id']}).status_int == 202
    assert admin.get('/os-networks/' + created['id']).json['network']['project_id'] == \
        'admin-proj'
    assert alice.get('/os-networks/' + created['id']).status_int == 404  # admin-proj's now
    assert admin.post(path, {'disassociate_project': None}).status_int == 202
    network_row = admin.get('/os-networks/' + created['id']).json['network']
    assert (network_row['project_id'], network_row['host']) == (None, 'nethost')
    assert admin.post(path, {'disassociate': None}).status_int == 202
    assert admin.get('/os-networks/' + created['id']).json['network']['host'] is None
    assert admin.post(path, {'explode': None}).status_int == 400
    assert admin.post('/os-networks/add', {'id': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}
                      ).status_int == 400
    assert admin.post('/os-networks/add', {'id': None}).status_int == 400

    assert admin.delete('/os-networks/' + created['id']).status_int == 202
    assert admin.get('/os-networks/' + created['id']).status_int == 404
    assert admin.delete('/os-networks/' + created['id']).status_int == 404
    assert alice.delete('/os-networks/' + network.uuid).status_int == 403
    assert alice.get('/os-networks', version='2.36').status_int == 404
    assert admin.post('/os-networks', {'network': {'label': 'x', 'cidr': '10.12.0.0/24'}},
                      version='2.36').status_int == 404


def test_a_network_in_use_cannot_be_deleted(admin, boot, network):
    boot()
    response = admin.delete('/os-networks/' + network.uuid)
    assert response.status_int == 409
    assert 'still in use' in response.json['conflictingRequest']['message']


def test_tenant_networks_are_the_projects_own(alice, bob, admin, network):
    listed = alice.get('/os-tenant-networks').json['networks']
    assert listed == [{'id': network.uuid, 'cidr': '10.8.0.0/24', 'label': 'private'}]
    response = alice.post('/os-tenant-networks', {'network': {
        'label': 'mine', 'cidr': '10.20.0.0/29', 'ipam': True}})
    assert response.status_int == 200, response.body
    mine = response.json['network']
    assert mine['label'] == 'mine' and mine['cidr'] == '10.20.0.0/29'
    assert {n['label'] for n in alice.get('/os-tenant-networks').json['networks']} == {
        'private', 'mine'}
    assert [n['label'] for n in bob.get('/os-tenant-networks').json['networks']] == ['private']
    assert bob.get('/os-tenant-networks/' + mine['id']).status_int == 404
    assert bob.delete('/os-tenant-networks/' + mine['id']).status_int == 404
    assert alice.delete('/os-tenant-networks/' + network.uuid).status_int == 404  # shared
    response = alice.post('/os-tenant-networks', {'network': {'label': 'x',
                                                              'cidr': '10.20.0.0/24'}})
    assert response.status_int == 409
    CONF.set_override('quota_networks', 1)
    response = alice.post('/os-tenant-networks', {'network': {'label': 'x',
                                                              'cidr': '10.21.0.0/24'}})
    assert response.status_int == 403 and 'networks' in response.json['forbidden']['message']
    assert alice.delete('/os-tenant-networks/' + mine['id']).status_int == 202
    assert alice.get('/os-tenant-networks/' + mine['id']).status_int == 404
    assert alice.get('/os-tenant-networks', version='2.36').status_int == 404


def test_fixed_ips_show_reserve_unreserve(admin, alice, boot, cloud, network):
    [uuid] = boot()
    held = network_api.API().get_instance_nw_info(
        cloud.admin, cloud.api.get(cloud.ctx, uuid))[0]['network']['subnets'][0]['ips'][0]
    shown = admin.get('/os-fixed-ips/' + held['address']).json['fixed_ip']
    assert shown == {'address': held['address'], 'cidr': '10.8.0.0/24', 'hostname': 'vm',
                     'host': shown['host']} and shown['host']
    assert admin.get('/os-fixed-ips/10.8.0.200', version='2.4').json['fixed_ip'] == {
        'address': '10.8.0.200', 'cidr': '10.8.0.0/24', 'hostname': None, 'host': None,
        'reserved': False}
    assert admin.post('/os-fixed-ips/10.8.0.200/action', {'reserve': None}).status_int == 202
    assert admin.get('/os-fixed-ips/10.8.0.200', version='2.4').json['fixed_ip']['reserved']
    response = admin.post('/os-fixed-ips/%s/action' % held['address'], {'reserve': None})
    assert response.status_int == 409 and uuid in response.json['conflictingRequest']['message']
    assert admin.post('/os-fixed-ips/10.8.0.200/action', {'unreserve': None}).status_int == 202
    assert not admin.get('/os-fixed-ips/10.8.0.200',
                         version='2.4').json['fixed_ip']['reserved']
    assert admin.get('/os-fixed-ips/10.99.0.1').status_int == 404
    assert admin.get('/os-fixed-ips/not-an-ip').status_int == 400
    assert admin.post('/os-fixed-ips/10.99.0.1/action', {'reserve': None}).status_int == 404
    assert admin.post('/os-fixed-ips/10.8.0.9/action', {'frobnicate': None}).status_int == 400
    assert alice.get('/os-fixed-ips/10.8.0.200').status_int == 403
    assert admin.get('/os-fixed-ips/10.8.0.200', version='2.36').status_int == 404


def test_floating_ips_allocate_show_list_release(admin, alice, bob, network):
    _add_pool(admin, '172.24.4.0/30')  # two addresses
    assert alice.get('/os-floating-ip-pools').json == {'floating_ip_pools': [
        {'name': 'public'}]}
    response = alice.post('/os-floating-ips', {'pool': 'public'})
    assert response.status_int == 200, response.body
    first = response.json['floating_ip']
    assert first['ip'] == '172.24.4.1' and first['pool'] == 'public'
    assert first['fixed_ip'] is None and first['instance_id'] is None
    assert alice.get('/os-floating-ips/%s' % first['id']).json['floating_ip'] == first
    assert alice.get('/os-floating-ips').json['floating_ips'] == [first]
    assert bob.get('/os-floating-ips').json['floating_ips'] == []
    assert bob.get('/os-floating-ips/%s' % first['id']).status_int == 404
    assert bob.delete('/os-floating-ips/%s' % first['id']).status_int == 404
    assert bob.post('/os-floating-ips', {'pool': 'public'}).status_int == 200
    response = alice.post('/os-floating-ips', {'pool': 'public'})
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == 'No more floating IPs in pool public.'
    response = alice.post('/os-floating-ips', {'pool': 'nowhere'})
    assert response.status_int == 404 and 'nowhere' in response.json['itemNotFound']['message']
    assert alice.delete('/os-floating-ips/%s' % first['id']).status_int == 202
    assert alice.get('/os-floating-ips/%s' % first['id']).status_int == 404
    assert alice.get('/os-floating-ips/12345').status_int == 404
    assert alice.get('/os-floating-ips/not-a-number').status_int == 404
    CONF.set_override('quota_floating_ips', 0)
    response = alice.post('/os-floating-ips', {'pool': 'public'})
    assert response.status_int == 403
    assert response.json['forbidden']['message'] == 'IP allocation over quota in pool public.'
    assert alice.get('/os-floating-ips', version='2.36').status_int == 404
    assert alice.get('/os-floating-ip-pools', version='2.36').status_int == 404


def test_add_and_remove_floating_ip_actions(admin, alice, bob, boot, network):
    _add_pool(admin, '172.24.4.0/29')
    [one, two] = boot(count=2)
    address = alice.post('/os-floating-ips', {'pool': 'public'}).json['floating_ip']['ip']
    assert alice.action(one, 'addFloatingIp', {'address': address}).status_int == 202
    [floating] = alice.get('/os-floating-ips').json['floating_ips']
    assert floating['instance_id'] == one and floating['fixed_ip'].startswith('10.8.0.')
    shown = alice.get('/servers/' + one).json['server']['addresses']['private']
    assert [a['OS-EXT-IPS:type'] for a in shown] == ['fixed', 'floating']

    # associating an associated address moves it, as Nova does
    assert alice.action(two, 'addFloatingIp', {'address': address}).status_int == 202
    assert alice.get('/os-floating-ips').json['floating_ips'][0]['instance_id'] == two
    response = alice.action(one, 'removeFloatingIp', {'address': address})
    assert response.status_int == 409 and 'not associated with instance' in response.body.decode()

    # a second floating IP on the same fixed IP is refused
    other = alice.post('/os-floating-ips', {'pool': 'public'}).json['floating_ip']['ip']
    response = alice.action(two, 'addFloatingIp', {'address': other})
    assert response.status_int == 400 and 'already has floating IP' in response.body.decode()

    for args, status in (({'address': '172.24.4.99'}, 404), ({'address': ''}, 400),
                         ({'address': other, 'fixed_address': '10.9.9.9'}, 400), ({}, 400)):
        assert alice.action(one, 'addFloatingIp', args).status_int == status, args
    theirs = bob.post('/os-floating-ips', {'pool': 'public'}).json['floating_ip']['ip']
    response = alice.action(one, 'addFloatingIp', {'address': theirs})
    assert response.status_int == 404  # another project's address is not found
    assert bob.action(one, 'addFloatingIp', {'address': theirs}).status_int == 404  # server

    assert alice.action(two, 'removeFloatingIp', {'address': address}).status_int == 202
    assert alice.action(two, 'removeFloatingIp', {'address': address}).status_int == 409
    assert alice.action(two, 'removeFloatingIp', {'address': theirs}).status_int == 404

    # releasing an associated address disassociates it first
    assert alice.action(one, 'addFloatingIp', {'address': address}).status_int == 202
    floating_id = [f['id'] for f in alice.get('/os-floating-ips').json['floating_ips']
                   if f['ip'] == address][0]
    assert alice.delete('/os-floating-ips/%s' % floating_id).status_int == 202
    assert alice.get('/servers/' + one).json['server']['addresses']['private'][-1][
        'OS-EXT-IPS:type'] == 'fixed'
    assert alice.action(one, 'addFloatingIp', {'address': other},
                        version='2.44').status_int == 404
    assert alice.action(one, 'addFloatingIp', {'address': other},
                        version='2.43').status_int == 202


def test_floating_ips_bulk(admin, alice, boot, network):
    created = _add_pool(admin, '172.24.5.0/30', pool='bulk')
    assert created == {'ip_range': '172.24.5.0/30', 'pool': 'bulk', 'interface': None}
    info = admin.get('/os-floating-ips-bulk').json['floating_ip_info']
    assert [f['address'] for f in info] == ['172.24.5.1', '172.24.5.2']
    assert info[0] == {'address': '172.24.5.1', 'instance_uuid': None, 'fixed_ip': None,
                       'interface': None, 'pool': 'bulk', 'project_id': None}
    response = admin.post('/os-floating-ips-bulk', {'floating_ips_bulk_create': {
        'ip_range': '172.24.5.2'}})
    assert response.status_int == 409 and '172.24.5.2' in response.body.decode()
    assert admin.post('/os-floating-ips-bulk', {'floating_ips_bulk_create': {
        'ip_range': 'ten/8'}}).status_int == 400
    [uuid] = boot()
    address = alice.post('/os-floating-ips', {'pool': 'bulk'}).json['floating_ip']['ip']
    assert alice.action(uuid, 'addFloatingIp', {'address': address}).status_int == 202
    [mine] = [f for f in admin.get('/os-floating-ips-bulk').json['floating_ip_info']
              if f['address'] == address]
    assert mine['instance_uuid'] == uuid and mine['project_id'] == 'proj-a'
    host = alice.get('/servers/' + uuid).json['server'].get('OS-EXT-SRV-ATTR:host')
    assert host is None  # not shown to members; the bulk list by host is the admin's
    response = admin.put('/os-floating-ips-bulk/delete', {'ip_range': '172.24.5.0/30'})
    assert response.status_int == 409  # one is associated
    assert alice.action(uuid, 'removeFloatingIp', {'address': address}).status_int == 202
    response = admin.put('/os-floating-ips-bulk/delete', {'ip_range': '172.24.5.0/30'})
    assert response.status_int == 200
    assert response.json == {'floating_ips_bulk_delete': '172.24.5.0/30'}
    assert admin.get('/os-floating-ips-bulk').json['floating_ip_info'] == []
    assert admin.get('/os-floating-ips-bulk/nethost').json['floating_ip_info'] == []
    assert alice.get('/os-floating-ips-bulk').status_int == 403
    assert admin.get('/os-floating-ips-bulk', version='2.36').status_int == 404
