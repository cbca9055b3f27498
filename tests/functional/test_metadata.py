"""The metadata service (its paste pipeline) in front of an in-process cloud: two
instances, each told only about itself, found by source address or by a
proxy's signed X-Instance-ID."""
import base64
import json

import pytest
import webob

from nova import context as nova_context
from nova import wsgi
from nova.api.metadata import lookup, tokens
from nova.compute import keypairs
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.virt import fake
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.virt.test_configdrive import read_iso

PUBLIC_KEY = ('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5'
              'aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+'
              '2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== meta@test')
SECRET = 'proxy-shared-secret'


@pytest.fixture
def network(cloud):  # noqa: F811 -- the imported fixture
    cloud.start('nova-network', 'nethost')
    return network_api.API().create_network(cloud.admin, '10.0.0.0/24', label='private')


@pytest.fixture
def two(cloud, network):  # noqa: F811 -- the imported fixture
    """Instances 'a' (key, user data, 10.0.0.11) and 'b' (none, 10.0.0.12), active."""
    keypairs.import_key_pair(cloud.ctx, 'alice', 'meta-key', PUBLIC_KEY)
    a, = cloud.boot(key_name='meta-key',
                    requested_networks=[{'uuid': network.uuid, 'fixed_ip': '10.0.0.11'}],
                    user_data=base64.b64encode(b'#!/bin/sh\necho a\n').decode(),
                    metadata={'role': 'web'})
    b, = cloud.boot(requested_networks=[{'uuid': network.uuid, 'fixed_ip': '10.0.0.12'}])
    cloud.wait([a.uuid, b.uuid], vm_states.ACTIVE)
    return {'a': db.instance_get_by_uuid(cloud.admin, a.uuid),
            'b': db.instance_get_by_uuid(cloud.admin, b.uuid)}


@pytest.fixture
def get():
    app = wsgi.Loader().load_app('metadata')

    def _get(path, address='10.0.0.99', headers=None, method='GET'):
        req = webob.Request.blank(path, method=method, remote_addr=address)
        req.headers.update(headers or {})
        return req.get_response(app)
    return _get


def _text(response):
    assert response.status_int == 200, response.body
    return response.body.decode()


def test_versions_are_listed_without_an_instance(get):
    listing = _text(get('/')).split('\n')
    assert listing[0] == '1.0' and listing[-1] == 'latest' and '2009-04-04' in listing
    assert 'latest' in _text(get('/openstack')).split('\n')


def test_each_instance_sees_its_own_ec2_metadata(get, two):
    a, b = two['a'], two['b']
    for instance, address in ((a, '10.0.0.11'), (b, '10.0.0.12')):
        meta = '/latest/meta-data/'
        instance_id = _text(get(meta + 'instance-id', address))
        assert instance_id.startswith('i-')
        assert _text(get(meta + 'local-ipv4', address)) == address
        assert _text(get(meta + 'reservation-id', address)) == instance.reservation_id
        assert _text(get(meta + 'hostname', address)) == instance.hostname
        assert _text(get(meta + 'instance-type', address)) == 'm1.tiny'
        assert _text(get(meta + 'ami-id', address)).startswith('ami-')
        assert _text(get(meta + 'ami-launch-index', address)) == '0'
        assert _text(get(meta + 'placement/availability-zone', address)) == 'nova'
        assert _text(get(meta + 'security-groups', address)) == 'default'
    ids = {_text(get('/latest/meta-data/instance-id', addr)) for addr in ('10.0.0.11',
                                                                        '10.0.0.12')}
    assert len(ids) == 2
    listing = _text(get('/latest/meta-data/', '10.0.0.11')).split('\n')
    assert {'instance-id', 'placement/', 'public-keys/', 'ami-id'} <= set(listing)
    assert 'public-keys/' not in _text(get('/latest/meta-data/', '10.0.0.12')).split('\n')


def test_public_keys_and_user_data(get, two):
    assert _text(get('/latest/meta-data/public-keys/', '10.0.0.11')) == '0=meta-key'
    assert _text(get('/latest/meta-data/public-keys/0/openssh-key', '10.0.0.11')) \
        == PUBLIC_KEY
    assert get('/latest/meta-data/public-keys/', '10.0.0.12').status_int == 404
    assert get('/latest/user-data', '10.0.0.11').body == b'#!/bin/sh\necho a\n'
    assert get('/latest/user-data', '10.0.0.12').status_int == 404
    assert _text(get('/2009-04-04/', '10.0.0.11')).split('\n') == ['dynamic/', 'meta-data/',
                                                                    'user-data']
    assert get('/latest/meta-data/no-such-thing', '10.0.0.11').status_int == 404


