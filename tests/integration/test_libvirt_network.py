"""A real QEMU (TCG) guest on nova-network's FlatDHCP network in multi_host mode,
moved between hosts.

The namespace lab of the network tests (tests/harness/network_lab.py): ctl
runs nova-api (the Compute API) and the scheduler; c1 and c2 each run
nova-compute with the libvirt driver, with a private libvirtd inside its
namespace (so that a guest's tap joins that host's br100), nova-network for
the network's instances on that host (multi_host: br100 with the host's own
address in the network over a VXLAN uplink joining the hosts, a dnsmasq
serving only that host's instances, the NAT of 169.254.169.254 to the
metadata nova-api the host runs too, as classic Nova's multi_host hosts ran
nova-api-metadata) and nova-instancemonitor sampling every second; the hosts
share instances_path, as a live migration without block migration needs.

One guest, booted once through the Compute API, proves the rest in order: it
prints the address DHCP gave it (the one the API reports) and the EC2 id it
read from 169.254.169.254; its user data keeps a vCPU busy for a while, which
its host's monitor sees in the CPU series; a second NIC attached and detached
through os-interface comes and goes in the guest; then it is live-migrated to
the other host: it keeps its address, the destination's dnsmasq now lists it
(the source's no longer) and the destination's br100 reaches it, it did not
boot again, and the destination's monitor starts a new series while the
source's is put aside, the statistics answering both as one. README's
single-host FlatDHCP (one nova-network for all) with a real guest is
tests/integration/test_libvirt_guests.py.
"""
import base64
import os
import statistics
import subprocess
import time
import uuid

import pytest

from nova import context as nova_context
from nova.api.ec2 import ids as ec2_ids
from nova.compute import api as compute_api
from nova.db import api as db
from nova.manage import image as manage_image
from nova.monitor import api as monitor_api
from nova.network import api as network_api
from tests.harness import libvirt_guests as lg
from tests.harness import netns
from tests.harness.libvirtd import PrivateLibvirtd
from tests.harness.network_lab import compute, fixed_ip, project, running_cloud, wait_for

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(300)

CIDR = '10.78.0.0/24'
BUSY_SECONDS = 10


@pytest.fixture(scope='module')
def cloud(rabbitmq, tmp_path_factory, guest_image):
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)
    tmp = str(tmp_path_factory.mktemp('libvirt-net'))
    libvirtds = {}

    def compute_args(cloud, host):
        daemon = PrivateLibvirtd('%s/libvirtd-%s' % (tmp, host), netns=cloud.hosts[host])
        libvirtds[host] = daemon.start()
        return ['--libvirt_uri=%s' % daemon.uri]

    def prepare(cloud, admin):
        network_api.API().create_network(admin, CIDR, label='private', multi_host=True)
        [_, _, cloud.ami] = manage_image.register_guest(admin, guest_image, 'nova-guest')

    flags = dict(network_manager='nova.network.manager.FlatDHCPManager',
                 flat_interface='vxflat', routing_source_ip='$my_ip',
                 compute_driver='libvirt.LibvirtDriver',
                 libvirt_type='qemu', libvirt_tcg_tb_cache_mb=64,
                 monitoring_instances_step=1, monitor_graph_interval=0)
    try:
        with running_cloud(rabbitmq, tmp, flags, prepare, flat_vxlan=True,
                           network_hosts=('c1', 'c2'), compute_args=compute_args,
                           front_ends=True, local_metadata=True) as running:
            for host in ('c1', 'c2'):
                running.start('nova-instancemonitor', host)
            running.libvirtds = libvirtds
            yield running
    finally:
        for daemon in libvirtds.values():
            daemon.stop()


class Guest:
    """The module's guest: its project, its row, when its console showed what."""

    def __init__(self, cloud, user, server_id):
        self.cloud, self.user, self.id = cloud, user, server_id
        self.seen = {}  # marker prefix -> when this process first saw it

    @property
    def row(self):
        return db.instance_get_by_uuid(nova_context.get_admin_context(), self.id)

    def markers(self):
        return lg.markers(compute_api.API().get_console_output(self.user.ctx, self.row))

    def wait_marker(self, prefix, timeout=120):
        def printed():
            found = self.markers()
            if any(line.startswith(prefix) for line in found):
                self.seen.setdefault(prefix, time.time())
                return found
            return None
        return wait_for(printed, timeout, 'the guest to print %r' % prefix)

    def api(self, method, path='', **kwargs):
        return compute(self.user.os, method, '/servers/%s%s' % (self.id, path), **kwargs)

    def bridged(self, host):
        """The devices on br100 of host ('' when it has no br100)."""
        return netns.run('ip', '-o', 'link', 'show', 'master', 'br100',
                         ns=self.cloud.hosts[host], check=False)

    def cpu_series(self, start, end=None):
        """[(epoch second, CPUUtilization %)] as the monitor of its host answers."""
        end = int(end or time.time())
        if end <= int(start):
            return []
        [points] = monitor_api.MonitorAPI().get_statistics(self.user.ctx, [{
            'instance_uuid': self.id, 'metric': 'CPUUtilization', 'start': int(start),
            'end': end, 'period': 1, 'statistics': ['Average']}])
        return [(point['Timestamp'], point['Average']) for point in points]


