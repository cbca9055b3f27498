"""/v2.0/ports and /v2.0/floatingips: a server's interfaces are its ports, a port made
here holds its address until a server is created or attached with it (and after
the server goes), floating IPs from a pool network are NATed to a port's
server; another project's resources are 404, a taken address 409, quota 409."""
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.network import ids


def _server(cloud, **kwargs):
    [instance] = cloud.boot(1, **kwargs)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    return db.instance_get_by_uuid(cloud.admin, instance.uuid)


def test_a_servers_interfaces_are_its_ports(alice, bob, admin, cloud, network):
    server = _server(cloud)
    [vif] = network_api.API().get_instance_nw_info(cloud.admin, server)
    [port] = alice.get('/ports?device_id=%s' % server.uuid).data['ports']
    assert port['id'] == vif['id'] and port['mac_address'] == vif['address']
    assert (port['device_owner'], port['status'], port['network_id']) == (
        'compute:nova', 'ACTIVE', network.uuid)
    address = vif['network']['subnets'][0]['ips'][0]['address']
    assert port['fixed_ips'] == [{'subnet_id': ids.subnet_id(network.uuid, 4),
                                  'ip_address': address}]
    default = [g for g in alice.get('/security-groups').data['security_groups']
               if g['name'] == 'default'][0]
    assert port['security_groups'] == [default['id']]
    assert 'binding:host_id' not in port
    assert admin.get('/ports/' + port['id']).data['port']['binding:host_id'] == server.host
    assert alice.get('/ports?fixed_ips=ip_address%%3D%s' % address).data['ports'] == [port]
    assert alice.get('/ports?fixed_ips=ip_address%3D10.99.0.1').data['ports'] == []
    assert bob.get('/ports').data['ports'] == []
    assert bob.get('/ports/' + port['id']).status_int == 404
    response = alice.delete('/ports/' + port['id'])
    assert response.status_int == 409 and response.data['NeutronError']['type'] == 'PortInUse'
    response = alice.put('/ports/' + port['id'], {'port': {'name': 'eth0'}})
    assert response.status_int == 200 and response.data['port']['name'] == 'eth0'


def test_a_port_made_here_is_bound_by_a_boot_and_outlives_its_server(alice, bob, cloud,
                                                                      network):
    response = alice.post('/ports', {'port': {'network_id': network.uuid, 'name': 'mine',
                                              'fixed_ips': [{'ip_address': '10.8.0.50'}]}})
    assert response.status_int == 201, response.data
    port = response.data['port']
    assert (port['status'], port['device_id'], port['fixed_ips'][0]['ip_address']) == (
        'DOWN', '', '10.8.0.50')
    taken = alice.post('/ports', {'port': {'network_id': network.uuid,
                                           'fixed_ips': [{'ip_address': '10.8.0.50'}]}})
    assert taken.status_int == 409 and taken.data['NeutronError']['type'] == 'IpAddressInUse'
    outside = alice.post('/ports', {'port': {'network_id': network.uuid,
                                             'fixed_ips': [{'ip_address': '10.9.0.50'}]}})
    assert outside.status_int == 400
    # allocation never hands out the port's address to another server
    others = [_server(cloud) for _ in range(2)]
    held = [network_api.API().get_instance_nw_info(cloud.admin, s)[0]['network']['subnets'][0]
            ['ips'][0]['address'] for s in others]
    assert '10.8.0.50' not in held
    server = _server(cloud, requested_networks=[{'uuid': None, 'port': port['id'],
                                                 'fixed_ip': None}])
    [vif] = network_api.API().get_instance_nw_info(cloud.admin, server)
    assert vif['id'] == port['id'] and vif['address'] == port['mac_address']
    bound = alice.get('/ports/' + port['id']).data['port']
    assert (bound['device_id'], bound['status']) == (server.uuid, 'ACTIVE')
    assert bob.post('/ports', {'port': {'network_id': network.uuid}}).status_int == 201
    # deleting the server leaves the port, unbound, with its address
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, server.uuid))
    cloud.wait_gone([server.uuid])
    unbound = alice.get('/ports/' + port['id']).data['port']
    assert (unbound['device_id'], unbound['status']) == ('', 'DOWN')
    assert unbound['fixed_ips'] == port['fixed_ips'] and unbound['name'] == 'mine'
    assert alice.delete('/ports/' + port['id']).status_int == 204
    assert alice.get('/ports/' + port['id']).status_int == 404
    assert db.fixed_ip_get_by_address(cloud.admin, '10.8.0.50').virtual_interface_id is None


