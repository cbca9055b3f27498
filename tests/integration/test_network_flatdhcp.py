"""FlatDHCPManager on real Linux networking, simulated hosts as namespaces
(tests/harness/network_lab.py): guests get DHCP leases from dnsmasq on ctl
across a VXLAN flat segment, floating IPs NAT from an outside namespace,
security groups changed through the OpenStack and EC2 APIs filter running
instances, 169.254.169.254 reaches the metadata service, and nova-network
survives kill -9. The APIs are nova-api's, over HTTP, driven by keystoneauth
and boto3 in a project of each test's own.
"""
import json
import os
import signal
import sys

import pytest

from nova import context as nova_context
from nova.db import api as db
from nova.image import service as image_service
from nova.network import api as network_api
from tests.harness import netns
from tests.harness.network_lab import (CTL_PUBLIC, ECHO_SERVER, OUTSIDE, boot,
                                       boot_on_both_hosts, compute, curl, fixed_ip,
                                       guest_address, guest_ns, pings, project,
                                       running_cloud, wait_for)

CIDR = '10.77.0.0/24'
GATEWAY = '10.77.0.1'
FLOATING = '192.0.2.128/28'


# dnsmasq runs nova-dhcpbridge for one lease event at a time, and on a busy machine a
# run takes seconds: what the waits for the DB's lease and release allow for
LEASE_WAIT = 60


@pytest.fixture(scope='module')
def cloud(rabbitmq, tmp_path_factory):
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)
    flags = dict(network_manager='nova.network.manager.FlatDHCPManager',
                 flat_interface='vxflat',
                 firewall_driver='nova.network.firewall.IptablesFirewallDriver',
                 allow_same_net_traffic=False)  # only security group rules open anything

    def prepare(cloud, admin):
        cloud.network = network_api.API().create_network(admin, CIDR, label='private')
        network_api.API().create_floating_ips(admin, FLOATING, pool='public')

    with running_cloud(rabbitmq, str(tmp_path_factory.mktemp('flatdhcp')), flags, prepare,
                       flat_vxlan=True, front_ends=True) as cloud:
        wait_for(lambda: netns.run('ip', 'addr', 'show', 'br100', ns=cloud.hosts['ctl'],
                                   check=False).count(GATEWAY), 30, 'gateway on br100')
        yield cloud


@pytest.fixture
def tenant(cloud, request):
    """A project of the test's own (its security groups are its own)."""
    return project(cloud, 'p-' + request.node.name[-40:])


def group_id(tenant, name):
    groups = compute(tenant.os, 'GET', '/os-security-groups')['security_groups']
    return next(g['id'] for g in groups if g['name'] == name)


def allow(tenant, protocol, from_port, to_port, cidr=None, source_group=None, group='default'):
    """Add a rule to a group through the OpenStack API (os-security-group-rules)."""
    rule = {'parent_group_id': group_id(tenant, group), 'ip_protocol': protocol,
            'from_port': from_port, 'to_port': to_port}
    if source_group:
        rule['group_id'] = group_id(tenant, source_group)
    else:
        rule['cidr'] = cidr
    return compute(tenant.os, 'POST', '/os-security-group-rules',
                   json={'security_group_rule': rule})['security_group_rule']['id']


def revoke(tenant, rule_id):
    compute(tenant.os, 'DELETE', '/os-security-group-rules/%s' % rule_id)


def boot_server(tenant, name, groups=('default',), hints=None):
    """A server made through the OpenStack API, once ACTIVE (its instance row)."""
    body = {'server': {'name': name, 'imageRef': image_service.DEFAULT_IMAGE_ID,
                       'flavorRef': '1', 'security_groups': [{'name': g} for g in groups]}}
    if hints:
        body['os:scheduler_hints'] = hints
    server = compute(tenant.os, 'POST', '/servers', json=body)['server']

    def active():
        shown = compute(tenant.os, 'GET', '/servers/%s' % server['id'])['server']
        assert shown['status'] != 'ERROR', shown
        return shown['status'] == 'ACTIVE'
    wait_for(active, 60, 'server %s active' % name)
    return db.instance_get_by_uuid(nova_context.get_admin_context(), server['id'])


def serve_echo(cloud, instance, port=8080):
    """An HTTP server in the guest that answers with its caller's address."""
    cloud.lab.spawn(guest_ns(cloud, instance), sys.executable, '-c', ECHO_SERVER, str(port))


def test_instances_get_their_address_by_dhcp_and_the_lease_is_in_the_db(cloud, tenant):
    first, second = boot_on_both_hosts(tenant.ctx)
    for instance in (first, second):
        address = wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
        row = fixed_ip(instance)
        assert address == row.address
        wait_for(lambda: fixed_ip(instance).leased, LEASE_WAIT, 'lease recorded by nova-dhcpbridge')
        mac = netns.run('cat', '/sys/class/net/eth0/address', ns=guest_ns(cloud, instance))
        vif = db.virtual_interface_get_by_instance(nova_context.get_admin_context(),
                                                   instance.uuid)[0]
        assert mac.strip() == vif.address
    # the gateway answers (outbound and its reply are allowed) ...
    netns.run('busybox', 'ping', '-c', '1', '-W', '2', GATEWAY, ns=guest_ns(cloud, first))
    # ... but nothing reaches an instance until a rule lets it: here a source-group rule
    # (members of 'default' may ping each other), which the running instances get
    target = guest_address(cloud, second)
    assert not pings(cloud, first, target)
    allow(tenant, 'icmp', -1, -1, source_group='default')
    wait_for(lambda: pings(cloud, first, target), 15,
             'ping across hosts allowed by the source-group rule')


