"""FlatDHCPManager on real Linux networking, simulated hosts as namespaces.

ctl runs nova-scheduler, nova-network (bridge br100 with the gateway,
dnsmasq, the NAT table) and the metadata service; c1 and c2 run nova-compute
with --fake_guest_netns, so every instance is a namespace with a veth on its
host's br100 and a real udhcpc; "out" is a machine outside the cloud on the
public side (the underlay, where the floating IPs live). The hosts' br100 are
joined by a VXLAN segment (--flat_interface) over the underlay. This process
plays nova-api (the compute and network APIs over RabbitMQ); the daemons reach
RabbitMQ through nsproxy forwarders; the database is SQLite on the shared
filesystem.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from nova import context as nova_context
from nova import rpc
from nova.compute import api as compute_api
from nova.compute import flavors, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.image import service as image_service
from nova.network import api as network_api
from nova.network import security_groups
from tests.harness import daemons, netns

CIDR = '10.77.0.0/24'
GATEWAY = '10.77.0.1'
CTL_PUBLIC = '192.0.2.10'  # ctl's underlay address: --routing_source_ip, the metadata host
FLOATING = '192.0.2.128/28'
METADATA_PORT = 8775
# answers every GET with the address the request came from
ECHO_SERVER = '''
import http.server, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('0.0.0.0', int(sys.argv[1])), Echo).serve_forever()
'''


def wait_for(predicate, timeout=30, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.1)


class Cloud:
    def __init__(self, lab, tmp, broker, networks_path):
        self.lab, self.tmp = lab, tmp
        self.flags = dict(
            state_path=tmp, sql_connection='sqlite:///%s/nova.sqlite' % tmp,
            transport_url=broker.url, network_manager='nova.network.manager.FlatDHCPManager',
            flat_interface='vxflat', compute_driver='fake.FakeDriver', fake_guest_netns=True,
            firewall_driver='nova.network.firewall.IptablesFirewallDriver',
            allow_same_net_traffic=False,  # only security group rules open anything
            fake_guest_netns_prefix=lab.name('g-'),
            # dnsmasq reads its hosts file as nobody: a directory it can reach
            networks_path=networks_path,
            public_interface='eth0', routing_source_ip=CTL_PUBLIC, metadata_host=CTL_PUBLIC,
            metadata_port=METADATA_PORT, enabled_apis='metadata',
            metadata_listen='0.0.0.0', metadata_listen_port=METADATA_PORT,
            report_interval=1, periodic_interval=1, service_down_time=10,
            quota_instances=-1, quota_cores=-1, quota_ram=-1, verbose=True)
        self.flagfile = daemons.write_flagfile(os.path.join(tmp, 'nova.flags'), **self.flags)
        self.daemons = {}

    def start(self, binary, host):
        ns = self.lab.name(host)
        log = os.path.join(self.tmp, '%s-%s.log' % (binary, host))
        proc = self.lab.spawn(ns, sys.executable, os.path.join(daemons.BIN, binary),
                              '--flagfile=%s' % self.flagfile, '--host=%s' % host, log=log)
        self.daemons[(binary, host)] = (proc, log)
        return proc

    def log(self, binary, host):
        with open(self.daemons[(binary, host)][1], errors='replace') as f:
            return f.read()


@pytest.fixture(scope='module')
def cloud(rabbitmq, tmp_path_factory):
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)
    tmp = str(tmp_path_factory.mktemp('flatdhcp'))
    os.chmod(tmp, 0o755)
    lab = netns.Lab()
    networks_path = None
    try:
        hosts = {role: lab.host(role)[0] for role in ('ctl', 'c1', 'c2', 'out')}
        for role in ('ctl', 'c1', 'c2'):  # the "physical" flat network between the hosts
            lab.vxlan(hosts[role], 'vxflat', lab.vni_base)
        outside = hosts.pop('out')
        lab.proxy(['%s,127.0.0.1,%d,-,127.0.0.1,%d' % (ns, rabbitmq.port, rabbitmq.port)
                   for ns in hosts.values()])
        networks_path = tempfile.mkdtemp(prefix='nova-networks-')
        os.chmod(networks_path, 0o755)
        cloud = Cloud(lab, tmp, rabbitmq, networks_path)
        for name, value in cloud.flags.items():
            CONF.set_override(name, value)
        db_session.dispose()
        migration.db_sync()
        rpc.init()
        admin = nova_context.get_admin_context()
        image_service.ensure_default_image(admin)
        cloud.network = network_api.API().create_network(admin, CIDR, label='private')
        network_api.API().create_floating_ips(admin, FLOATING, pool='public')
        cloud.start('nova-scheduler', 'ctl')
        cloud.start('nova-api', 'ctl')
        cloud.start('nova-network', 'ctl')
        for host in ('c1', 'c2'):
            cloud.start('nova-compute', host)
        wait_for(lambda: len(db.compute_node_get_all(admin)) == 2, 60, 'compute nodes')
        wait_for(lambda: netns.run('ip', 'addr', 'show', 'br100', ns=hosts['ctl'],
                                   check=False).count(GATEWAY), 30, 'gateway on br100')
        cloud.hosts, cloud.outside = hosts, outside
        lab.spawn(outside, sys.executable, '-c', ECHO_SERVER, '8081')
        yield cloud
    finally:
        rpc.cleanup()
        lab.cleanup()  # the guests' namespaces too: their names start with the lab's
        db_session.dispose()
        if networks_path:  # dnsmasq's logs stay with the daemons' for post-mortems
            for name in os.listdir(networks_path):
                if name.endswith('.log'):
                    shutil.copy(os.path.join(networks_path, name), tmp)
            shutil.rmtree(networks_path, ignore_errors=True)


@pytest.fixture
def ctx(cloud, request):
    """A member of a project of the test's own (its groups are its own)."""
    for name, value in cloud.flags.items():
        CONF.set_override(name, value)
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