def test_identity_document(get, two):
    a = two['a']
    assert _text(get('/latest/dynamic/', '10.0.0.11')) == 'instance-identity/'
    assert _text(get('/latest/dynamic/instance-identity/', '10.0.0.11')) == 'document'
    document = json.loads(_text(get('/latest/dynamic/instance-identity/document',
                                    '10.0.0.11')))
    assert document['instanceId'] == _text(get('/latest/meta-data/instance-id', '10.0.0.11'))
    assert (document['region'], document['availabilityZone'], document['accountId']) == (
        CONF.region_name, 'nova', a.project_id)
    assert document['instanceType'] == 'm1.tiny' and document['privateIp'] == '10.0.0.11'
    assert get('/latest/dynamic/nothing', '10.0.0.11').status_int == 404


def test_openstack_metadata(get, two):
    a, b = two['a'], two['b']
    meta = json.loads(_text(get('/openstack/latest/meta_data.json', '10.0.0.11')))
    assert meta['uuid'] == a.uuid and meta['hostname'] == a.hostname
    assert meta['public_keys'] == {'meta-key': PUBLIC_KEY}
    assert meta['meta'] == {'role': 'web'} and meta['availability_zone'] == 'nova'
    assert meta['project_id'] == 'proj-a'
    other = json.loads(_text(get('/openstack/2012-08-10/meta_data.json', '10.0.0.12')))
    assert other['uuid'] == b.uuid and other['public_keys'] == {}
    assert get('/openstack/latest/user_data', '10.0.0.11').body == b'#!/bin/sh\necho a\n'
    assert get('/openstack/latest/user_data', '10.0.0.12').status_int == 404
    assert json.loads(_text(get('/openstack/latest/vendor_data.json', '10.0.0.12'))) == {}


def test_unknown_address_and_methods(get, two):
    assert get('/latest/meta-data/instance-id', '10.9.9.9').status_int == 404
    assert get('/latest/meta-data/instance-id', '10.0.0.11',
               method='POST').status_int == 405


def test_a_deleted_instance_is_not_found(cloud, get, two):  # noqa: F811
    cloud.api.delete(cloud.ctx, two['b'])
    cloud.wait_gone([two['b'].uuid])
    assert get('/latest/meta-data/instance-id', '10.0.0.12').status_int == 404


def _proxied(instance_uuid, secret=SECRET, **extra):
    return dict({'X-Instance-ID': instance_uuid,
                 'X-Instance-ID-Signature': lookup.sign_instance_id(instance_uuid, secret),
                 'X-Forwarded-For': '10.0.0.11'}, **extra)


def test_proxy_signed_instance_id(get, two):
    CONF.set_override('service_metadata_proxy', True)
    CONF.set_override('metadata_proxy_shared_secret', SECRET)
    a, b = two['a'], two['b']
    admin = nova_context.get_admin_context()
    for instance in (a, b):
        found = _text(get('/latest/meta-data/instance-id', '127.0.0.1',
                          _proxied(instance.uuid)))
        assert db.ec2_id_get_uuid(admin, 'i', int(found[2:], 16)) == instance.uuid
        meta = json.loads(_text(get('/openstack/latest/meta_data.json', '127.0.0.1',
                                    _proxied(instance.uuid))))
        assert meta['uuid'] == instance.uuid
    # naming another instance without the secret gets nothing
    forged = _proxied(b.uuid, secret='guess')
    assert get('/latest/meta-data/instance-id', '127.0.0.1', forged).status_int == 403
    unsigned = {'X-Instance-ID': b.uuid}
    assert get('/latest/meta-data/instance-id', '127.0.0.1', unsigned).status_int == 403
    wrong_tenant = _proxied(b.uuid, **{'X-Tenant-ID': 'proj-other'})
    assert get('/latest/meta-data/instance-id', '127.0.0.1', wrong_tenant).status_int == 403
    # a signed id of an instance that does not exist
    assert get('/latest/meta-data/instance-id', '127.0.0.1',
               _proxied('00000000-0000-0000-0000-000000000000')).status_int == 404


def test_proxy_headers_are_ignored_unless_enabled(get, two):
    CONF.set_override('metadata_proxy_shared_secret', SECRET)
    a, b = two['a'], two['b']
    answer = _text(get('/openstack/latest/meta_data.json', '10.0.0.11', _proxied(b.uuid)))
    assert json.loads(answer)['uuid'] == a.uuid


