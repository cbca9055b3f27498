"""Real QEMU (TCG) guests through Nova's APIs: nova-all with the libvirt driver on a
private libvirtd, booting the tiny guest of tools/guest-image/build.

The cloud is README's "Real VMs" section: its flags (etc/nova/nova.flags plus
libvirt, QEMU and FlatDHCP), nova-all with nova-network making br100, dnsmasq
and the metadata NAT, nova-volume starting its own tgtd; all of it in a
network namespace of its own (a host of a netns.Lab, where the libvirtd runs
too, so that guests' taps join that br100), the APIs reached through
forwarders. test_the_readme_steps follows the section's user steps.

What the guest prints on its serial console ("nova-guest: ..." lines, read
back through the API) is the proof: that it booted, from which disk, what it
saw. One guest is shared by the lifecycle tests (a TCG boot costs seconds);
those tests run in file order and each leaves it ACTIVE.
"""
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from xml.etree import ElementTree

import boto3
import pytest

from tests.harness import daemons
from tests.harness import libvirt_guests as lg
from tests.harness import netns
from tests.harness import tgt

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope='module')
def lab():
    """The host the cloud runs on: a namespace on an underlay (eth0 192.0.2.x: $my_ip)."""
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip('real guest tests skipped: %s' % reason)
    made = netns.Lab()
    try:
        made.host_ns, _address = made.host('host')
        yield made
    finally:
        made.cleanup()


@pytest.fixture(scope='module')
def libvirtd(lab, tmp_path_factory):
    yield from lg.private_libvirtd(tmp_path_factory.mktemp('libvirtd'), netns=lab.host_ns)


@pytest.fixture(scope='module')
def cloud(lab, libvirtd, guest_image):
    """README's cloud; its nova-volume starts a tgtd of its own (in the namespace) where
    tgt is installed."""
    state = tempfile.mkdtemp(prefix='nova-lvguests-')
    os.chmod(state, 0o755)  # dnsmasq reads its hosts file (networks/) as nobody
    flags = {'tgtd_start': False} if tgt.unavailable_reason() else {}
    # nova-instancemonitor samples every second (test_run_instances_through_ec2); a
    # placement lost in nova-all's in-process queue by the kill -9 of
    # test_kill_9_while_guests_boot_leaves_no_orphan is sent again by the scheduler's
    # reconcile after --scheduling_timeout (120 s by default)
    flags.update(monitoring_instances_step=1, monitor_graph_interval=0,
                 scheduler_reconcile_interval=2, scheduling_timeout=20)
    try:
        running = lg.readme_cloud(state, lab, lab.host_ns, libvirtd, guest_image, **flags)
        yield running
        running.stop()
        if 'tgtd_start' not in flags:  # nova-volume's tgtd (the lab kills it otherwise)
            control = running.flags['iscsi_control_port']
            subprocess.run(['tgtadm', '-C', str(control), '--mode', 'sys', '--op', 'delete'],
                           capture_output=True)
            tgt.remove_sockets(control)
    finally:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope='module')
def member(cloud):
    return lg.new_member(cloud)


@pytest.fixture(scope='module')
def conn(cloud, member):
    connection = lg.sdk_connection(cloud, member=member)
    yield connection
    connection.close()


@pytest.fixture(scope='module')
def hypervisor(libvirtd):
    connection = libvirt.open(libvirtd.uri)
    yield connection
    connection.close()


@pytest.fixture(scope='module')
def guest(cloud, conn, member):
    """The module's one long-lived guest, booted by a project member with the
    openstack CLI (no --wait: the CLI polls every 5 s; openstacksdk here polls
    faster); the last test deletes it with the CLI."""
    created = cloud.run_json('openstack', 'server', 'create', '--image', 'nova-guest',
                             '--flavor', 'm1.tiny', '-f', 'json', 'shared',
                             env=lg.member_env(cloud, member))
    server = lg.wait_status(conn, conn.compute.get_server(created['id']), 'ACTIVE')
    lg.wait_boots(conn, server, 1)
    yield server
    conn.compute.delete_server(server, ignore_missing=True)


