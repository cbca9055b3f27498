"""FlatDHCPManager on real Linux networking, three simulated hosts as namespaces.

ctl runs nova-scheduler and nova-network (bridge br100 with the gateway,
dnsmasq); c1 and c2 run nova-compute with --fake_guest_netns, so every
instance is a namespace with a veth on its host's br100 and a real udhcpc.
The hosts' br100 are joined by a VXLAN segment (--flat_interface) over the
lab's underlay. This process plays nova-api (the compute API over RabbitMQ);
the daemons reach RabbitMQ through nsproxy forwarders; the database is SQLite
on the shared filesystem.
"""
import os
import shutil
import signal
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
from tests.harness import daemons, netns

CIDR = '10.77.0.0/24'
GATEWAY = '10.77.0.1'


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
            fake_guest_netns_prefix=lab.name('g-'),
            # dnsmasq reads its hosts file as nobody: a directory it can reach
            networks_path=networks_path,
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
        hosts = {role: lab.host(role)[0] for role in ('ctl', 'c1', 'c2')}
        for ns in hosts.values():  # the "physical" flat network between the hosts
            lab.vxlan(ns, 'vxflat', lab.vni_base)
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
        cloud.start('nova-scheduler', 'ctl')
        cloud.start('nova-network', 'ctl')
        for host in ('c1', 'c2'):
            cloud.start('nova-compute', host)
        wait_for(lambda: len(db.compute_node_get_all(admin)) == 2, 60, 'compute nodes')
        wait_for(lambda: netns.run('ip', 'addr', 'show', 'br100', ns=hosts['ctl'],
                                   check=False).count(GATEWAY), 30, 'gateway on br100')
        cloud.hosts = hosts
        yield cloud
    finally:
        rpc.cleanup()
        lab.cleanup()  # the guests' namespaces too: their names start with the lab's
        db_session.dispose()
        if networks_path:
            shutil.rmtree(networks_path, ignore_errors=True)


@pytest.fixture
def ctx(cloud):
    for name, value in cloud.flags.items():
        CONF.set_override(name, value)
    return nova_context.RequestContext(user_id='u', project_id='p', roles=['member'],
                                       overwrite=False)


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
        wait_for(lambda: fixed_ip(instance).leased, 10, 'lease recorded by nova-dhcpbridge')
        mac = netns.run('cat', '/sys/class/net/eth0/address', ns=guest_ns(cloud, instance))
        vif = db.virtual_interface_get_by_instance(nova_context.get_admin_context(),
                                                   instance.uuid)[0]
        assert mac.strip() == vif.address
    # one project's instances reach each other across hosts, and the gateway
    target = guest_address(cloud, second)
    netns.run('busybox', 'ping', '-c', '1', '-W', '2', target, ns=guest_ns(cloud, first))
    netns.run('busybox', 'ping', '-c', '1', '-W', '2', GATEWAY, ns=guest_ns(cloud, first))


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
