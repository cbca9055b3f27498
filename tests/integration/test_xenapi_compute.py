"""nova-compute with the XenAPI driver, driven through the APIs by real clients.

nova-all runs with ``--compute_driver=xenapi.XenAPIDriver`` against the XAPI
test server (tests/harness/xapi) in a process of its own, reached over TCP
as a pool master would be. The proof of each operation is what XAPI itself
holds afterwards (its VM, VDI, VBD, VIF, SR and PBD records, read through the
server's test controls) and what the test server's guest printed to its
console, read back through the Compute API. Volumes come from nova-volume,
exported by a private tgtd; the test server logs into them for real (QEMU's
iSCSI initiator) when the driver plugs the PBD.

One server is shared by the lifecycle tests, which run in file order and
each leave it ACTIVE; the last test deletes it and checks that nothing is
left on the XAPI server.
"""
import os

import pytest

from tests.harness import daemons
from tests.harness import libvirt_guests as lg
from tests.harness import tgt
from tests.harness.cloud import Cloud
from tests.harness.xapi.control import XapiProcess

pytest.importorskip('XenAPI', reason='the XenAPI client is not installed (pip install XenAPI)')

pytestmark = pytest.mark.timeout(120)

BANNER = 'Nova built-in default image'  # the first line of the default image's disk


@pytest.fixture(scope='module')
def xapi(tmp_path_factory):
    """The XAPI test server, with a network on nova-network's default bridge: a pool
    of two hosts (127.0.0.1 the master, 127.0.0.2 a slave)."""
    server = XapiProcess(tmp_path_factory.mktemp('xapi'), bridges=('br100',), real_iscsi=True,
                         hosts=('127.0.0.1', '127.0.0.2'))
    yield server
    server.stop()


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, xapi, tgt_daemon):
    """nova-all on the XAPI server; nova-volume exports through tgt_daemon (the plugin
    fixture of tests/harness/tgt.py, None where no tgtd can run)."""
    flags = tgt_daemon.flags() if tgt_daemon else {'tgtd_start': False}
    running = Cloud.start_all(
        tmp_path_factory.mktemp('cloud'), compute_driver='xenapi.XenAPIDriver',
        xenapi_connection_url=xapi.url, xenapi_connection_password='secret',
        xenapi_task_poll_interval=0.2, xenapi_retry_interval=0.05,
        # the image cache task every second, removing what no instance uses at once
        image_cache_manager_interval=1, remove_unused_base_images_age=0, **flags)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def conn(cloud):
    """openstacksdk in this process, as novarc's user (a client process per call
    would cost seconds each on these loaded cores)."""
    connection = lg.sdk_connection(cloud, admin=True)
    yield connection
    connection.close()


def nova_vm(xapi, server_id):
    """(ref, record) of the VM XAPI holds for the instance, or None."""
    for ref, record in xapi.records('VM').items():
        if record['other_config'].get('nova_uuid') == server_id:
            return ref, record
    return None


def disk_vdis(xapi):
    """The VDIs of instances (not the image cache, which the cache task prunes on its
    own schedule)."""
    return {ref for ref, r in xapi.records('VDI').items()
            if r['other_config'].get('nova_disk_type') != 'cached-image'}


def power_state(xapi, server_id):
    return nova_vm(xapi, server_id)[1]['power_state']


def console(conn, server):
    return conn.compute.get_server_console_output(server)['output']


def boots(conn, server):
    """How many times the guest reached its login prompt."""
    return console(conn, server).count(' login:')


def wait_status(conn, server, status):
    return conn.compute.wait_for_server(server, status=status, wait=60, interval=0.2)


def boot(conn, name, image='cirros'):
    image = conn.image.find_image(image, ignore_missing=False)
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    return conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                      networks='auto')


@pytest.fixture(scope='module')
def guest(conn):
    """The module's shared server."""
    server = wait_status(conn, boot(conn, 'xen-shared'), 'ACTIVE')
    yield server
    conn.compute.delete_server(server, ignore_missing=True)


# --- boot: image -> cached VDI -> clone -> VM running ---