def test_proxy_without_a_secret_refuses_everything(get, two):
    CONF.set_override('service_metadata_proxy', True)
    assert get('/latest/meta-data/instance-id', '127.0.0.1',
               _proxied(two['a'].uuid, secret='')).status_int == 403


def _token(get, address, ttl='60', headers=None):
    return get('/latest/api/token', address, method='PUT',
               headers=dict({tokens.TTL_HEADER: ttl}, **(headers or {})))


def test_imdsv2_tokens(get, two):
    reply = _token(get, '10.0.0.11')
    assert reply.status_int == 200 and reply.headers[tokens.TTL_HEADER] == '60'
    token = reply.body.decode()
    with_token = {tokens.TOKEN_HEADER: token}
    assert _text(get('/latest/meta-data/local-ipv4', '10.0.0.11', with_token)) == '10.0.0.11'
    assert get('/openstack/latest/meta_data.json', '10.0.0.11', with_token).status_int == 200
    # a's token is no good to b, nor a forged or garbled one
    assert get('/latest/meta-data/local-ipv4', '10.0.0.12', with_token).status_int == 401
    forged = tokens.make_token(two['b'].uuid, 60).encode()
    assert get('/latest/meta-data/local-ipv4', '10.0.0.12',
               {tokens.TOKEN_HEADER: forged.decode()}).status_int == 200  # same key: valid
    CONF.set_override('metadata_token_secret', 'another key')
    assert get('/latest/meta-data/local-ipv4', '10.0.0.12',
               {tokens.TOKEN_HEADER: forged.decode()}).status_int == 401
    assert get('/latest/meta-data/local-ipv4', '10.0.0.11',
               {tokens.TOKEN_HEADER: 'garbage'}).status_int == 401
    expired = tokens.make_token(two['a'].uuid, 1, now=1000)
    assert get('/latest/meta-data/local-ipv4', '10.0.0.11',
               {tokens.TOKEN_HEADER: expired}).status_int == 401
    # IMDSv1 still answers
    assert _text(get('/latest/meta-data/local-ipv4', '10.0.0.11')) == '10.0.0.11'


def test_imdsv2_token_requests_that_are_refused(get, two):
    assert _token(get, '10.0.0.11', ttl='0').status_int == 400
    assert _token(get, '10.0.0.11', ttl='21601').status_int == 400
    assert _token(get, '10.0.0.11', ttl='soon').status_int == 400
    assert get('/latest/api/token', '10.0.0.11', method='PUT').status_int == 400
    assert _token(get, '10.0.0.11', headers={'X-Forwarded-For': '1.2.3.4'}).status_int == 403
    assert _token(get, '10.9.9.9').status_int == 404
    assert get('/latest/meta-data/', '10.0.0.11', method='PUT').status_int == 405


def test_the_guest_posts_its_password_once(get, two, cloud):  # noqa: F811
    app = wsgi.Loader().load_app('metadata')

    def post(body, address='10.0.0.11'):
        req = webob.Request.blank('/openstack/latest/password', method='POST',
                                  remote_addr=address, body=body)
        return req.get_response(app)

    assert 'password' in _text(get('/openstack/latest', address='10.0.0.11')).split('\n')
    assert _text(get('/openstack/latest/password', address='10.0.0.11')) == ''
    assert post(b'encrypted-by-the-guest').status_int == 200
    assert _text(get('/openstack/latest/password', address='10.0.0.11')) == (
        'encrypted-by-the-guest')
    assert post(b'again').status_int == 409  # once, until an administrator clears it
    assert post(b'x' * 257).status_int == 400
    assert _text(get('/openstack/latest/password', address='10.0.0.12')) == ''  # b's own
    instance = db.instance_get_by_uuid(cloud.admin, two['a'].uuid)
    assert cloud.api.get_password(instance) == 'encrypted-by-the-guest'  # os-server-password


def test_user_set_access_addresses_never_find_an_instance(cloud, get, network):  # noqa: F811
    """Issue 16: a member who sets another instance's address as their own server's
    accessIPv4 must not take over (or hide) that instance's metadata."""
    victim, = cloud.boot(requested_networks=[{'uuid': network.uuid,
                                              'fixed_ip': '10.0.0.21'}])
    squatter, = cloud.boot(access_ip_v4='10.0.0.21', requested_networks='none')
    unaddressed, = cloud.boot(access_ip_v4='10.0.0.99', requested_networks='none')
    cloud.wait([victim.uuid, squatter.uuid, unaddressed.uuid], vm_states.ACTIVE)
    meta = json.loads(_text(get('/openstack/latest/meta_data.json', '10.0.0.21')))
    assert meta['uuid'] == victim.uuid
    assert get('/latest/meta-data/instance-id', '10.0.0.99').status_int == 404