def boot(ctx, count=1):
    instances, _ = compute_api.API().create(
        ctx, flavors.get_by_name_or_id('m1.tiny'), image_service.DEFAULT_IMAGE_ID,
        display_name='vm', min_count=count, max_count=count)
    admin = nova_context.get_admin_context()
    return [wait_for(lambda: _active(admin, i.uuid), 60, 'instance active') for i in instances]


def _active(admin, uuid):
    row = db.instance_get_by_uuid(admin, uuid)
    assert row.vm_state != vm_states.ERROR, uuid
    return row if row.vm_state == vm_states.ACTIVE else None


def guest_ns(cloud, instance):
    return cloud.flags['fake_guest_netns_prefix'] + instance.uuid


def fixed_ip(instance):
    [row] = db.fixed_ip_get_all(nova_context.get_admin_context(),
                                instance_uuids=[instance.uuid])
    return row


def guest_address(cloud, instance):
    out = netns.run('ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0', ns=guest_ns(cloud, instance),
                    check=False)
    for word in out.split():
        if word.startswith('10.77.'):
            return word.split('/')[0]
    return None


def test_instances_get_their_address_by_dhcp_and_the_lease_is_in_the_db(cloud, ctx):
    first, second = boot(ctx, 2)
    assert {first.host, second.host} == {'c1', 'c2'}
    for instance in (first, second):
        address = wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
        row = fixed_ip(instance)
        assert address == row.address
        wait_for(lambda: fixed_ip(instance).leased, 30, 'lease recorded by nova-dhcpbridge')
        mac = netns.run('cat', '/sys/class/net/eth0/address', ns=guest_ns(cloud, instance))
        vif = db.virtual_interface_get_by_instance(nova_context.get_admin_context(),
                                                   instance.uuid)[0]
        assert mac.strip() == vif.address
    # the gateway answers (outbound and its reply are allowed) ...
    netns.run('busybox', 'ping', '-c', '1', '-W', '2', GATEWAY, ns=guest_ns(cloud, first))
    # ... but nothing reaches an instance until a rule lets it: here a source-group rule
    # (members of 'default' may ping each other), which the running instances get
    target = guest_address(cloud, second)
    ping = ['busybox', 'ping', '-c', '1', '-W', '1', target]
    assert subprocess.run(['ip', 'netns', 'exec', guest_ns(cloud, first)] + ping,
                          capture_output=True).returncode != 0
    allow(ctx, 'icmp', -1, -1, source_group='default')
    wait_for(lambda: subprocess.run(['ip', 'netns', 'exec', guest_ns(cloud, first)] + ping,
                                    capture_output=True).returncode == 0, 15,
             'ping across hosts allowed by the source-group rule')


def test_delete_removes_the_guest_and_frees_the_address(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: fixed_ip(instance).leased, 30, 'lease')
    address = fixed_ip(instance).address
    api = compute_api.API()
    api.delete(ctx, api.get(ctx, instance.uuid))
    admin = nova_context.get_admin_context()
    wait_for(lambda: not db.instance_get_all_by_filters(
        admin, {'uuid': [instance.uuid], 'deleted': False}), 30, 'instance deleted')
    assert guest_ns(cloud, instance) not in netns.run('ip', 'netns', 'list')
    # the guest's DHCP client released its lease: dnsmasq told nova-dhcpbridge
    wait_for(lambda: db.fixed_ip_get_by_address(admin, address).instance_uuid is None, 30,
             'address freed after the release')


def test_nova_network_killed_and_restarted_keeps_leases_and_serves_again(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: fixed_ip(instance).leased, 30, 'lease')
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


def curl(ns, url, timeout=3):
    """(exit code, body) of a GET from inside namespace ns."""
    result = subprocess.run(['ip', 'netns', 'exec', ns, 'curl', '-s', '--max-time', str(timeout),
                             url], capture_output=True, text=True)
    return result.returncode, result.stdout


def test_floating_ip_nat_from_outside_and_snat_of_outbound_traffic(cloud, ctx):
    [instance] = boot(ctx)
    wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
    serve_echo(cloud, instance)
    fixed = fixed_ip(instance).address
    guest = guest_ns(cloud, instance)
    outside_url = 'http://%s:8081/' % netns.UNDERLAY % 13
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
    assert answer == netns.UNDERLAY % 13
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