def test_port_refusals(alice, bob, reader, network):
    for body, status in (({}, 400), ({'network_id': 'nope'}, 404),
                         ({'network_id': network.uuid, 'admin_state_up': False}, 400),
                         ({'network_id': network.uuid, 'device_owner': 'compute:nova'}, 400),
                         ({'network_id': network.uuid, 'fixed_ips': [{}, {}]}, 400),
                         ({'network_id': network.uuid, 'colour': 'red'}, 400),
                         ({'network_id': network.uuid,
                           'security_groups': ['no-such-group']}, 404)):
        response = alice.post('/ports', {'port': body})
        assert response.status_int == status, (body, response.data)
    assert reader.post('/ports', {'port': {'network_id': network.uuid}}).status_int == 403
    CONF.set_override('quota_ports', 1)
    assert alice.post('/ports', {'port': {'network_id': network.uuid}}).status_int == 201
    response = alice.post('/ports', {'port': {'network_id': network.uuid}})
    assert response.status_int == 409
    assert response.data['NeutronError']['message'] == "Quota exceeded for resources: ['port']."


def test_floating_ips_from_the_pool_network_to_a_port(alice, bob, admin, cloud, network):
    server = _server(cloud)
    [port] = alice.get('/ports?device_id=%s' % server.uuid).data['ports']
    pool = ids.pool_network_id('public')
    response = alice.post('/floatingips', {'floatingip': {'floating_network_id': pool,
                                                          'description': 'web'}})
    assert response.status_int == 201, response.data
    floating = response.data['floatingip']
    assert (floating['status'], floating['port_id'], floating['revision_number']) == (
        'DOWN', None, 0)
    assert floating['floating_ip_address'].startswith('172.24.4.')
    response = alice.put('/floatingips/' + floating['id'],
                         {'floatingip': {'port_id': port['id']}})
    assert response.status_int == 200, response.data
    associated = response.data['floatingip']
    assert (associated['port_id'], associated['status']) == (port['id'], 'ACTIVE')
    assert associated['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    shown = cloud.api.get(cloud.ctx, server.uuid)
    [vif] = network_api.API().get_instance_nw_info(cloud.admin, shown)
    assert vif['network']['subnets'][0]['ips'][0]['floating_ips'][0]['address'] == \
        floating['floating_ip_address']
    # the same address seen through the Compute API's proxy (by the same id)
    assert [f['uuid'] for f in network_api.API().get_floating_ips_by_project(cloud.ctx)] == [
        floating['id']]
    # a second one on the same port: the fixed IP has one
    second = alice.post('/floatingips', {'floatingip': {'floating_network_id': pool}}).data[
        'floatingip']
    response = alice.put('/floatingips/' + second['id'], {'floatingip': {'port_id': port['id']}})
    assert response.status_int == 409
    assert response.data['NeutronError']['type'] == 'FloatingIPPortAlreadyAssociated'
    # others cannot see, move or delete it
    assert bob.get('/floatingips').data['floatingips'] == []
    assert bob.get('/floatingips/' + floating['id']).status_int == 404
    assert bob.delete('/floatingips/' + floating['id']).status_int == 404
    theirs = bob.post('/floatingips', {'floatingip': {'floating_network_id': pool}}).data[
        'floatingip']
    assert bob.put('/floatingips/' + theirs['id'],
                   {'floatingip': {'port_id': port['id']}}).status_int == 404  # our port
    # port_id null disassociates; delete releases (an associated one too)
    response = alice.put('/floatingips/' + floating['id'], {'floatingip': {'port_id': None}})
    assert (response.data['floatingip']['port_id'], response.data['floatingip']['status']) == (
        None, 'DOWN')
    created = alice.post('/floatingips', {'floatingip': {
        'floating_network_id': pool, 'port_id': port['id']}}).data['floatingip']
    assert created['port_id'] == port['id']
    assert alice.delete('/floatingips/' + created['id']).status_int == 204
    assert alice.get('/floatingips/' + created['id']).status_int == 404
    assert {f['id'] for f in alice.get('/floatingips').data['floatingips']} == {
        floating['id'], second['id']}
    assert len(admin.get('/floatingips').data['floatingips']) == 3


def test_floating_ip_refusals_and_quota(alice, network):
    pool = ids.pool_network_id('public')
    for body, status in (({}, 400), ({'floating_network_id': 'nope'}, 404),
                         ({'floating_network_id': network.uuid}, 404),
                         ({'floating_network_id': pool, 'floating_ip_address': '172.24.4.9'},
                          400),
                         ({'floating_network_id': pool, 'port_id': 'no-such-port'}, 404)):
        response = alice.post('/floatingips', {'floatingip': body})
        assert response.status_int == status, (body, response.data)
    assert alice.get('/floatingips').data['floatingips'] == []  # the failed one was released
    CONF.set_override('quota_floating_ips', 1)
    assert alice.post('/floatingips', {'floatingip': {'floating_network_id': pool}}
                      ).status_int == 201
    response = alice.post('/floatingips', {'floatingip': {'floating_network_id': pool}})
    assert response.status_int == 409
    assert response.data['NeutronError']['type'] == 'OverQuota'
