"""Live migration of a real QEMU (TCG) guest between two compute hosts.

Two nova-compute daemons (c1, c2) over a private RabbitMQ, each with its own
private libvirtd (its own host UUID), sharing one instances_path: the shared
storage a live migration without block migration needs. The guest moves while
it runs: it does not boot again, its domain is now c2's libvirtd's, and the
API shows the new host.
"""
import os
import time

import pytest

from tests.harness import daemons
from tests.harness import libvirt_guests as lg
from tests.harness.cloud import Cloud
from tests.harness.libvirtd import PrivateLibvirtd

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope='module')
def hosts(tmp_path_factory, rabbitmq, guest_image):
    base = tmp_path_factory.mktemp('live')
    daemons_ = {host: PrivateLibvirtd(str(base / ('libvirtd-' + host))) for host in ('c1', 'c2')}
    try:
        for daemon in daemons_.values():
            daemon.start()
    except RuntimeError as e:
        for daemon in daemons_.values():
            daemon.stop()
        pytest.skip('live migration skipped: two private libvirtds cannot run here: %s' % e)
    cloud = Cloud(str(base / 'cloud'), transport_url=rabbitmq.url,
                  sql_connection='sqlite:///%s' % (base / 'cloud' / 'nova.sqlite'),
                  compute_driver='libvirt.LibvirtDriver', libvirt_type='qemu',
                  libvirt_tcg_tb_cache_mb=64, fixed_range='', my_ip='127.0.0.1')
    try:
        cloud.manage('db', 'sync')
        cloud.manage('bootstrap', 'admin', '--novarc', cloud.novarc_path)
        for binary in ('nova-scheduler', 'nova-api', 'nova-objectstore', 'nova-image',
                       'nova-serialproxy'):
            cloud._spawn(binary)
        for host, daemon in daemons_.items():
            cloud._spawn('nova-compute', '--host=%s' % host, '--libvirt_uri=%s' % daemon.uri)
        cloud.wait_ready()
        cloud.manage('image', 'register-guest', guest_image)
        yield cloud, daemons_
    finally:
        cloud.stop()
        for daemon in daemons_.values():
            daemon.stop()


def _guests(daemon):
    conn = libvirt.open(daemon.uri)
    try:
        return {d.UUIDString(): d.info()[4] for d in conn.listAllDomains() if d.isActive()}
    finally:
        conn.close()


@pytest.fixture(scope='module')
def mover(hosts):
    """One running guest for the module's tests (they move it in turn)."""
    cloud, _libvirtds = hosts
    admin = lg.sdk_connection(cloud, admin=True)
    image = admin.image.find_image('nova-guest', ignore_missing=False)
    flavor = admin.compute.find_flavor('m1.tiny', ignore_missing=False)
    server = admin.compute.create_server(name='mover', image_id=image.id, flavor_id=flavor.id,
                                         networks='none')
    server = lg.wait_status(admin, server, 'ACTIVE')
    lg.wait_boots(admin, server, 1)
    yield admin, server
    admin.close()


def test_a_running_guest_moves_to_the_other_host(hosts, mover):
    cloud, libvirtds = hosts
    admin, server = mover
    server = admin.compute.get_server(server)
    source = server.compute_host
    target = 'c2' if source == 'c1' else 'c1'

    admin.compute.live_migrate_server(server, host=target, block_migration=False)
    moved = daemons.wait_for(
        lambda: (lambda s: s if s.compute_host == target and s.status == 'ACTIVE'
                 and s.task_state is None else None)(admin.compute.get_server(server)),
        timeout=120, interval=0.5, what='the guest on %s' % target)
    assert server.id not in _guests(libvirtds[source])
    cpu = _guests(libvirtds[target])[server.id]
    daemons.wait_for(lambda: _guests(libvirtds[target])[server.id] > cpu, timeout=10,
                     what='the moved guest to run')
    found = lg.markers(lg.console(admin, moved))
    assert lg.count(found, 'ready$') == 1  # it did not boot again
    console = os.path.join(cloud.state_path, 'instances', server.id, 'console.log')
    assert os.path.exists(console)  # one directory, on the shared instances_path
    [migration] = [m for m in admin.compute.migrations() if m.server_id == server.id]
    assert migration.status == 'completed' and migration.dest_compute == target


def _copying(admin, server, daemon):
    """Once the guest's memory is being copied (libvirt has a job on the source and
    the API lists the migration running): that migration."""
    conn = libvirt.open(daemon.uri)
    try:
        domain = conn.lookupByUUIDString(server.id)

        def running():
            if domain.jobInfo()[0] == libvirt.VIR_DOMAIN_JOB_NONE:
                return None
            return next((m for m in admin.compute.server_migrations(server)
                         if m.status == 'running'), None)
        return daemons.wait_for(running, timeout=60, interval=0.2, what='the copy to run')
    finally:
        conn.close()


def _throttle(daemon, server, mib_per_s):
    """The guest's next (or current) migration at most this fast: time to steer it."""
    conn = libvirt.open(daemon.uri)
    try:
        conn.lookupByUUIDString(server.id).migrateSetMaxSpeed(mib_per_s, 0)
    finally:
        conn.close()


def test_a_copy_can_be_aborted_or_forced_to_complete(hosts, mover):
    """Slowed to 1 MiB/s, a copy is still running when the administrator aborts it
    (the guest stays and runs on, the migration is cancelled) or forces it to
    complete (paused for the last pages, it runs again on the destination)."""
    cloud, libvirtds = hosts
    admin, server = mover
    source = admin.compute.get_server(server).compute_host
    target = 'c2' if source == 'c1' else 'c1'

    _throttle(libvirtds[source], server, 1)
    admin.compute.live_migrate_server(server, host=target, block_migration=False)
    migration = _copying(admin, server, libvirtds[source])
    admin.compute.abort_server_migration(migration, server)
    daemons.wait_for(lambda: next(m for m in admin.compute.migrations()
                                  if m.id == migration.id).status == 'cancelled',
                     timeout=60, interval=0.5, what='the migration cancelled')
    stayed = lg.wait_status(admin, server, 'ACTIVE')
    assert stayed.compute_host == source and stayed.task_state is None
    cpu = _guests(libvirtds[source])[server.id]
    daemons.wait_for(lambda: _guests(libvirtds[source])[server.id] > cpu, timeout=10,
                     what='the guest to run on where it was')
    assert server.id not in _guests(libvirtds[target])

    _throttle(libvirtds[source], server, 1)
    admin.compute.live_migrate_server(server, host=target, block_migration=False)
    migration = _copying(admin, server, libvirtds[source])
    forcing = time.monotonic()
    admin.compute.force_complete_server_migration(migration, server)
    moved = daemons.wait_for(
        lambda: (lambda s: s if s.compute_host == target and s.task_state is None
                 else None)(admin.compute.get_server(server)),
        timeout=60, interval=0.5, what='the guest forced to %s' % target)
    print('force complete: on %s %.1f s after the request' % (target, time.monotonic() - forcing))
    assert moved.status == 'ACTIVE' and moved.power_state == 1  # RUNNING, not paused
    cpu = _guests(libvirtds[target])[server.id]
    daemons.wait_for(lambda: _guests(libvirtds[target])[server.id] > cpu, timeout=10,
                     what='the guest to run on %s' % target)
    assert lg.count(lg.markers(lg.console(admin, moved)), 'ready$') == 1

    admin.compute.delete_server(moved)
    admin.compute.wait_for_delete(moved, wait=60, interval=0.5)
    assert server.id not in _guests(libvirtds[target])
