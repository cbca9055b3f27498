"""The network API (:9696) through unmodified clients, as a project member: `openstack
network list/show`, `subnet list`, `port list --server`, `security group create`
and `rule create` (the same group in EC2), `floating ip create POOL`, `server add
floating ip`, `server create --network NAME --wait` (addresses when ACTIVE),
`server add port / remove port`, and openstacksdk's
`create_server(wait=True, auto_ip=True)`.

Each `openstack` run costs seconds of interpreter start on a loaded machine, so
the CLI runs only the commands under test; setup and checks go through an
in-process openstacksdk connection of the same member."""
import json
import uuid

import openstack
import pytest

POOL = 'ext-%s' % uuid.uuid4().hex[:6]


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def member(cloud):
    """A member of a project of its own, with EC2 keys; a floating IP pool exists."""
    cloud.manage('floating', 'create', '198.51.100.0/28', '--pool', POOL)
    return cloud.new_member('neutron')


@pytest.fixture(scope='module')
def conn(member):
    """openstacksdk as the member, in this process."""
    return openstack.connect(auth_url=member['OS_AUTH_URL'], username=member['OS_USERNAME'],
                             password=member['OS_PASSWORD'],
                             project_name=member['OS_PROJECT_NAME'],
                             user_domain_name='Default', project_domain_name='Default',
                             region_name=member['OS_REGION_NAME'])


def _os(cloud, env, *argv):
    result = cloud.run('openstack', *argv, '-f', 'json', env=env)
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_networks_subnets_and_the_catalog(cloud, member, conn):
    # `network list` finds the endpoint by the catalog's type `network`
    networks = {n['Name']: n for n in _os(cloud, member, 'network', 'list')}
    assert {'private', POOL} <= set(networks)
    shown = _os(cloud, member, 'network', 'show', 'private')
    assert shown['shared'] is True and shown['router:external'] is False
    subnets = {s['Network']: s for s in _os(cloud, member, 'subnet', 'list')}
    assert subnets[shown['id']]['Subnet'] == '10.0.0.0/22'
    assert POOL in [n.name for n in conn.network.networks(is_router_external=True)]
    # a network of the member's own, then its subnet
    net = conn.network.create_network(name=_name('net'))
    subnet = conn.network.create_subnet(network_id=net.id, ip_version=4,
                                        cidr='10.66.%d.0/24' % (uuid.uuid4().int % 200))
    assert subnet.gateway_ip.endswith('.1')
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(net)
    assert net.id not in [n.id for n in conn.network.networks()]


def test_security_groups_are_the_same_everywhere(cloud, member, conn):
    group = _name('sg')
    created = _os(cloud, member, 'security', 'group', 'create', group)
    rule = _os(cloud, member, 'security', 'group', 'rule', 'create', '--protocol', 'tcp',
               '--dst-port', '22', group)
    assert (rule['port_range_min'], rule['port_range_max'], rule['protocol']) == (22, 22, 'tcp')
    ingress = [r for r in conn.network.security_group_rules(security_group_id=created['id'])
               if r.direction == 'ingress']
    assert [(r.protocol, r.port_range_min, r.port_range_max) for r in ingress] \
        == [('tcp', 22, 22)]
    described = json.loads(cloud.run(
        'aws', '--endpoint-url', cloud.novarc()['EC2_URL'], '--output', 'json', 'ec2',
        'describe-security-groups', '--group-names', group, env=member).stdout)
    [ec2_group] = described['SecurityGroups']
    assert [(p['IpProtocol'], p['FromPort'], p['ToPort']) for p in ec2_group['IpPermissions']] \
        == [('tcp', 22, 22)]
    with pytest.raises(openstack.exceptions.BadRequestException, match='port'):
        conn.network.create_security_group_rule(
            security_group_id=created['id'], direction='ingress', ethertype='IPv4',
            protocol='tcp', port_range_min=30, port_range_max=20)
    cloud.run('openstack', 'security', 'group', 'delete', created['id'], env=member)
    assert group not in [g.name for g in conn.network.security_groups()]


def test_server_with_network_floating_ip_and_ports(cloud, member, conn):
    name = _name('vm')
    server = _os(cloud, member, 'server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny',
                 '--network', 'private', '--wait', name)
    assert server['status'] == 'ACTIVE'
    [fixed] = server['addresses']['private']
    ports = _os(cloud, member, 'port', 'list', '--server', name)
    assert [p['Fixed IP Addresses'][0]['ip_address'] for p in ports] == [fixed]
    floating = _os(cloud, member, 'floating', 'ip', 'create', POOL)
    address = floating['floating_ip_address']
    cloud.run('openstack', 'server', 'add', 'floating', 'ip', name, address, env=member)
    addresses = conn.compute.get_server(server['id']).addresses['private']
    assert [a['addr'] for a in addresses] == [fixed, address]
    assert conn.network.get_ip(floating['id']).port_id == ports[0]['ID']
    conn.network.update_ip(floating['id'], port_id=None)
    conn.network.delete_ip(floating['id'])

    port = conn.network.create_port(network_id=server_network(conn), name=_name('port'))
    cloud.run('openstack', 'server', 'add', 'port', name, port.id, env=member)
    attached = conn.network.ports(device_id=server['id'])
    assert sorted(p.id for p in attached) == sorted([ports[0]['ID'], port.id])
    cloud.run('openstack', 'server', 'remove', 'port', name, port.id, env=member)
    assert conn.network.get_port(port.id).device_id == ''
    conn.network.delete_port(port)
    conn.compute.delete_server(server['id'])
    conn.compute.wait_for_delete(conn.compute.get_server(server['id']), wait=60)


def server_network(conn):
    return conn.network.find_network('private', ignore_missing=False).id


def test_openstacksdk_create_server_with_auto_ip(conn):
    server = conn.create_server(_name('sdk'), image='cirros', flavor='m1.tiny', wait=True,
                                auto_ip=True, timeout=120)
    try:
        floating = [a['addr'] for addresses in server.addresses.values() for a in addresses
                    if a['OS-EXT-IPS:type'] == 'floating']
        assert len(floating) == 1 and floating[0].startswith('198.51.100.')
        expanded = conn.get_server(server.id)  # what the cloud layer says of it
        assert expanded.public_v4 == floating[0] and expanded.private_v4.startswith('10.0.')
        [ip] = [f for f in conn.network.ips() if f.floating_ip_address == floating[0]]
        assert ip.fixed_ip_address == expanded.private_v4
    finally:
        conn.delete_server(server.id, wait=True, delete_ips=True, timeout=120)
    assert [f for f in conn.network.ips() if f.floating_ip_address == floating[0]] == []
