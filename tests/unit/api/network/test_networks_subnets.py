"""/v2.0/networks and /v2.0/subnets: nova-network's networks as Neutron shows them,
networks made without a subnet until one is made, floating IP pools as external
networks; filters, fields, sorting, pagination, errors, policy, quota."""
import json

import webob

from nova.api.openstack import network as network_app
from nova.compute import vm_states
from nova.conf import CONF
from nova.network import ids


def _names(response, key='networks'):
    return sorted(n['name'] for n in response.data[key])


def test_members_see_their_own_shared_and_external_networks(alice, bob, admin, network):
    listed = alice.get('/networks').data['networks']
    by_name = {n['name']: n for n in listed}
    assert set(by_name) == {'private', 'public'}
    private, public = by_name['private'], by_name['public']
    assert private['id'] == network.uuid and private['shared'] is True
    assert private['router:external'] is False and public['router:external'] is True
    assert private['subnets'] == [ids.subnet_id(network.uuid, 4)]
    assert public['id'] == ids.pool_network_id('public')
    assert 'provider:network_type' not in private  # administrators only
    shown = admin.get('/networks/' + network.uuid).data['network']
    assert (shown['provider:network_type'], shown['provider:segmentation_id']) == ('flat', None)
    mine = alice.post('/networks', {'network': {'name': 'mine', 'description': 'd'}})
    assert mine.status_int == 201
    mine = mine.data['network']
    assert (mine['project_id'], mine['subnets'], mine['revision_number']) == ('proj-a', [], 0)
    assert _names(alice.get('/networks')) == ['mine', 'private', 'public']
    assert _names(bob.get('/networks')) == ['private', 'public']
    response = bob.get('/networks/' + mine['id'])
    assert response.status_int == 404
    assert response.data == {'NeutronError': {
        'type': 'NetworkNotFound', 'message': 'Network %s could not be found.' % mine['id'],
        'detail': ''}}
    assert bob.delete('/networks/' + mine['id']).status_int == 404
    assert bob.put('/networks/' + mine['id'], {'network': {'name': 'x'}}).status_int == 404
    assert _names(admin.get('/networks')) == ['mine', 'private', 'public']


def test_list_filters_fields_sorting_and_pages(alice, network):
    for name in ('c', 'a', 'b'):
        assert alice.post('/networks', {'network': {'name': name}}).status_int == 201
    assert _names(alice.get('/networks?name=a&name=b')) == ['a', 'b']
    assert _names(alice.get('/networks?router:external=true')) == ['public']
    assert _names(alice.get('/networks?router:external=False&shared=false')) == ['a', 'b', 'c']
    assert alice.get('/networks?fields=id&fields=name&name=a').data['networks'][0].keys() \
        == {'id', 'name'}
    ordered = alice.get('/networks?sort_key=name&sort_dir=desc').data['networks']
    assert [n['name'] for n in ordered] == ['public', 'private', 'c', 'b', 'a']
    first = alice.get('/networks?sort_key=name&sort_dir=asc&limit=2').data
    assert [n['name'] for n in first['networks']] == ['a', 'b']
    [link] = first['networks_links']
    assert link['rel'] == 'next' and 'marker=%s' % first['networks'][1]['id'] in link['href']
    second = alice.get('/networks?sort_key=name&sort_dir=asc&limit=2&marker=%s'
                       % first['networks'][1]['id']).data
    assert [n['name'] for n in second['networks']] == ['c', 'private']
    assert {link['rel'] for link in second['networks_links']} == {'next', 'previous'}
    response = alice.get('/networks?colour=red')
    assert response.status_int == 400 and response.data['NeutronError']['type'] == \
        'HTTPBadRequest'
    assert alice.get('/networks?sort_key=nope').status_int == 400
    assert alice.get('/networks?limit=-1').status_int == 400
    assert alice.get('/networks?marker=no-such-id').status_int == 404