def instances_path(cloud):
    return os.path.join(cloud.state_path, 'instances')


def domain_xml(hypervisor, server):
    from xml.etree import ElementTree
    return ElementTree.fromstring(hypervisor.lookupByUUIDString(server.id).XMLDesc(0))


def cpu_time(hypervisor, server):
    """The QEMU process's CPU time (ns)."""
    return hypervisor.lookupByUUIDString(server.id).info()[4]


def vcpu_time(hypervisor, server):
    """The guest's vCPU threads' CPU time (ns): not QEMU's main loop, which answers
    the monitor's stats queries and the NIC's traffic even while the guest is paused."""
    return sum(vcpu[2] for vcpu in hypervisor.lookupByUUIDString(server.id).vcpus()[0])


# --- boot (the shared guest, by the openstack CLI) and EC2 ---

def test_boot_with_the_openstack_cli(cloud, hypervisor, conn, guest, member):
    found = lg.markers(cloud.run('openstack', 'console', 'log', 'show', 'shared',
                                 env=lg.member_env(cloud, member)).stdout)
    assert found[0].startswith('booted kernel ')
    assert 'root-disk vda signature=NOVA-GUEST-DISK v1' in found
    assert 'root-disk vda last-writer=' in found  # a fresh disk: nobody wrote it yet
    # README: the address DHCP gave it is the API's; it read its metadata
    shown = cloud.run_json('openstack', 'server', 'show', 'shared', '-f', 'json',
                           env=lg.member_env(cloud, member))
    [address] = [entry['addr'] for entry in conn.compute.get_server(guest).addresses['private']]
    assert address in str(shown['addresses'])
    assert address.startswith('10.0.') and 'eth0 ip=%s' % address in found, found
    assert 'metadata hostname=shared' in found and 'metadata local-ipv4=%s' % address in found
    assert any(re.fullmatch(r'metadata instance-id=i-[0-9a-f]{8}', line) for line in found)

    # the domain: TCG, the flavor's memory, the AKI/ARI and the overlay disk
    root = domain_xml(hypervisor, guest)
    instance_dir = os.path.join(instances_path(cloud), guest.id)
    assert root.get('type') == 'qemu' and root.findtext('name').startswith('instance-')
    assert int(root.findtext('memory')) == 512 * 1024
    assert root.findtext('os/kernel') == os.path.join(instance_dir, 'kernel')
    assert root.findtext('os/initrd') == os.path.join(instance_dir, 'ramdisk')
    assert 'console=ttyS0' in root.findtext('os/cmdline')
    assert root.find('features/acpi') is not None
    assert root.find('devices/serial/source').get('path') == \
        os.path.join(instance_dir, 'console.log')
    [disk] = root.findall('devices/disk')
    assert disk.find('source').get('file') == os.path.join(instance_dir, 'disk')
    image = conn.image.find_image('nova-guest', ignore_missing=False)
    base = os.path.join(instances_path(cloud), '_base', '%s_%s' % (image.id, image.checksum))
    info = json.loads(cloud.run('qemu-img', 'info', '-U', '--output=json',
                                os.path.join(instance_dir, 'disk')).stdout)
    assert info['format'] == 'qcow2' and info['virtual-size'] == 1024 ** 3  # root_gb 1
    assert info['full-backing-filename'] == base and info['backing-filename-format'] == 'raw'