@pytest.fixture(autouse=True)
def _lab_flags(cloud):
    """This process plays nova-api of the lab: its flags (each test starts from the
    suite's defaults)."""
    cloud.set_flags()


@pytest.fixture(scope='module')
def guest(cloud):
    """Booted through the Compute API by a member, with user data asking for a
    busy vCPU once it is ready; the time its busy loop started was seen."""
    user = project(cloud, 'lvnet-%s' % uuid.uuid4().hex[:8])
    flavor = next(f for f in compute(user.os, 'GET', '/flavors')['flavors']
                  if f['name'] == 'm1.tiny')
    server = compute(user.os, 'POST', '/servers', json={'server': {
        'name': 'netguest', 'imageRef': cloud.ami['id'], 'flavorRef': flavor['id'],
        'user_data': base64.b64encode(b'busy-seconds=%d\n' % BUSY_SECONDS).decode()}})
    running = Guest(cloud, user, server['server']['id'])

    def active():
        status = running.api('GET')['server']['status']
        assert status != 'ERROR', running.row.uuid
        return status == 'ACTIVE'
    wait_for(active, 120, 'the guest active')
    running.wait_marker('busy start')
    yield running
    cloud.set_flags()
    compute_api.API().delete(user.ctx, running.row)


def test_the_guest_gets_its_address_and_its_id(guest):
    found = guest.markers()
    instance = guest.row
    address = fixed_ip(instance).address
    assert 'eth0 ip=%s' % address in found, found
    [vif] = network_api.API().get_instance_nw_info(guest.user.ctx, instance)
    assert 'eth0 mac=%s' % vif['address'] in found
    ec2_id = ec2_ids.ec2_id(nova_context.get_admin_context(), 'i', instance.uuid)
    assert 'metadata instance-id=%s' % ec2_id in found, found
    assert 'root-disk vda now-written-by=%s' % ec2_id in found
    assert vif['devname'] in guest.bridged(instance.host)  # its tap on its host's br100
    [address_view] = guest.api('GET')['server']['addresses']['private']
    assert address_view['addr'] == address


def test_a_busy_guest_shows_in_its_hosts_cpu_series(guest):
    """The guest's vCPU spins BUSY_SECONDS after 'busy start', then idles: the
    monitor's 1 s CPU series of the instance is high, then low."""
    guest.wait_marker('busy done', timeout=60)
    started, done = guest.seen['busy start'], guest.seen['busy done']
    wait_for(lambda: len([at for at, _ in guest.cpu_series(started - 30) if at >= done + 1])
             >= 3, 30, 'idle samples after the busy loop')
    series = guest.cpu_series(started - 30)
    busy = [value for at, value in series if started + 1 <= at < started + BUSY_SECONDS - 1]
    idle = [value for at, value in series if at >= done + 1]
    print('CPU %% busy %s, idle %s' % (busy, idle))
    assert len(busy) >= 3 and len(idle) >= 3, series
    assert statistics.median(busy) > 3 * statistics.median(idle), series
    assert statistics.median(busy) > 10.0