def test_a_subnet_gives_a_network_its_addresses(alice, bob, cloud, network):
    net = alice.post('/networks', {'network': {'name': 'lab'}}).data['network']
    body = {'subnet': {'network_id': net['id'], 'cidr': '10.20.0.0/28', 'ip_version': 4,
                       'name': 'lab-v4', 'gateway_ip': '10.20.0.14',
                       'dns_nameservers': ['10.20.0.2'],
                       'allocation_pools': [{'start': '10.20.0.4', 'end': '10.20.0.13'}]}}
    response = alice.post('/subnets', body)
    assert response.status_int == 400  # the pool runs to the end of the subnet here
    assert '10.20.0.14' in response.data['NeutronError']['message']
    body['subnet'].update(gateway_ip='10.20.0.1',
                          allocation_pools=[{'start': '10.20.0.4', 'end': '10.20.0.14'}])
    response = alice.post('/subnets', body)
    assert response.status_int == 201, response.data
    subnet = response.data['subnet']
    assert subnet['id'] == ids.subnet_id(net['id'], 4) and subnet['name'] == 'lab-v4'
    assert subnet['allocation_pools'] == [{'start': '10.20.0.4', 'end': '10.20.0.14'}]
    assert (subnet['gateway_ip'], subnet['dns_nameservers']) == ('10.20.0.1', ['10.20.0.2'])
    shown = alice.get('/networks/' + net['id']).data['network']
    assert shown['subnets'] == [subnet['id']] and shown['name'] == 'lab'
    assert alice.get('/subnets/' + subnet['id']).data['subnet'] == subnet
    assert bob.get('/subnets/' + subnet['id']).status_int == 404
    # nova-network allocates from it: ports get its addresses from the pool's start
    port = alice.post('/ports', {'port': {'network_id': net['id']}}).data['port']
    assert port['fixed_ips'] == [{'subnet_id': subnet['id'], 'ip_address': '10.20.0.4'}]
    # one IPv4 subnet per network; overlapping ranges and bad CIDRs are refused
    again = alice.post('/subnets', {'subnet': {'network_id': net['id'],
                                               'cidr': '10.21.0.0/28', 'ip_version': 4}})
    assert again.status_int == 400 and 'already has its IPv4 subnet' in str(again.data)
    other = alice.post('/networks', {'network': {'name': 'other'}}).data['network']
    for cidr, words in (('10.20.0.0/24', 'conflicts with existing cidr'),
                        ('10.300.0.0/24', 'not a valid CIDR')):
        response = alice.post('/subnets', {'subnet': {'network_id': other['id'],
                                                      'cidr': cidr, 'ip_version': 4}})
        assert response.status_int == 400 and words in str(response.data), response.data
    response = alice.post('/subnets', {'subnet': {'network_id': other['id'],
                                                  'cidr': 'fd00::/64', 'ip_version': 6}})
    assert response.status_int == 400
    assert bob.post('/subnets', {'subnet': {'network_id': other['id'], 'cidr': '10.22.0.0/24',
                                            'ip_version': 4}}).status_int == 404
    # a subnet in use stays; without its port it goes and the network has no addresses
    response = alice.delete('/subnets/' + subnet['id'])
    assert response.status_int == 409 and response.data['NeutronError']['type'] == 'SubnetInUse'
    assert alice.delete('/ports/' + port['id']).status_int == 204
    assert alice.delete('/subnets/' + subnet['id']).status_int == 204
    shown = alice.get('/networks/' + net['id']).data['network']
    assert shown['subnets'] == [] and shown['name'] == 'lab'
    assert alice.get('/subnets/' + subnet['id']).status_int == 404
    assert alice.delete('/networks/' + net['id']).status_int == 204
    assert alice.get('/networks/' + net['id']).status_int == 404


def test_updates_and_deletes(alice, admin, cloud, network):
    net = alice.post('/networks', {'network': {'name': 'n'}}).data['network']
    response = alice.put('/networks/' + net['id'], {'network': {'name': 'renamed',
                                                                'description': 'new'}})
    assert response.status_int == 200
    assert (response.data['network']['name'], response.data['network']['revision_number']) \
        == ('renamed', 1)
    assert alice.put('/networks/' + net['id'], {'network': {'shared': True}}).status_int == 400
    assert alice.put('/networks/' + network.uuid, {'network': {'name': 'x'}}).status_int == \
        403  # a shared network is the administrators'
    response = alice.delete('/networks/' + ids.pool_network_id('public'))
    assert response.status_int == 403  # the admins' (policy reads the pool's empty project)
    cloud.wait([i.uuid for i in cloud.boot(1)], vm_states.ACTIVE)
    response = admin.delete('/networks/' + network.uuid)
    assert response.status_int == 409 and response.data['NeutronError']['type'] == \
        'NetworkInUse'


def test_create_refusals_policy_and_quota(alice, reader, admin, network):
    for body, status in (({'name': 'x', 'shared': True}, 403),
                         ({'name': 'x', 'router:external': True}, 400),
                         ({'name': 'x', 'provider:network_type': 'vlan'}, 400),
                         ({'name': 'x', 'colour': 'red'}, 400),
                         ({'name': 'x', 'admin_state_up': False}, 400),
                         ({'name': 'x', 'mtu': 10}, 400)):
        response = alice.post('/networks', {'network': body})
        assert response.status_int == status, (body, response.data)
    assert alice.post('/networks', {'name': 'not wrapped'}).status_int == 400
    response = reader.post('/networks', {'network': {'name': 'x'}})
    assert response.status_int == 403
    assert response.data['NeutronError']['type'] == 'PolicyNotAuthorized'
    shared = admin.post('/networks', {'network': {'name': 'everyone', 'shared': True}})
    assert shared.status_int == 201 and shared.data['network']['shared'] is True
    CONF.set_override('quota_networks', 2)
    assert alice.post('/networks', {'network': {'name': 'one'}}).status_int == 201
    assert alice.post('/networks', {'network': {'name': 'two'}}).status_int == 201
    response = alice.post('/networks', {'network': {'name': 'three'}})
    assert response.status_int == 409
    assert response.data['NeutronError'] == {
        'type': 'OverQuota', 'message': "Quota exceeded for resources: ['network'].",
        'detail': ''}


def test_version_documents_and_extensions(alice):
    versions = network_app.Versions()
    root = webob.Request.blank('/', base_url='http://localhost:9696').get_response(versions)
    assert [v['id'] for v in json.loads(root.body)['versions']] == ['v2.0']
    req = webob.Request.blank('/v2.0', base_url='http://localhost:9696')
    req.script_name, req.path_info = '/v2.0', ''
    resources = json.loads(req.get_response(versions).body)['resources']
    assert {r['collection'] for r in resources} >= {'networks', 'ports', 'floatingips'}
    aliases = {e['alias'] for e in alice.get('/extensions').data['extensions']}
    assert {'security-group', 'external-net', 'quotas'} <= aliases
    assert 'router' not in aliases and 'port-security' not in aliases
    assert alice.get('/extensions/quotas').data['extension']['alias'] == 'quotas'
    assert alice.get('/extensions/router').status_int == 404
    assert alice.get('/no-such-thing').status_int == 404
    assert alice.request('PATCH', '/networks').status_int == 405