def test_run_instances_through_ec2(cloud, hypervisor):
    """The guest reads its own EC2 id; nova-instancemonitor's 1 s series of it, read
    with boto3's CloudWatch client, show its boot, its idling and its pause."""
    def aws(*argv):
        return cloud.run_json('aws', '--endpoint-url', cloud.novarc()['EC2_URL'],
                              '--output', 'json', 'ec2', *argv)
    [ami] = aws('describe-images', '--filters', 'Name=name,Values=nova-guest')['Images']
    assert ami['ImageId'].startswith('ami-')
    assert ami['KernelId'].startswith('aki-') and ami['RamdiskId'].startswith('ari-')
    start = _now()
    reply = aws('run-instances', '--image-id', ami['ImageId'], '--instance-type', 'm1.tiny')
    instance_id = reply['Instances'][0]['InstanceId']
    ec2 = lg.ec2_client(cloud)
    try:
        ready = _ec2_guest_checks(cloud, aws, ec2, instance_id)
        _monitor_checks(cloud, instance_id, start, ready)
    finally:
        ec2.terminate_instances(InstanceIds=[instance_id])


def _ec2_guest_checks(cloud, aws, ec2, instance_id):
    """When the guest was seen ready."""
    # wait in-process (boto3, same EC2 API): an `aws` process per poll costs seconds
    def state():
        [reservation] = ec2.describe_instances(InstanceIds=[instance_id])['Reservations']
        return reservation['Instances'][0]['State']['Name']
    daemons.wait_for(lambda: state() == 'running', timeout=120, interval=0.3,
                     what='%s running' % instance_id)
    daemons.wait_for(lambda: 'nova-guest: ready' in (ec2.get_console_output(
        InstanceId=instance_id).get('Output') or ''), timeout=120, interval=0.5,
        what='the ready marker of %s' % instance_id)
    ready = time.time()
    output = aws('get-console-output', '--instance-id', instance_id).get('Output') or ''
    found = lg.markers(output)
    assert 'root-disk vda signature=NOVA-GUEST-DISK v1' in found
    [reservation] = aws('describe-instances', '--instance-ids', instance_id)['Reservations']
    [instance] = reservation['Instances']
    assert instance['State']['Name'] == 'running'
    # its own EC2 id from the metadata service, its address from dnsmasq: EC2's own
    assert 'metadata instance-id=%s' % instance_id in found, found
    assert 'eth0 ip=%s' % instance['PrivateIpAddress'] in found, found
    return ready


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _series(cw, ec2_id, metric, start, end, statistic='Average'):
    """[(epoch second, value)] of one metric at the 1 s step."""
    points = cw.get_metric_statistics(
        Namespace='AWS/EC2', MetricName=metric, StartTime=start, EndTime=end, Period=1,
        Dimensions=[{'Name': 'InstanceId', 'Value': ec2_id}], Statistics=[statistic])
    return sorted((p['Timestamp'].timestamp(), p[statistic]) for p in points['Datapoints'])


def _between(series, start, end):
    return [value for at, value in series if start <= at < end]


def _monitor_checks(cloud, ec2_id, start, ready):
    """A TCG guest keeps a host CPU busy while its kernel boots, then idles in its
    init loop; paused, it runs nothing. So its CPU series is high while it boots, low
    once it is ready, near zero while it is paused; its disk series shows what its
    init reads and writes on its root disk."""
    rc = cloud.novarc()
    cw = boto3.client('cloudwatch', endpoint_url=rc['CLOUDWATCH_URL'],
                      region_name=rc['AWS_DEFAULT_REGION'],
                      aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                      aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])
    admin = lg.sdk_connection(cloud, admin=True)
    [server] = list(admin.compute.servers())  # the admin's project has only this one

    def samples_since(since):
        return _between(_series(cw, ec2_id, 'CPUUtilization', start, _now()), since, 2e9)
    daemons.wait_for(lambda: len(samples_since(ready + 2)) >= 3, timeout=30, interval=0.5,
                     what='idle samples')
    pausing = time.time()
    admin.compute.pause_server(server)
    lg.wait_status(admin, server, 'PAUSED')
    paused = time.time()
    daemons.wait_for(lambda: len(samples_since(paused + 1)) >= 3, timeout=30, interval=0.5,
                     what='samples while paused')
    unpausing = time.time()
    admin.compute.unpause_server(server)
    lg.wait_status(admin, server, 'ACTIVE')
    admin.close()
    end = _now()

    cpu = _series(cw, ec2_id, 'CPUUtilization', start, end)
    booting = _between(cpu, 0, ready - 1)
    idle = _between(cpu, ready + 2, pausing)
    paused_cpu = _between(cpu, paused + 1, unpausing)
    print('CPU %% booting %s, idle %s, paused %s' % (booting, idle, paused_cpu))
    assert len(booting) >= 3 and len(idle) >= 3 and len(paused_cpu) >= 3
    assert max(booting) > 20.0
    assert statistics.median(idle) < max(booting) / 3
    # paused, the vCPUs run nothing: what is left is QEMU's own main loop (libvirt
    # counts the whole process without cgroups), about as little as an idle guest
    assert statistics.median(paused_cpu) < max(booting) / 10

    read = sum(v for _at, v in _series(cw, ec2_id, 'DiskReadBytes', start, end, 'Sum'))
    written = sum(v for _at, v in _series(cw, ec2_id, 'DiskWriteBytes', start, end, 'Sum'))
    print('disk read %d bytes, written %d bytes' % (read, written))
    assert read >= 64 and written >= 512  # the init reads vda's signature, writes a sector