def test_security_group_rules_of_the_openstack_and_ec2_apis_on_running_instances(cloud,
                                                                                tenant):
    for name in ('web', 'clients'):
        compute(tenant.os, 'POST', '/os-security-groups',
                json={'security_group': {'name': name, 'description': name}})
    server = boot_server(tenant, 'server', groups=['web'])
    client = boot_server(tenant, 'client', groups=['clients'],
                         hints={'different_host': [server.uuid]})
    other = boot_server(tenant, 'other')  # in 'default' only
    for instance in (server, client, other):
        wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    serve_echo(cloud, server)
    url = 'http://%s:8080/' % fixed_ip(server).address

    def reaches(instance):
        return curl(guest_ns(cloud, instance), url, timeout=1)[0] == 0

    def opens(what):
        wait_for(lambda: reaches(client), 15, 'port open once %s' % what)

    def closes(what):
        wait_for(lambda: not reaches(client), 15, 'port closed again once %s' % what)

    assert not reaches(client) and not reaches(other)  # closed by default
    # the OpenStack API: a CIDR rule, then its removal
    rule = allow(tenant, 'tcp', 8080, 8080, cidr=CIDR, group='web')
    opens('os-security-group-rules added a rule')
    assert curl(guest_ns(cloud, client), url)[1] == fixed_ip(client).address
    revoke(tenant, rule)
    closes('the rule was deleted')
    # EC2: AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress
    permission = {'IpProtocol': 'tcp', 'FromPort': 8080, 'ToPort': 8080,
                  'IpRanges': [{'CidrIp': CIDR}]}
    tenant.ec2.authorize_security_group_ingress(GroupName='web', IpPermissions=[permission])
    opens('AuthorizeSecurityGroupIngress')
    tenant.ec2.revoke_security_group_ingress(GroupName='web', IpPermissions=[permission])
    closes('RevokeSecurityGroupIngress')
    # a source group: the members of 'clients' get in, no one else
    rule = allow(tenant, 'tcp', 8080, 8080, source_group='clients', group='web')
    opens('a source-group rule names the client\'s group')
    assert not reaches(other)
    revoke(tenant, rule)
    closes('the source-group rule was deleted')
    pair = {'IpProtocol': 'tcp', 'FromPort': 8080, 'ToPort': 8080,
            'UserIdGroupPairs': [{'GroupName': 'clients'}]}
    tenant.ec2.authorize_security_group_ingress(GroupName='web', IpPermissions=[pair])
    opens('EC2 authorized the client\'s group')
    assert not reaches(other)


def test_delete_removes_the_guest_and_frees_the_address(cloud, tenant):
    [instance] = boot(tenant.ctx)
    wait_for(lambda: fixed_ip(instance).leased, LEASE_WAIT, 'lease')
    address = fixed_ip(instance).address
    compute(tenant.os, 'DELETE', '/servers/%s' % instance.uuid)
    admin = nova_context.get_admin_context()
    wait_for(lambda: not db.instance_get_all_by_filters(
        admin, {'uuid': [instance.uuid], 'deleted': False}), 30, 'instance deleted')
    assert guest_ns(cloud, instance) not in netns.run('ip', 'netns', 'list')
    # the guest's DHCP client released its lease: dnsmasq told nova-dhcpbridge
    wait_for(lambda: db.fixed_ip_get_by_address(admin, address).instance_uuid is None,
             LEASE_WAIT,
             'address freed after the release')


def _floating_ip_for(tenant, instance):
    """A floating IP of pool 'public' associated with instance (os-floating-ips and
    addFloatingIp), port 8080 open to the underlay; (address, its id)."""
    floating = compute(tenant.os, 'POST', '/os-floating-ips',
                       json={'pool': 'public'})['floating_ip']
    compute(tenant.os, 'POST', '/servers/%s/action' % instance.uuid,
            json={'addFloatingIp': {'address': floating['ip']}})
    return floating['ip'], floating['id']