def test_boot_runs_a_vm_on_the_xapi_server(xapi, conn, guest):
    ref, vm = nova_vm(xapi, guest.id)
    assert vm['power_state'] == 'Running'
    assert int(vm['memory_static_max']) == 512 * 1024 ** 2  # m1.tiny
    vdis, vbds = xapi.records('VDI'), xapi.records('VBD')
    [root] = [vbds[v] for v in vm['VBDs'] if vbds[v]['userdevice'] == '0']
    assert root['currently_attached'] and root['bootable']
    disk = vdis[root['VDI']]
    assert int(disk['virtual_size']) == 1024 ** 3  # grown to the flavor's root_gb
    image = conn.image.find_image('cirros', ignore_missing=False)
    cached = [r for r in vdis.values() if r['other_config'].get('nova_image_id') == image.id]
    assert len(cached) == 1 and cached[0]['other_config']['nova_disk_type'] == 'cached-image'
    [vif_ref] = vm['VIFs']  # one network_info entry, one VIF
    vif = xapi.records('VIF')[vif_ref]
    assert vif['VM'] == ref
    assert xapi.records('network')[vif['network']]['bridge'] == 'br100'
    # the guest booted from the image's data, with the instance's hostname
    text = console(conn, guest)
    assert 'xen-guest: xvda %d bytes: %s' % (1024 ** 3, BANNER) in text
    assert 'xen-guest: hostname xen-shared' in text
    assert 'on bridge br100' in text


# --- the shared server's lifecycle ---

def test_soft_reboot_boots_the_guest_again(xapi, conn, guest):
    before = boots(conn, guest)
    conn.compute.reboot_server(guest, 'SOFT')
    wait_status(conn, guest, 'ACTIVE')
    daemons.wait_for(lambda: boots(conn, guest) > before, timeout=30, what='a second boot')
    assert power_state(xapi, guest.id) == 'Running'


def test_stop_and_start(xapi, conn, guest):
    before = boots(conn, guest)
    conn.compute.stop_server(guest)
    stopped = wait_status(conn, guest, 'SHUTOFF')
    assert stopped.power_state == 4
    assert power_state(xapi, guest.id) == 'Halted'
    conn.compute.start_server(guest)
    wait_status(conn, guest, 'ACTIVE')
    assert power_state(xapi, guest.id) == 'Running'
    assert boots(conn, guest) == before + 1


def test_pause_and_unpause(xapi, conn, guest):
    conn.compute.pause_server(guest)
    assert wait_status(conn, guest, 'PAUSED').power_state == 3
    assert power_state(xapi, guest.id) == 'Paused'
    conn.compute.unpause_server(guest)
    wait_status(conn, guest, 'ACTIVE')
    assert power_state(xapi, guest.id) == 'Running'


def test_suspend_and_resume_keep_the_guest_running(xapi, conn, guest):
    before = boots(conn, guest)
    conn.compute.suspend_server(guest)
    wait_status(conn, guest, 'SUSPENDED')
    ref, vm = nova_vm(xapi, guest.id)
    assert vm['power_state'] == 'Suspended'
    assert vm['suspend_VDI'] in xapi.records('VDI')  # the memory image
    conn.compute.resume_server(guest)
    wait_status(conn, guest, 'ACTIVE')
    ref, vm = nova_vm(xapi, guest.id)
    assert vm['power_state'] == 'Running' and vm['suspend_VDI'] not in xapi.records('VDI')
    assert boots(conn, guest) == before  # resumed, not booted


def test_snapshot_boots_with_the_disk_the_guest_wrote(xapi, conn, guest):
    image = conn.compute.create_server_image(guest, 'xen-snapshot', wait=True, timeout=60)
    image = conn.image.get_image(image)
    assert image.status == 'active' and image.disk_format == 'vhd'
    assert not [r for r in xapi.records('VDI').values() if r['is_a_snapshot']]  # exported, gone
    clone = boot(conn, 'xen-clone', image.id)
    try:
        clone = wait_status(conn, clone, 'ACTIVE')
        text = console(conn, clone)
        assert BANNER in text  # the original image's data ...
        assert 'last boot record: booted as xen-shared' in text  # ... and what the guest wrote
    finally:
        conn.compute.delete_server(clone)
        conn.compute.wait_for_delete(clone, interval=0.2, wait=60)
    assert nova_vm(xapi, clone.id) is None
    conn.image.delete_image(image)


def test_resize_is_refused_as_the_host_reports_no_such_capability(conn, guest):
    from openstack import exceptions
    bigger = conn.compute.find_flavor('m1.small', ignore_missing=False)
    with pytest.raises(exceptions.ConflictException) as refused:
        conn.compute.resize_server(guest, bigger.id)
    assert 'resize' in str(refused.value).lower()
    assert conn.compute.get_server(guest).status == 'ACTIVE'


