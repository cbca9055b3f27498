"""Addresses of servers in the OpenStack API (views, /ips, networks in create), with
nova-network's FlatManager serving the in-process cloud."""
import pytest

from nova.compute import vm_states

from nova.db import api as db
from nova.network import api as network_api


@pytest.fixture
def network(cloud):
    cloud.start('nova-network', 'nethost')
    api = network_api.API()
    return api.create_network(cloud.admin, '10.8.0.0/24', label='private')


def test_server_views_show_fixed_and_floating_addresses(alice, boot, cloud, network):
    [uuid] = boot()
    server = alice.get('/servers/' + uuid).json['server']
    [entry] = server['addresses']['private']
    assert entry['version'] == 4 and entry['addr'].startswith('10.8.0.')
    assert entry['OS-EXT-IPS:type'] == 'fixed'
    vif = db.virtual_interface_get_by_instance(cloud.admin, uuid)[0]
    assert entry['OS-EXT-IPS-MAC:mac_addr'] == vif.address
    api = network_api.API()
    api.create_floating_ips(cloud.admin, '172.24.4.0/30', pool='public')
    floating = api.allocate_floating_ip(cloud.ctx, 'public')
    api.associate_floating_ip(cloud.ctx, cloud.api.get(cloud.ctx, uuid), floating['address'])
    detail = alice.get('/servers/detail').json['servers'][0]
    assert [(a['addr'], a['OS-EXT-IPS:type']) for a in detail['addresses']['private']] == [
        (entry['addr'], 'fixed'), (floating['address'], 'floating')]
    ips = alice.get('/servers/%s/ips' % uuid).json
    assert ips == {'addresses': {'private': [{'version': 4, 'addr': entry['addr']},
                                             {'version': 4, 'addr': floating['address']}]}}
    assert alice.get('/servers/%s/ips/private' % uuid).json == {
        'private': ips['addresses']['private']}
    assert alice.get('/servers/%s/ips/public' % uuid).status_int == 404
    # PUT (and rebuild) before 2.75 answer addresses without OS-EXT-IPS, as Nova does
    updated = alice.put('/servers/' + uuid, {'server': {'name': 'renamed'}}).json['server']
    assert updated['addresses'] == ips['addresses']
    assert 'OS-EXT-IPS:type' in alice.put('/servers/' + uuid, {'server': {'name': 'again'}},
                                          version='2.75').json['server']['addresses'][
        'private'][0]


def test_networks_in_create(alice, boot, cloud, network):
    server = {'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1'}
    none = alice.post('/servers', {'server': dict(server, networks='none')},
                      version='2.37').json['server']['id']
    cloud.wait([none], vm_states.ACTIVE)
    assert alice.get('/servers/' + none).json['server']['addresses'] == {}
    [pinned] = boot(networks=[{'uuid': network.uuid, 'fixed_ip': '10.8.0.77'}])
    shown = alice.get('/servers/' + pinned).json['server']['addresses']['private']
    assert [a['addr'] for a in shown] == ['10.8.0.77']
    for networks, message in (
            ([{'uuid': network.uuid, 'fixed_ip': '10.8.0.77'}], '10.8.0.77 is already in use'),
            ([{'uuid': network.uuid, 'fixed_ip': '10.9.0.1'}], 'not in network'),
            ([{'uuid': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}], 'could not be found'),
            ([{'port': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}], 'Port b3d4b1d0'),
            ([{'port': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'},
              {'port': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}], 'requested once')):
        response = alice.post('/servers', {'server': dict(server, networks=networks)})
        assert response.status_int == 400, (networks, response.body)
        assert message in response.json['badRequest']['message']
    theirs = network_api.API().create_network(cloud.admin, '10.9.0.0/24', project_id='proj-b')
    response = alice.post('/servers', {'server': dict(server, networks=[
        {'uuid': theirs.uuid}])})
    assert response.status_int == 400



def test_servers_filtered_by_ip_match_the_start_of_their_fixed_addresses(alice, boot, network):
    uuids = boot(count=2)
    addresses = {uuid: alice.get('/servers/' + uuid).json['server']['addresses']['private'][0]
                 ['addr'] for uuid in uuids}
    for uuid, address in addresses.items():
        listed = alice.get('/servers?ip=%s$' % address.replace('.', r'\.')).json['servers']
        assert [s['id'] for s in listed] == [uuid]
    assert sorted(s['id'] for s in alice.get('/servers/detail?ip=10.8.').json['servers']) \
        == sorted(uuids)
    assert alice.get('/servers?ip=10.9.').json['servers'] == []
    assert alice.get('/servers?ip=0.8.').json['servers'] == []  # from the start
    assert alice.get('/servers?ip=%28').status_int == 400
