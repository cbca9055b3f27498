"""Live migration of a real QEMU (TCG) guest between two compute hosts.

Two nova-compute daemons (c1, c2) over a private RabbitMQ, each with its own
private libvirtd (its own host UUID), sharing one instances_path: the shared
storage a live migration without block migration needs. The guest moves while
it runs: it does not boot again, its domain is now c2's libvirtd's, and the
API shows the new host.
"""
import os

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


def test_a_running_guest_moves_to_the_other_host(hosts):
    cloud, libvirtds = hosts
    admin = lg.sdk_connection(cloud, admin=True)
    image = admin.image.find_image('nova-guest', ignore_missing=False)
    flavor = admin.compute.find_flavor('m1.tiny', ignore_missing=False)
    server = admin.compute.create_server(name='mover', image_id=image.id, flavor_id=flavor.id,
                                         networks='none')
    server = lg.wait_status(admin, server, 'ACTIVE')
    lg.wait_boots(admin, server, 1)
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
    admin.compute.delete_server(moved)
    admin.compute.wait_for_delete(moved, wait=60, interval=0.5)
    assert server.id not in _guests(libvirtds[target])
    admin.close()