# --- a nova-volume volume, attached through the Compute API ---

def test_volume_attach_and_detach(cloud, xapi, conn, guest, tgt_daemon):
    reason = tgt.unavailable_reason() or tgt.qemu_unavailable_reason()
    if reason:  # the XAPI server logs into the target with QEMU's initiator
        pytest.skip('volume attach skipped: %s' % reason)
    volume = conn.block_storage.create_volume(size=1, name='xen-vol')
    volume = conn.block_storage.wait_for_status(volume, 'available', interval=0.2, wait=60)
    # what the guest must read through iSCSI: written into the file nova-volume exports
    signature = 'NOVA-VOLUME %s' % volume.id
    with open(os.path.join(cloud.state_path, 'volumes', 'volume-' + volume.id), 'r+b') as f:
        f.write(signature.encode() + b'\n')
    conn.compute.create_volume_attachment(guest, volume=volume.id)
    conn.block_storage.wait_for_status(volume, 'in-use', interval=0.2, wait=60)

    ref, vm = nova_vm(xapi, guest.id)
    vbds = xapi.records('VBD')
    [vbd] = [vbds[v] for v in vm['VBDs'] if vbds[v]['other_config'].get('nova_volume_id')]
    assert vbd['other_config']['nova_volume_id'] == volume.id
    assert vbd['userdevice'] == '1' and vbd['currently_attached']  # hot-plugged, xvdb
    vdi = xapi.records('VDI')[vbd['VDI']]
    sr = xapi.records('SR')[vdi['SR']]
    assert sr['type'] == 'iscsi' and int(vdi['virtual_size']) == 1024 ** 3
    [pbd] = [xapi.records('PBD')[p] for p in sr['PBDs']]
    assert pbd['currently_attached']
    assert pbd['device_config']['targetIQN'].endswith(volume.id)
    assert pbd['device_config']['port'] == str(tgt_daemon.port)
    assert pbd['device_config']['chapuser']  # the CHAP account nova-volume set up
    assert 'disks now: xvda xvdb' in console(conn, guest)
    assert 'disk xvdb reads: %s' % signature in console(conn, guest)

    conn.compute.delete_volume_attachment(guest, volume.id)
    conn.block_storage.wait_for_status(volume, 'available', interval=0.2, wait=60)
    ref, vm = nova_vm(xapi, guest.id)
    assert len(vm['VBDs']) == 1  # the root disk only
    assert not [r for r in xapi.records('SR').values() if r['type'] == 'iscsi']  # forgotten
    assert not xapi.records('PBD').keys() - {
        p for r in xapi.records('SR').values() for p in r['PBDs']}
    conn.block_storage.delete_volume(volume)


# --- XAPI failures: the instance ends in ERROR or back where it was, never stuck ---

def test_a_failed_vm_start_ends_the_build_in_error_with_nothing_left(xapi, conn):
    before = disk_vdis(xapi)
    starts = xapi.control('counts').get('Async.VM.start', 0)
    xapi.inject('VM.start', ['INTERNAL_ERROR', 'injected by the test'])
    server = conn.compute.wait_for_server(boot(conn, 'xen-fails'), status='ERROR',
                                          failures=['ACTIVE'], wait=60, interval=0.2)
    assert xapi.control('counts')['Async.VM.start'] == starts + 1  # the build met the failure
    # ... was rescheduled, and the one host was not tried twice
    assert 'No valid host' in server.fault['message'], server.fault
    assert nova_vm(xapi, server.id) is None  # rolled back on the XAPI server
    assert disk_vdis(xapi) == before
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)


def test_a_failed_snapshot_export_deletes_the_image_and_the_snapshot_vdi(xapi, conn, guest):
    vdis = disk_vdis(xapi)
    xapi.inject('export_raw_vdi', ['VDI_IO_ERROR', 'injected by the test'])
    conn.compute.create_server_image(guest, 'xen-broken-snapshot')
    daemons.wait_for(lambda: conn.compute.get_server(guest).task_state is None, timeout=30,
                     interval=0.2, what='the snapshot to end')
    assert conn.compute.get_server(guest).status == 'ACTIVE'
    assert conn.image.find_image('xen-broken-snapshot') is None  # no half image
    assert disk_vdis(xapi) == vdis  # the snapshot VDI was destroyed


