"""Ports at the Compute API: server create with networks port / duplicate networks,
os-interface list, show, attach (a port, a network, a network with its fixed IP)
and detach, the fake driver's guest plugged and unplugged each time, and the
answers Nova gives when it cannot."""
import pytest

from nova.compute import vm_states
from nova.network import api as network_api
from nova.network import ports as ports_api
from nova.virt import fake


@pytest.fixture
def network(cloud):
    cloud.start('nova-network', 'nethost')
    return network_api.API().create_network(cloud.admin, '10.8.0.0/24', label='private')


def _guest_vifs(cloud, uuid):
    instance = cloud.api.get(cloud.admin, uuid)
    return sorted(fake._host(instance.host).guests[uuid].vifs)


def test_boot_with_a_port_and_twice_the_same_network(alice, bob, boot, cloud, network):
    port = ports_api.PortAPI().create(cloud.ctx, network.uuid, fixed_ip='10.8.0.40')
    [uuid] = boot(networks=[{'port': port['id']}, {'uuid': network.uuid},
                            {'uuid': network.uuid}])
    listed = alice.get('/servers/%s/os-interface' % uuid).json['interfaceAttachments']
    assert len(listed) == 3 and listed[0]['port_id'] == port['id']
    assert listed[0]['fixed_ips'][0]['ip_address'] == '10.8.0.40'
    assert listed[0]['mac_addr'] == port['mac_address']
    assert {i['net_id'] for i in listed} == {network.uuid}
    assert _guest_vifs(cloud, uuid) == sorted(i['port_id'] for i in listed)
    addresses = [a['addr'] for a in alice.get('/servers/' + uuid).json['server']['addresses'][
        'private']]
    assert len(addresses) == 3 and addresses[0] == '10.8.0.40'
    # a bound port cannot boot another server; another project's port is not found
    response = alice.post('/servers', {'server': {
        'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1',
        'networks': [{'port': port['id']}]}})
    assert response.status_int == 409 and 'in use' in response.json['conflictingRequest'][
        'message']
    response = bob.post('/servers', {'server': {
        'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1',
        'networks': [{'port': ports_api.PortAPI().create(cloud.ctx, network.uuid)['id']}]}})
    assert response.status_int == 400
    response = alice.post('/servers', {'server': {
        'name': 'x', 'imageRef': cloud.image['id'], 'flavorRef': '1', 'min_count': 2,
        'networks': [{'port': ports_api.PortAPI().create(cloud.ctx, network.uuid)['id']}]}})
    assert response.status_int == 400


def test_attach_and_detach_interfaces(alice, bob, boot, cloud, network):
    [uuid] = boot()
    [first] = alice.get('/servers/%s/os-interface' % uuid).json['interfaceAttachments']
    assert first['port_state'] == 'ACTIVE'
    assert alice.get('/servers/%s/os-interface/%s' % (uuid, first['port_id'])).json == {
        'interfaceAttachment': first}
    # a port made beforehand
    port = ports_api.PortAPI().create(cloud.ctx, network.uuid)
    response = alice.post('/servers/%s/os-interface' % uuid,
                          {'interfaceAttachment': {'port_id': port['id']}})
    assert response.status_int == 200, response.body
    attached = response.json['interfaceAttachment']
    assert attached['port_id'] == port['id'] and attached['net_id'] == network.uuid
    # a network, with the fixed IP asked for
    response = alice.post('/servers/%s/os-interface' % uuid, {'interfaceAttachment': {
        'net_id': network.uuid, 'fixed_ips': [{'ip_address': '10.8.0.99'}]}})
    assert response.status_int == 200, response.body
    by_ip = response.json['interfaceAttachment']
    assert by_ip['fixed_ips'][0]['ip_address'] == '10.8.0.99'
    listed = alice.get('/servers/%s/os-interface' % uuid).json['interfaceAttachments']
    assert [i['port_id'] for i in listed] == [first['port_id'], port['id'], by_ip['port_id']]
    assert _guest_vifs(cloud, uuid) == sorted(i['port_id'] for i in listed)
    actions = [a['action'] for a in alice.get('/servers/%s/os-instance-actions' % uuid).json[
        'instanceActions']]
    assert actions.count('attach_interface') == 2

    for body, status in (({'port_id': port['id']}, 409),  # bound now
                         ({'net_id': network.uuid, 'fixed_ips': [{'ip_address': '10.8.0.99'}]},
                          409),
                         ({'port_id': port['id'], 'net_id': network.uuid}, 400),
                         ({'fixed_ips': [{'ip_address': '10.8.0.98'}]}, 400),
                         ({'net_id': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}, 404),
                         ({'port_id': 'b3d4b1d0-0d6c-4a6e-9a4c-2f5b0cbb7a11'}, 404)):
        response = alice.post('/servers/%s/os-interface' % uuid, {'interfaceAttachment': body})
        assert response.status_int == status, (body, response.body)
    assert bob.get('/servers/%s/os-interface' % uuid).status_int == 404

    # detach: the port made beforehand stays (unbound), the others go
    assert alice.delete('/servers/%s/os-interface/%s' % (uuid, port['id'])).status_int == 202
    assert alice.delete('/servers/%s/os-interface/%s' % (uuid, by_ip['port_id'])
                        ).status_int == 202
    assert alice.delete('/servers/%s/os-interface/%s' % (uuid, by_ip['port_id'])
                        ).status_int == 404
    assert ports_api.PortAPI().get(cloud.ctx, port['id'])['bound'] is False
    assert _guest_vifs(cloud, uuid) == [first['port_id']]
    assert [i['port_id'] for i in alice.get('/servers/%s/os-interface' % uuid).json[
        'interfaceAttachments']] == [first['port_id']]
    # the address detached is free again
    response = alice.post('/servers/%s/os-interface' % uuid, {'interfaceAttachment': {
        'net_id': network.uuid, 'fixed_ips': [{'ip_address': '10.8.0.99'}]}})
    assert response.status_int == 200


def test_interfaces_of_a_server_in_the_wrong_state_or_without_the_capability(
        alice, boot, cloud, network):
    [uuid] = boot()
    assert alice.action(uuid, 'suspend').status_int == 202
    cloud.wait([uuid], vm_states.SUSPENDED)
    response = alice.post('/servers/%s/os-interface' % uuid,
                          {'interfaceAttachment': {'net_id': network.uuid}})
    assert response.status_int == 409
    assert len(alice.get('/servers/%s/os-interface' % uuid).json['interfaceAttachments']) == 1