# --- the shared guest's lifecycle ---

def test_soft_reboot_boots_the_guest_again(conn, guest):
    conn.compute.reboot_server(guest, 'SOFT')
    lg.wait_status(conn, guest, 'ACTIVE')
    found = lg.wait_boots(conn, guest, 2)
    # the guest powered itself off on the ACPI request: a clean, soft reboot
    assert 'power button pressed, powering off' in found


def test_stop_and_start(conn, guest, hypervisor):
    boots = lg.count(lg.markers(lg.console(conn, guest)), 'ready$')
    conn.compute.stop_server(guest)
    stopped = lg.wait_status(conn, guest, 'SHUTOFF')
    assert stopped.power_state == 4
    assert not hypervisor.lookupByUUIDString(guest.id).isActive()
    conn.compute.start_server(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    lg.wait_boots(conn, guest, boots + 1)


def test_pause_stops_the_cpu(conn, guest, hypervisor):
    conn.compute.pause_server(guest)
    lg.wait_status(conn, guest, 'PAUSED')
    first, vcpus = cpu_time(hypervisor, guest), vcpu_time(hypervisor, guest)
    time.sleep(1)
    assert vcpu_time(hypervisor, guest) == vcpus
    conn.compute.unpause_server(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    time.sleep(1)
    assert cpu_time(hypervisor, guest) > first


def test_suspend_and_resume_keep_the_guest_where_it_was(conn, guest, hypervisor):
    boots = lg.count(lg.markers(lg.console(conn, guest)), 'ready$')
    conn.compute.suspend_server(guest)
    lg.wait_status(conn, guest, 'SUSPENDED')
    domain = hypervisor.lookupByUUIDString(guest.id)
    assert not domain.isActive() and domain.hasManagedSaveImage(0)
    conn.compute.resume_server(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    assert domain.isActive() and not domain.hasManagedSaveImage(0)
    time.sleep(2)  # a resumed guest runs on: no new boot
    assert lg.count(lg.markers(lg.console(conn, guest)), 'ready$') == boots


def test_trigger_crash_dump_sends_the_guest_an_nmi(conn, guest):
    conn.compute.trigger_server_crash_dump(guest)  # 2.17
    deadline = time.monotonic() + 30
    while 'NMI received' not in lg.console(conn, guest):  # the guest kernel's own words
        assert time.monotonic() < deadline, lg.console(conn, guest)[-2000:]
        time.sleep(0.5)
    assert lg.wait_status(conn, guest, 'ACTIVE')


def test_snapshot_boots_with_the_disk_the_guest_wrote(conn, guest):
    written = [line for line in lg.markers(lg.console(conn, guest))
               if line.startswith('root-disk vda now-written-by=')][-1]
    writer = written.rpartition('=')[2]
    image = conn.compute.create_server_image(guest, 'shared-snapshot', wait=True, timeout=120)
    image = conn.image.get_image(image)
    assert image.status == 'active' and image.disk_format == 'qcow2'
    assert image.kernel_id and image.ramdisk_id  # boots with the same AKI/ARI
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    clone = conn.compute.create_server(name='from-snapshot', image_id=image.id,
                                       flavor_id=flavor.id, networks='none',
                                       config_drive=True)
    try:
        clone = lg.wait_status(conn, clone, 'ACTIVE')
        found = lg.wait_boots(conn, clone, 1)
        assert 'root-disk vda last-writer=%s' % writer in found
        # the config drive: an IDE cdrom the guest mounts, its meta_data.json its own
        assert clone.config_drive == 'True'
        lg.wait_markers(conn, clone, lambda found: 'disk sr0 attached config-drive uuid=%s'
                        % clone.id in found, what='the config drive read by the guest')
    finally:
        conn.compute.delete_server(clone)
    lg.wait_status(conn, guest, 'ACTIVE')


def test_rescue_boots_a_fresh_disk_with_the_old_one_attached(conn, guest, hypervisor):
    conn.compute.rescue_server(guest)
    lg.wait_status(conn, guest, 'RESCUE')
    found = lg.wait_markers(conn, guest, lambda m: any(
        line.startswith('disk vdb attached') for line in m), what='the rescued disk')
    rescued = found[max(i for i, line in enumerate(found) if line.startswith('booted')):]
    assert 'root-disk vda last-writer=' in rescued  # booted from a fresh copy
    assert 'disk vdb attached signature=NOVA-GUEST-DISK v1' in rescued  # its own disk
    sources = [d.find('source').get('file')
               for d in domain_xml(hypervisor, guest).findall('devices/disk')]
    assert [os.path.basename(path) for path in sources] == ['disk.rescue', 'disk']
    conn.compute.unrescue_server(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    sources = [d.find('source').get('file')
               for d in domain_xml(hypervisor, guest).findall('devices/disk')]
    assert [os.path.basename(path) for path in sources] == ['disk']
    assert not os.path.exists(sources[0] + '.rescue')


def test_resize_gives_the_domain_the_new_memory(cloud, conn, guest, hypervisor):
    bigger = conn.compute.find_flavor('m1.small', ignore_missing=False)
    conn.compute.resize_server(guest, bigger.id)
    lg.wait_status(conn, guest, 'VERIFY_RESIZE')
    root = domain_xml(hypervisor, guest)
    assert int(root.findtext('memory')) == bigger.ram * 1024
    assert int(root.findtext('vcpu')) == bigger.vcpus
    resize_dir = os.path.join(instances_path(cloud), guest.id + '_resize')
    assert os.path.isdir(resize_dir)  # kept for a revert
    conn.compute.confirm_server_resize(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    assert not os.path.exists(resize_dir)
    info = json.loads(cloud.run('qemu-img', 'info', '-U', '--output=json', os.path.join(
        instances_path(cloud), guest.id, 'disk')).stdout)
    assert info['virtual-size'] == bigger.disk * 1024 ** 3


# --- a nova-volume volume attached through the Compute API (iSCSI, CHAP) ---

def test_the_readme_steps_attach_a_volume_the_guest_reads(cloud, conn, guest, hypervisor,
                                                          member, qemu_iscsi):
    """README "Real VMs": volume create, dd a signature into its file, server add
    volume, and the console log shows the guest read it (through QEMU's iSCSI
    initiator, CHAP, from the tgtd nova-volume started)."""
    if tgt.unavailable_reason():
        pytest.skip('volume attach skipped: %s' % tgt.unavailable_reason())
    env = lg.member_env(cloud, member)
    name = 'vol-' + uuid.uuid4().hex[:12]
    volume = cloud.run_json('openstack', 'volume', 'create', '--size', '1', '-f', 'json', name,
                            env=env)
    volume = conn.block_storage.wait_for_status(conn.block_storage.get_volume(volume['id']),
                                                'available', interval=0.3, wait=60)
    signature = 'hello from %s' % name
    # README's dd, in the file the file volume driver exports
    with open(os.path.join(cloud.state_path, 'volumes', 'volume-' + volume.id), 'r+b') as f:
        f.write(signature.encode() + b'\n')
    detached_before = lg.count(lg.markers(lg.console(conn, guest)), r'disk vdb detached$')

    cloud.run('openstack', 'server', 'add', 'volume', 'shared', name, env=env)
    lg.wait_markers(conn, guest, lambda m: 'disk vdb attached signature=%s' % signature in m,
                    timeout=60, what='the volume in the guest')
    found = lg.markers(cloud.run('openstack', 'console', 'log', 'show', 'shared',
                                 env=env).stdout)
    assert 'disk vdb attached signature=%s' % signature in found
    conn.block_storage.wait_for_status(volume, 'in-use', interval=0.3, wait=60)
    domain = hypervisor.lookupByUUIDString(guest.id)
    root = domain_xml(hypervisor, guest)
    [disk] = [d for d in root.findall('devices/disk') if d.find('target').get('dev') == 'vdb']
    assert disk.find('source').get('protocol') == 'iscsi'  # QEMU's own initiator
    iqn = disk.find('source').get('name').rpartition('/')[0]
    assert iqn.endswith(volume.id) and disk.find('auth').get('username')
    usage = disk.find('auth/secret').get('usage')
    # the CHAP password lives in a private libvirt secret, never in the domain XML
    secret = hypervisor.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
    assert "private='yes'" in secret.XMLDesc(0)
    assert 'password' not in domain.XMLDesc(0).lower()
    assert iqn in domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)  # survives a restart

    conn.compute.delete_volume_attachment(guest, volume.id)
    lg.wait_markers(conn, guest, lambda m: lg.count(m, r'disk vdb detached$') > detached_before,
                    timeout=60, what='the guest to see the volume go')
    conn.block_storage.wait_for_status(volume, 'available', interval=0.3, wait=60)
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert iqn not in domain.XMLDesc(flags)
    assert usage not in [secret.usageID() for secret in hypervisor.listAllSecrets()]
    conn.block_storage.delete_volume(volume)


def _tgt_show(cloud):
    """tgtadm's view of nova-volume's tgtd: {iqn: that target's lines}."""
    out = subprocess.run(['tgtadm', '-C', str(cloud.flags['iscsi_control_port']), '--lld',
                          'iscsi', '--mode', 'target', '--op', 'show'],
                         capture_output=True, text=True, check=True).stdout
    return {block.split('\n', 1)[0].split()[-1]: block
            for block in re.split(r'^(?=Target \d+: )', out, flags=re.M) if block.strip()}


def _vdb(hypervisor, server, flags=0):
    root = ElementTree.fromstring(hypervisor.lookupByUUIDString(server.id).XMLDesc(flags))
    [disk] = [d for d in root.findall('devices/disk') if d.find('target').get('dev') == 'vdb']
    return disk


def test_swap_volume_copies_the_disk_live_onto_the_new_volume(cloud, conn, guest,
                                                              hypervisor, qemu_iscsi):
    """PUT os-volume_attachments/{old} (2.85, admin): the guest's vdb is copied live
    (blockCopy) onto the new volume and pivoted; a copy that fails midway (the new
    volume's storage smaller than the disk) leaves the guest on the old volume."""
    if tgt.unavailable_reason():
        pytest.skip('swap volume skipped: %s' % tgt.unavailable_reason())
    admin = lg.sdk_connection(cloud, admin=True)
    storage = conn.block_storage
    old, new = [storage.wait_for_status(storage.create_volume(
        size=1, name='swap-%s-%s' % (which, uuid.uuid4().hex[:8])), 'available',
        interval=0.3, wait=60) for which in ('old', 'new')]
    files = {v.id: os.path.join(cloud.state_path, 'volumes', 'volume-' + v.id)
             for v in (old, new)}
    signature = 'swap from %s' % old.id[:8]
    with open(files[old.id], 'r+b') as f:
        f.write(signature.encode() + b'\n')
    conn.compute.create_volume_attachment(guest, volume_id=old.id, device='/dev/vdb')
    storage.wait_for_status(old, 'in-use', interval=0.3, wait=60)
    lg.wait_markers(conn, guest, lambda m: 'disk vdb attached signature=%s' % signature in m,
                    timeout=60, what='the old volume in the guest')

    def swap():
        admin.compute.put('/servers/%s/os-volume_attachments/%s' % (guest.id, old.id),
                          json={'volumeAttachment': {'volumeId': new.id}},
                          microversion='2.85').raise_for_status()

    def statuses():
        return storage.get_volume(old).status, storage.get_volume(new).status

    # the new volume's storage shrunk under it: the mirror fails once it starts
    os.truncate(files[new.id], 1024 * 1024)
    swap()
    daemons.wait_for(lambda: statuses() == ('in-use', 'available'), timeout=60,
                     interval=0.3, what='the failed swap rolled back')
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert old.id in _vdb(hypervisor, guest, flags).find('source').get('name')
    daemons.wait_for(lambda: not any(new.id in iqn for iqn in _tgt_show(cloud)),
                     timeout=30, interval=0.3, what="the new volume's export to go")
    # the copy started and failed in the driver (not before it): the action's event says
    actions = admin.compute.get('/servers/%s/os-instance-actions' % guest.id,
                                microversion='2.51').json()['instanceActions']
    [request] = [a['request_id'] for a in actions if a['action'] == 'swap_volume']
    [event] = admin.compute.get('/servers/%s/os-instance-actions/%s' % (guest.id, request),
                                microversion='2.51').json()['instanceAction']['events']
    assert event['result'] == 'Error', event
    assert 'stopped before it was complete' in event['traceback'], event  # admins see it

    os.truncate(files[new.id], 1024 ** 3)
    swap()
    daemons.wait_for(lambda: statuses() == ('available', 'in-use'), timeout=60,
                     interval=0.3, what='the swap')
    live, persistent = _vdb(hypervisor, guest), _vdb(hypervisor, guest,
                                                     libvirt.VIR_DOMAIN_XML_INACTIVE)
    assert new.id in live.find('source').get('name')  # the same device, the new volume
    assert new.id in persistent.find('source').get('name')
    assert persistent.findtext('serial') == new.id
    with open(files[new.id], 'rb') as f:
        assert f.read(len(signature)).decode() == signature  # the old volume's data
    assert os.stat(files[new.id]).st_blocks * 512 < 64 * 1024 ** 2  # copied sparse
    exports = _tgt_show(cloud)
    [new_iqn] = [iqn for iqn in exports if new.id in iqn]
    assert 'Initiator:' in exports[new_iqn]  # the guest's QEMU is logged in to it
    daemons.wait_for(lambda: not any(old.id in iqn for iqn in _tgt_show(cloud)),
                     timeout=30, interval=0.3, what="the old volume's export to go")
    usages = [secret.usageID() for secret in hypervisor.listAllSecrets()]
    assert 'nova-volume-%s' % old.id not in usages and 'nova-volume-%s' % new.id in usages
    attachments = list(conn.compute.volume_attachments(guest))
    assert [a.volume_id for a in attachments] == [new.id]

    conn.compute.delete_volume_attachment(guest, new.id)
    storage.wait_for_status(new, 'available', interval=0.3, wait=60)
    for volume in (old, new):
        storage.delete_volume(volume)
    admin.close()


# --- last, as they restart the cloud: nova-all killed (-9) while real guests boot,
# then libvirtd restarted under a running guest ---
# After the restart every instance ends ACTIVE or ERROR, never stuck, and libvirt
# holds a guest for exactly the ACTIVE ones (and the shared guest): no orphan
# domain, no leftover disks.


def _servers(admin, ids):
    return {s.id: s for s in admin.compute.servers(all_projects=True) if s.id in ids}


def test_kill_9_while_guests_boot_leaves_no_orphan(cloud, hypervisor, conn, guest):
    admin = lg.sdk_connection(cloud, admin=True)
    image = admin.image.find_image('nova-guest', ignore_missing=False)
    flavor = admin.compute.find_flavor('m1.tiny', ignore_missing=False)
    ids = [admin.compute.create_server(name='crash-%d' % n, image_id=image.id,
                                       flavor_id=flavor.id, networks='none').id
           for n in range(2)]
    instances = os.path.join(cloud.state_path, 'instances')
    # kill as soon as the first build has reached the host (its directory exists)
    daemons.wait_for(lambda: any(os.path.exists(os.path.join(instances, i)) for i in ids),
                     timeout=60, interval=0.05, what='a build to start')
    [nova_all] = cloud.processes
    nova_all.signal(signal.SIGKILL)
    nova_all.wait()
    admin.close()
    cloud.processes = []
    cloud._spawn('nova-all')
    cloud.wait_ready()

    admin = lg.sdk_connection(cloud, admin=True)
    servers = daemons.wait_for(
        lambda: (lambda found: found if all(s.status in ('ACTIVE', 'ERROR')
                                            for s in found.values()) else None)(
            _servers(admin, ids)),
        timeout=90, interval=0.5, what='the interrupted builds to settle')
    assert set(servers) == set(ids)
    guests = {d.UUIDString() for d in hypervisor.listAllDomains()}
    active = {i for i, s in servers.items() if s.status == 'ACTIVE'}
    assert guests == active | {guest.id}, {i: s.status for i, s in servers.items()}
    assert conn.compute.get_server(guest).status == 'ACTIVE'  # the running guest lived on
    for instance_id, server in servers.items():
        if server.status == 'ERROR':
            assert not os.path.exists(os.path.join(instances, instance_id))
            assert 'interrupted' in (server.fault or {}).get('message', '').lower()
    for instance_id in active:  # the survivors are real, booting guests
        lg.wait_boots(admin, admin.compute.get_server(instance_id), 1)
    for instance_id in ids:
        admin.compute.delete_server(instance_id)
    admin.close()


def test_nova_compute_reconnects_when_libvirtd_restarts(conn, guest, libvirtd):
    old_pid = libvirtd.proc.pid
    libvirtd.restart()
    assert libvirtd.proc.pid != old_pid
    # the guest ran on; nova-compute's next libvirt call finds its connection dead
    # and opens a new one
    conn.compute.pause_server(guest)
    lg.wait_status(conn, guest, 'PAUSED')
    conn.compute.unpause_server(guest)
    lg.wait_status(conn, guest, 'ACTIVE')
    assert 'nova-guest: ready' in lg.console(conn, guest)


def test_delete_with_the_openstack_cli(cloud, libvirtd, conn, guest, member):
    image = conn.image.find_image('nova-guest', ignore_missing=False)
    base = os.path.join(instances_path(cloud), '_base', '%s_%s' % (image.id, image.checksum))
    instance_dir = os.path.join(instances_path(cloud), guest.id)
    hypervisor = libvirt.open(libvirtd.uri)  # the module's own died with the restart
    try:
        assert hypervisor.lookupByUUIDString(guest.id).isActive()
        cloud.run('openstack', 'server', 'delete', 'shared', env=lg.member_env(cloud, member))
        conn.compute.wait_for_delete(guest, interval=0.3, wait=60)
        with pytest.raises(libvirt.libvirtError) as gone:
            hypervisor.lookupByUUIDString(guest.id)
        assert gone.value.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN
    finally:
        hypervisor.close()
    assert not os.path.exists(instance_dir)  # disks and console log
    assert os.path.exists(base)  # the cache stays for the next boot