def test_an_interface_attached_and_detached_through_the_api(guest):
    [first] = guest.api('GET', '/os-interface')['interfaceAttachments']
    attached = guest.api('POST', '/os-interface', json={
        'interfaceAttachment': {'net_id': first['net_id']}})['interfaceAttachment']
    assert attached['net_id'] == first['net_id'] and attached['port_id'] != first['port_id']
    [address] = [ip['ip_address'] for ip in attached['fixed_ips']]
    assert address != first['fixed_ips'][0]['ip_address']
    guest.wait_marker('nic eth1 attached mac=%s' % attached['mac_addr'], 60)
    listed = guest.api('GET', '/os-interface')['interfaceAttachments']
    assert sorted(i['port_id'] for i in listed) == sorted([first['port_id'],
                                                           attached['port_id']])
    [vif] = [v for v in network_api.API().get_instance_nw_info(guest.user.ctx, guest.row)
             if v['id'] == attached['port_id']]
    host = guest.row.host
    assert vif['devname'] in guest.bridged(host)

    guest.api('DELETE', '/os-interface/%s' % attached['port_id'])
    guest.wait_marker('nic eth1 detached', 60)
    assert vif['devname'] not in netns.run('ip', '-o', 'link', 'show',
                                           ns=guest.cloud.hosts[host], check=False)
    assert [i['port_id'] for i in guest.api('GET', '/os-interface')['interfaceAttachments']
            ] == [first['port_id']]
    held = db.fixed_ip_get_all(nova_context.get_admin_context(), instance_uuids=[guest.id])
    assert [row.address for row in held if row.allocated] == [
        first['fixed_ips'][0]['ip_address']]


def _running(daemon):
    """{uuid: CPU time} of the running guests of a libvirtd."""
    conn = libvirt.open(daemon.uri)
    try:
        return {d.UUIDString(): d.info()[4] for d in conn.listAllDomains() if d.isActive()}
    finally:
        conn.close()


def _answers_ping(cloud, host, address):
    """Whether the guest answers a ping from host (from its br100's own address)."""
    return subprocess.run(['ip', 'netns', 'exec', cloud.hosts[host], 'busybox', 'ping', '-c',
                           '1', '-W', '1', address], capture_output=True).returncode == 0


def _dhcp_hosts(cloud, host):
    """What host's dnsmasq serves: the lines of its hosts files (MAC,name,address)."""
    directory = cloud.flags['networks_path'].replace('$host', host)
    return ''.join(open(os.path.join(directory, name)).read()
                   for name in sorted(os.listdir(directory)) if name.endswith('.hosts'))


def test_live_migration_keeps_the_guests_address_and_network(guest):
    """multi_host: the destination's nova-network takes the guest over (its dnsmasq
    lists it, the source's forgets it) and the guest answers on the same address
    through the destination's br100."""
    cloud, instance = guest.cloud, guest.row
    source = instance.host
    target = 'c2' if source == 'c1' else 'c1'
    address = fixed_ip(instance).address
    [vif] = network_api.API().get_instance_nw_info(guest.user.ctx, instance)
    mac = vif['address']
    assert _answers_ping(cloud, source, address)
    assert mac in _dhcp_hosts(cloud, source) and mac not in _dhcp_hosts(cloud, target)
    moving = time.time()
    admin = nova_context.get_admin_context()
    compute_api.API().live_migrate(admin, instance, host=target)

    def migration():
        [found] = [m for m in db.migration_get_all_by_filters(
            admin, {'instance_uuid': guest.id}) if m.migration_type == 'live-migration']
        assert found.status != 'error', [fault.message for fault in (
            db.instance_fault_get_by_instance_uuids(admin, [guest.id]).get(guest.id) or ())]
        return found

    def arrived():
        row = guest.row
        return row if migration().status == 'completed' and row.task_state is None else None
    moved = wait_for(arrived, 120, 'the guest on %s' % target)
    arrived = time.time()
    assert (moved.host, moved.vm_state) == (target, 'active')

    # the domain is the destination libvirtd's now, and runs there
    assert guest.id not in _running(cloud.libvirtds[source])
    cpu = _running(cloud.libvirtds[target])[guest.id]
    wait_for(lambda: _running(cloud.libvirtds[target])[guest.id] > cpu, 10,
             'the moved guest to run')
    assert os.path.exists(os.path.join(cloud.tmp, 'instances', guest.id, 'console.log'))
    assert vif['devname'] in guest.bridged(target)
    assert vif['devname'] not in netns.run('ip', '-o', 'link', 'show', ns=cloud.hosts[source],
                                           check=False)
    assert fixed_ip(moved).address == address
    # the destination's dnsmasq gives it its lease from now on, the source's forgot it
    wait_for(lambda: '%s,' % mac in _dhcp_hosts(cloud, target)
             and mac not in _dhcp_hosts(cloud, source), 30, "the destination's dnsmasq")
    assert ',%s' % address in [line[line.rindex(','):] for line in
                               _dhcp_hosts(cloud, target).splitlines() if mac in line]
    # the guest announced itself from its new host: the destination's br100 reaches it
    wait_for(lambda: _answers_ping(cloud, target, address), 30, 'the moved guest to answer')
    found = guest.markers()
    assert lg.count(found, 'ready$') == 1  # it did not boot again
    assert 'eth0 ip=%s' % address in found

    # the destination's monitor starts a series of its own, the source's is put aside,
    # and the statistics merge both
    series = wait_for(lambda: (lambda s: s if len([at for at, _ in s if at > arrived]) >= 2
                               else None)(guest.cpu_series(moving - 60)),
                      30, 'samples on %s' % target)
    assert len([at for at, _ in series if at < moving - 1]) >= 5, (moving, series)
    archives = os.path.join(cloud.tmp, 'monitor')
    assert os.path.exists(os.path.join(archives, target, guest.id + '.rrd'))
    wait_for(lambda: os.path.exists(os.path.join(archives, source, 'deleted',
                                                 guest.id + '.rrd')),
             10, "the source's archive put aside")
    assert not os.path.exists(os.path.join(archives, source, guest.id + '.rrd'))
    print('live migration %.1f s' % (arrived - moving))