def test_nova_network_killed_and_restarted_keeps_leases_and_nat(cloud, tenant):
    [instance] = boot(tenant.ctx)
    wait_for(lambda: fixed_ip(instance).leased, LEASE_WAIT, 'lease')
    serve_echo(cloud, instance)
    floating, _ = _floating_ip_for(tenant, instance)
    allow(tenant, 'tcp', 8080, 8080, cidr='192.0.2.0/24')
    url = 'http://%s:8080/' % floating
    outside_url = 'http://%s:8081/' % OUTSIDE
    guest = guest_ns(cloud, instance)
    assert wait_for(lambda: curl(cloud.outside, url)[1], 15, 'floating IP') == OUTSIDE
    proc, _log = cloud.daemons[('nova-network', 'ctl')]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    ctl = cloud.hosts['ctl']
    # as after a host reboot: no bridge, no NAT, no floating address on the interface
    netns.run('ip', 'link', 'del', 'br100', ns=ctl)
    for chain in ('PREROUTING', 'OUTPUT', 'POSTROUTING'):
        netns.run('iptables', '-t', 'nat', '-F', 'nova-network-%s' % chain, ns=ctl)
    netns.run('ip', 'addr', 'del', '%s/32' % floating, 'dev', 'eth0', ns=ctl)
    assert curl(cloud.outside, url, timeout=1)[0] != 0
    cloud.start('nova-network', 'ctl')
    wait_for(lambda: GATEWAY in netns.run('ip', 'addr', 'show', 'br100', ns=ctl, check=False),
             30, 'bridge rebuilt')
    # the existing guest still reaches the gateway, and still holds its lease
    netns.run('busybox', 'ping', '-c', '1', '-W', '5', GATEWAY, ns=guest)
    assert fixed_ip(instance).leased
    # the floating IP NATs again both ways: inbound from outside, outbound SNAT
    assert wait_for(lambda: curl(cloud.outside, url)[1], 30,
                    'floating IP reachable after the restart') == OUTSIDE
    assert wait_for(lambda: curl(guest, outside_url)[1], 15, 'outbound') == floating
    [again] = boot(tenant.ctx)
    wait_for(lambda: guest_address(cloud, again), 30, 'DHCP lease after the restart')


def test_floating_ip_nat_from_outside_and_snat_of_outbound_traffic(cloud, tenant):
    [instance] = boot(tenant.ctx)
    wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    serve_echo(cloud, instance)
    fixed = fixed_ip(instance).address
    guest = guest_ns(cloud, instance)
    outside_url = 'http://%s:8081/' % OUTSIDE
    # no floating IP: outbound traffic leaves with the network host's address
    assert wait_for(lambda: curl(guest, outside_url)[1], 15, 'outbound') == CTL_PUBLIC
    floating, floating_id = _floating_ip_for(tenant, instance)
    url = 'http://%s:8080/' % floating
    # the port is closed until a security group rule opens it, on the running instance
    wait_for(lambda: curl(guest, outside_url)[1] == floating, 15, 'floating SNAT')
    assert curl(cloud.outside, url, timeout=2)[0] != 0
    rule = allow(tenant, 'tcp', 8080, 8080, cidr='0.0.0.0/0')
    # from outside, the floating IP reaches the instance (which sees the caller as is)
    answer = wait_for(lambda: curl(cloud.outside, url)[1], 15,
                      'floating IP reachable from outside once the rule is there')
    assert answer == OUTSIDE
    revoke(tenant, rule)
    wait_for(lambda: curl(cloud.outside, url, timeout=1)[0] != 0, 15,
             'the port closed again once the rule is removed')
    allow(tenant, 'tcp', 8080, 8080, cidr='192.0.2.0/24')
    assert wait_for(lambda: curl(cloud.outside, url)[1], 15, 'open to the underlay') == OUTSIDE
    compute(tenant.os, 'POST', '/servers/%s/action' % instance.uuid,
            json={'removeFloatingIp': {'address': floating}})
    wait_for(lambda: curl(cloud.outside, url, timeout=1)[0] != 0, 15,
             'disassociate cuts the floating IP')
    assert wait_for(lambda: curl(guest, outside_url)[1], 15, 'outbound') == CTL_PUBLIC
    compute(tenant.os, 'DELETE', '/os-floating-ips/%s' % floating_id)
    assert fixed.startswith('10.77.0.')


def test_the_metadata_service_answers_the_guest_at_169_254_169_254(cloud, tenant):
    [instance] = boot(tenant.ctx)
    address = wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    guest = guest_ns(cloud, instance)
    # through the network host's DNAT the service sees the guest's own address and
    # answers for it: the instance id EC2 gives it
    [reservation] = tenant.ec2.describe_instances(
        Filters=[{'Name': 'private-ip-address', 'Values': [address]}])['Reservations']
    [described] = reservation['Instances']
    code, instance_id = curl(guest, 'http://169.254.169.254/latest/meta-data/instance-id',
                             timeout=5)
    assert code == 0 and instance_id == described['InstanceId']
    assert curl(guest, 'http://169.254.169.254/latest/meta-data/local-ipv4',
                timeout=5)[1] == address
    code, body = curl(guest, 'http://169.254.169.254/openstack/latest/network_data.json',
                      timeout=5)
    assert code == 0, body
    data = json.loads(body)
    [network] = data['networks']
    assert network['ip_address'] == address and network['type'] == 'ipv4_dhcp'
    [link] = data['links']
    assert link['ethernet_mac_address'] == netns.run(
        'cat', '/sys/class/net/eth0/address', ns=guest).strip()