def test_a_failed_volume_plug_forgets_the_sr(xapi, conn, guest, tgt_daemon):
    reason = tgt.unavailable_reason() or tgt.qemu_unavailable_reason()
    if reason:
        pytest.skip('volume attach skipped: %s' % reason)
    volume = conn.block_storage.create_volume(size=1, name='xen-vol-fails')
    volume = conn.block_storage.wait_for_status(volume, 'available', interval=0.2, wait=60)
    xapi.inject('VBD.plug', ['INTERNAL_ERROR', 'injected by the test'])
    conn.compute.create_volume_attachment(guest, volume=volume.id)
    daemons.wait_for(lambda: not list(conn.compute.volume_attachments(guest)), timeout=30,
                     interval=0.2, what='the failed attachment to go')
    assert conn.block_storage.get_volume(volume).status == 'available'
    assert len(nova_vm(xapi, guest.id)[1]['VBDs']) == 1  # the root disk only
    assert not [r for r in xapi.records('SR').values() if r['type'] == 'iscsi']
    conn.block_storage.delete_volume(volume)


def test_a_host_without_the_console_plugin_answers_404(xapi, conn, guest):
    from openstack import exceptions
    xapi.inject('host.call_plugin', ['XENAPI_MISSING_PLUGIN', 'console'])
    with pytest.raises(exceptions.NotFoundException) as missing:
        console(conn, guest)
    assert 'plugin' in str(missing.value)


def test_a_failed_pause_task_leaves_the_server_active(xapi, conn, guest):
    xapi.inject('VM.pause', ['VM_BAD_POWER_STATE', 'x', 'Running', 'Paused'])
    conn.compute.pause_server(guest)
    daemons.wait_for(lambda: conn.compute.get_server(guest).task_state is None, timeout=30,
                     interval=0.2, what='the pause to end')
    assert conn.compute.get_server(guest).status == 'ACTIVE'
    assert power_state(xapi, guest.id) == 'Running'


def test_expired_sessions_are_logged_in_again(xapi, conn, guest):
    xapi.control('expire_sessions')
    conn.compute.pause_server(guest)
    wait_status(conn, guest, 'PAUSED')
    conn.compute.unpause_server(guest)
    wait_status(conn, guest, 'ACTIVE')
    assert power_state(xapi, guest.id) == 'Running'


def test_the_driver_follows_a_new_pool_master(xapi, conn, guest):
    logins = xapi.control('counts').get('session.login_with_password', 0)
    xapi.control('set_master', address='127.0.0.2')  # sessions end, 127.0.0.1 is a slave
    try:
        conn.compute.pause_server(guest)
        wait_status(conn, guest, 'PAUSED')
        assert power_state(xapi, guest.id) == 'Paused'
        # logged in again: refused by the old master (HOST_IS_SLAVE), then on the new one
        assert xapi.control('counts')['session.login_with_password'] >= logins + 2
    finally:
        xapi.control('set_master', address='127.0.0.1')
    conn.compute.unpause_server(guest)
    wait_status(conn, guest, 'ACTIVE')
    assert power_state(xapi, guest.id) == 'Running'


# --- last: delete leaves nothing of the instance on the XAPI server ---

def test_delete_leaves_nothing_on_the_xapi_server(xapi, conn, guest):
    # a first delete meets a failing VM.destroy: the server is not left 'deleting' ...
    xapi.inject('VM.destroy', ['INTERNAL_ERROR', 'injected by the test'])
    conn.compute.delete_server(guest)
    daemons.wait_for(lambda: conn.compute.get_server(guest).task_state is None, timeout=30,
                     interval=0.2, what='the failed delete to end')
    assert nova_vm(xapi, guest.id)[1]['power_state'] == 'Halted'
    assert conn.compute.get_server(guest).status == 'ERROR'  # not ACTIVE: it is halted
    conn.compute.delete_server(guest)  # ... and deleting it again finishes the job
    conn.compute.wait_for_delete(guest, interval=0.2, wait=60)
    assert nova_vm(xapi, guest.id) is None
    assert [r['name_label'] for r in xapi.records('VM').values()
            if not r['is_control_domain']] == []
    assert xapi.records('VBD') == {} and xapi.records('VIF') == {}
    assert [r['type'] for r in xapi.records('SR').values()] == ['ext']
    # the cached image VDI goes too, once the image cache task sees no instance use it
    daemons.wait_for(lambda: xapi.records('VDI') == {}, timeout=30, interval=0.2,
                     what='the image cache to empty')