def _live_migrations(admin, instance_uuid):
    return [m for m in db.migration_get_all_by_filters(admin, {'instance_uuid': instance_uuid})
            if m.migration_type == 'live-migration']


def _copying(admin, guest, daemon):
    """Once the guest's memory is being copied (libvirt has a job on the source and
    the migration is running): that migration."""
    conn = libvirt.open(daemon.uri)
    try:
        domain = conn.lookupByUUIDString(guest.id)

        def running():
            if domain.jobInfo()[0] == libvirt.VIR_DOMAIN_JOB_NONE:
                return None
            return next((m for m in _live_migrations(admin, guest.id)
                         if m.status == 'running'), None)
        return wait_for(running, 60, 'the copy to run')
    finally:
        conn.close()


def _throttle(daemon, guest, mib_per_s):
    """The guest's next (or current) migration at most this fast: time to steer it."""
    conn = libvirt.open(daemon.uri)
    try:
        conn.lookupByUUIDString(guest.id).migrateSetMaxSpeed(mib_per_s, 0)
    finally:
        conn.close()


def test_a_copy_can_be_aborted_or_forced_to_complete(guest):
    """Slowed to 1 MiB/s, a copy is still running when the administrator aborts it
    (the guest stays and runs on, the migration is cancelled) or forces it to
    complete (paused for the last pages, it runs again on the destination)."""
    cloud, api = guest.cloud, compute_api.API()
    admin = nova_context.get_admin_context()
    libvirtds = cloud.libvirtds
    source = guest.row.host
    target = 'c2' if source == 'c1' else 'c1'

    _throttle(libvirtds[source], guest, 1)
    api.live_migrate(admin, guest.row, host=target)
    migration = _copying(admin, guest, libvirtds[source])
    api.live_migrate_abort(admin, guest.row, migration.id)
    wait_for(lambda: db.migration_get(admin, migration.id).status == 'cancelled', 60,
             'the migration cancelled')
    stayed = wait_for(lambda: (lambda row: row if row.task_state is None else None)(guest.row),
                      60, 'the guest back to no task')
    assert (stayed.host, stayed.vm_state) == (source, 'active')
    cpu = _running(libvirtds[source])[guest.id]
    wait_for(lambda: _running(libvirtds[source])[guest.id] > cpu, 10,
             'the guest to run on where it was')
    assert guest.id not in _running(libvirtds[target])

    _throttle(libvirtds[source], guest, 1)
    api.live_migrate(admin, guest.row, host=target)
    migration = _copying(admin, guest, libvirtds[source])
    forcing = time.monotonic()
    api.live_migrate_force_complete(admin, guest.row, migration.id)
    moved = wait_for(lambda: (lambda row: row if row.host == target and row.task_state is None
                              else None)(guest.row), 60, 'the guest forced to %s' % target)
    print('force complete: on %s %.1f s after the request' % (target, time.monotonic() - forcing))
    assert moved.vm_state == 'active' and moved.power_state == 1  # RUNNING, not paused
    # the instance follows the guest first, the record is completed right after
    wait_for(lambda: db.migration_get(admin, migration.id).status == 'completed', 10,
             'the migration completed')
    cpu = _running(libvirtds[target])[guest.id]
    wait_for(lambda: _running(libvirtds[target])[guest.id] > cpu, 10,
             'the guest to run on %s' % target)
    assert lg.count(guest.markers(), 'ready$') == 1  # it never booted again
