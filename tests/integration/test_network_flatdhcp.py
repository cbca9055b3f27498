"""FlatDHCPManager on real Linux networking, simulated hosts as namespaces
(tests/harness/network_lab.py): guests get DHCP leases from dnsmasq on ctl
across a VXLAN flat segment, floating IPs NAT from an outside namespace,
security groups filter running instances, 169.254.169.254 reaches the metadata
service, and nova-network survives kill -9.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from nova import context as nova_context
from nova.compute import api as compute_api
from nova.db import api as db
from nova.network import api as network_api
from nova.network import security_groups
from tests.harness import netns
from tests.harness.network_lab import (CTL_PUBLIC, ECHO_SERVER, OUTSIDE, boot,
                                       boot_on_both_hosts, curl, fixed_ip, guest_address,
                                       guest_ns, pings, running_cloud, wait_for)

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
                       flat_vxlan=True) as cloud:
        wait_for(lambda: netns.run('ip', 'addr', 'show', 'br100', ns=cloud.hosts['ctl'],
                                   check=False).count(GATEWAY), 30, 'gateway on br100')
        yield cloud


@pytest.fixture
def ctx(cloud, request):
    """A member of a project of the test's own (its groups are its own)."""
    cloud.set_flags()
    project = 'p-' + request.node.name[-40:]
    return nova_context.RequestContext(user_id='u', project_id=project, roles=['member'],
                                       overwrite=False)


def allow(ctx, protocol, from_port, to_port, cidr=None, source_group=None):
    """Add a rule to the project's default group (compute hosts get a fanout)."""
    api = security_groups.SecurityGroupAPI()
    group = api.ensure_default(ctx)
    source = api.get_by_name(ctx, source_group).uuid if source_group else None
    [rule] = api.add_rules(ctx, group, [security_groups.validate_rule(
        protocol, from_port, to_port, cidr=cidr, source_group_uuid=source)])
    return rule


def test_instances_get_their_address_by_dhcp_and_the_lease_is_in_the_db(cloud, ctx):
    first, second = boot_on_both_hosts(ctx)
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
    allow(ctx, 'icmp', -1, -1, source_group='default')
    wait_for(lambda: pings(cloud, first, target), 15,
             'ping across hosts allowed by the source-group rule')


def test_delete_removes_the_guest_and_frees_the_address(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: fixed_ip(instance).leased, LEASE_WAIT, 'lease')
    address = fixed_ip(instance).address
    api = compute_api.API()
    api.delete(ctx, api.get(ctx, instance.uuid))
    admin = nova_context.get_admin_context()
    wait_for(lambda: not db.instance_get_all_by_filters(
        admin, {'uuid': [instance.uuid], 'deleted': False}), 30, 'instance deleted')
    assert guest_ns(cloud, instance) not in netns.run('ip', 'netns', 'list')
    # the guest's DHCP client released its lease: dnsmasq told nova-dhcpbridge
    wait_for(lambda: db.fixed_ip_get_by_address(admin, address).instance_uuid is None,
             LEASE_WAIT,
             'address freed after the release')


def test_nova_network_killed_and_restarted_keeps_leases_and_serves_again(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: fixed_ip(instance).leased, LEASE_WAIT, 'lease')
    proc, _log = cloud.daemons[('nova-network', 'ctl')]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    ctl = cloud.hosts['ctl']
    netns.run('ip', 'link', 'del', 'br100', ns=ctl)  # as after a host reboot
    cloud.start('nova-network', 'ctl')
    wait_for(lambda: GATEWAY in netns.run('ip', 'addr', 'show', 'br100', ns=ctl, check=False),
             30, 'bridge rebuilt')
    # the existing guest still reaches the gateway, and still holds its lease
    netns.run('busybox', 'ping', '-c', '1', '-W', '5', GATEWAY, ns=guest_ns(cloud, instance))
    assert fixed_ip(instance).leased
    [again] = boot(ctx)
    wait_for(lambda: guest_address(cloud, again), 30, 'DHCP lease after the restart')


def serve_echo(cloud, instance, port=8080):
    """An HTTP server in the guest that answers with its caller's address."""
    cloud.lab.spawn(guest_ns(cloud, instance), sys.executable, '-c', ECHO_SERVER, str(port))


def test_floating_ip_nat_from_outside_and_snat_of_outbound_traffic(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    serve_echo(cloud, instance)
    fixed = fixed_ip(instance).address
    guest = guest_ns(cloud, instance)
    outside_url = 'http://%s:8081/' % OUTSIDE
    # no floating IP: outbound traffic leaves with the network host's address
    assert wait_for(lambda: curl(guest, outside_url)[1], 15, 'outbound') == CTL_PUBLIC
    api = network_api.API()
    floating = api.allocate_floating_ip(ctx, 'public')['address']
    api.associate_floating_ip(ctx, compute_api.API().get(ctx, instance.uuid), floating)
    url = 'http://%s:8080/' % floating
    # the port is closed until a security group rule opens it, on the running instance
    time.sleep(2)
    assert curl(cloud.outside, url, timeout=2)[0] != 0
    rule = allow(ctx, 'tcp', 8080, 8080, cidr='0.0.0.0/0')
    # from outside, the floating IP reaches the instance (which sees the caller as is)
    answer = wait_for(lambda: curl(cloud.outside, url)[1], 15,
                      'floating IP reachable from outside once the rule is there')
    assert answer == OUTSIDE
    groups = security_groups.SecurityGroupAPI()
    groups.remove_rule(ctx, groups.get_rule(ctx, rule.id)[0])
    wait_for(lambda: curl(cloud.outside, url, timeout=1)[0] != 0, 15,
             'the port closed again once the rule is removed')
    allow(ctx, 'tcp', 8080, 8080, cidr='192.0.2.0/24')
    # and the instance's own connections now come from its floating IP
    assert wait_for(lambda: curl(guest, outside_url)[1] == floating, 15, 'floating SNAT')
    # another instance still reaches it by its fixed address, which it sees as is
    api.disassociate_floating_ip(ctx, floating)
    wait_for(lambda: curl(cloud.outside, 'http://%s:8080/' % floating, timeout=1)[0] != 0, 15,
             'disassociate cuts the floating IP')
    assert wait_for(lambda: curl(guest, outside_url)[1], 15, 'outbound') == CTL_PUBLIC
    api.release_floating_ip(ctx, floating)
    assert fixed.startswith('10.77.0.')


def test_metadata_address_is_dnated_to_the_metadata_service(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    result = subprocess.run(['ip', 'netns', 'exec', guest_ns(cloud, instance), 'curl', '-s',
                             '--max-time', '5', '-w', ' %{http_code}',
                             'http://169.254.169.254/latest/meta-data/instance-id'],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr  # the DNAT reached a server
    body, _, code = result.stdout.rpartition(' ')
    # the metadata service answered: the instance's EC2 id once it finds instances by
    # their fixed IP, until then its own 404 for an address it does not know
    assert (code == '200' and body.startswith('i-')) or \
        (code == '404' and 'No instance at this address' in body), result.stdout