def test_addresses_and_network_data(cloud, get, two, network):  # noqa: F811
    api = network_api.API()
    assert _text(get('/latest/meta-data/public-ipv4', '10.0.0.11')) == ''
    api.create_floating_ips(cloud.admin, '172.24.4.7')
    floating = api.allocate_floating_ip(cloud.ctx)
    api.associate_floating_ip(cloud.ctx, two['a'], floating['address'])
    assert _text(get('/latest/meta-data/public-ipv4', '10.0.0.11')) == '172.24.4.7'
    assert _text(get('/latest/meta-data/local-ipv4', '10.0.0.11')) == '10.0.0.11'
    # the floating address is no way in: only the fixed IP the cloud gave
    assert get('/latest/meta-data/instance-id', '172.24.4.7').status_int == 404
    assert 'network_data.json' in _text(get('/openstack/latest/', '10.0.0.11')).split('\n')
    assert 'network_data.json' not in _text(get('/openstack/2013-10-17/',
                                                '10.0.0.11')).split('\n')
    assert get('/openstack/2013-10-17/network_data.json', '10.0.0.11').status_int == 404
    data = json.loads(_text(get('/openstack/latest/network_data.json', '10.0.0.11')))
    [vif] = api.get_instance_nw_info(cloud.admin, two['a'])
    assert data['links'] == [{'id': vif['devname'], 'vif_id': vif['id'], 'type': 'bridge',
                              'mtu': None, 'ethernet_mac_address': vif['address']}]
    assert data['networks'] == [{
        'id': 'network0', 'type': 'ipv4', 'link': vif['devname'], 'network_id': network.uuid,
        'ip_address': '10.0.0.11', 'netmask': '255.255.255.0',
        'routes': [{'network': '0.0.0.0', 'netmask': '0.0.0.0', 'gateway': '10.0.0.1'}],
        'services': [{'type': 'dns', 'address': '8.8.4.4'}]}]
    assert data['services'] == [{'type': 'dns', 'address': '8.8.4.4'}]


def test_forwarded_for_only_when_the_cloud_says_so(get, two):
    forwarded = {'X-Forwarded-For': '10.9.9.9, 10.0.0.12'}
    assert get('/latest/meta-data/local-ipv4', '10.0.0.11', forwarded).body == b'10.0.0.11'
    assert get('/latest/meta-data/local-ipv4', '127.0.0.1', forwarded).status_int == 404
    CONF.set_override('use_forwarded_for', True)
    assert get('/latest/meta-data/local-ipv4', '127.0.0.1', forwarded).body == b'10.0.0.12'
    assert get('/latest/meta-data/local-ipv4', '127.0.0.1', {
        'X-Forwarded-For': '10.0.0.12, 10.9.9.9'}).status_int == 404


def test_a_config_drive_carries_what_the_service_answers(cloud, get, network):  # noqa: F811
    """The drive is written at spawn from the build's own network_info; the service asks
    nova-network later: both must tell the guest the same."""
    instance, = cloud.boot(requested_networks=[{'uuid': network.uuid,
                                                'fixed_ip': '10.0.0.13'}],
                           user_data=base64.b64encode(b'drive').decode(), config_drive=True)
    [row] = cloud.wait([instance.uuid], vm_states.ACTIVE)
    _, files = read_iso(fake._host(row.host).guests[row.uuid].config_drive)
    for name in ('network_data.json', 'vendor_data.json'):
        assert json.loads(files['openstack/latest/' + name]) == json.loads(
            _text(get('/openstack/latest/' + name, '10.0.0.13')))
    served = json.loads(_text(get('/openstack/latest/meta_data.json', '10.0.0.13')))
    assert json.loads(files['openstack/latest/meta_data.json']) == served
    assert files['openstack/latest/user_data'] == b'drive'
    ec2 = json.loads(files['ec2/latest/meta-data.json'])
    assert ec2['local-ipv4'] == '10.0.0.13'
    assert ec2['instance-id'] == _text(get('/latest/meta-data/instance-id', '10.0.0.13'))
