"""The libvirt driver's own rules: the domain XML it writes and the disks it makes,
on libvirt's test driver (no daemon; real qemu-img). Shared behaviour is in
test_conformance.py; real guests in tests/integration/test_libvirt_guests.py."""
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from nova import exception
from nova.compute import power_state
from nova.conf import CONF
from nova.virt.libvirt import config, devices
from tests.unit.virt import libvirt_backend
from tests.unit.virt.fixtures import make_flavor, make_instance

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')


def _guest(**overrides):
    values = dict(uuid='11111111-2222-3333-4444-555555555555', name='instance-0000002a',
                  virt_type='qemu', memory_kb=512 * 1024, vcpus=2,
                  disks=(config.Disk(target='vda', path='/i/disk'),),
                  interfaces=(config.Interface(mac='fa:16:3e:00:00:01', bridge='br100',
                                               tap='tap0123456789a'),),
                  kernel='/i/kernel', ramdisk='/i/ramdisk', cmdline='root=/dev/vda console=ttyS0',
                  console_log='/i/console.log', display_name='web <1> & "two"',
                  flavor={'name': 'm1.small', 'memory': 512, 'vcpus': 2, 'disk': 20,
                          'ephemeral': 5, 'swap': 1536})
    values.update(overrides)
    return config.Guest(**values)


def test_domain_xml_boots_the_kernel_with_acpi_and_a_file_console():
    root = ET.fromstring(config.domain_xml(_guest()))
    assert root.get('type') == 'qemu'
    assert root.findtext('name') == 'instance-0000002a'
    assert root.findtext('memory') == str(512 * 1024) and root.findtext('vcpu') == '2'
    assert root.findtext('os/kernel') == '/i/kernel' and root.findtext('os/initrd') == '/i/ramdisk'
    assert root.findtext('os/cmdline') == 'root=/dev/vda console=ttyS0'
    assert root.find('os/boot') is None
    assert root.find('features/acpi') is not None
    serial = root.find('devices/serial')
    assert serial.get('type') == 'file'
    assert serial.find('source').attrib == {'path': '/i/console.log', 'append': 'on'}
    nic = root.find('devices/interface')
    assert nic.get('type') == 'bridge' and nic.find('mac').get('address') == 'fa:16:3e:00:00:01'
    assert nic.find('source').get('bridge') == 'br100'
    assert nic.find('target').get('dev') == 'tap0123456789a'
    disk = root.find('devices/disk')
    assert disk.find('driver').get('type') == 'qcow2' and disk.find('target').get('bus') == 'virtio'


def test_user_text_is_escaped_not_pasted():
    xml = config.domain_xml(_guest(cmdline='console=ttyS0 </cmdline><kernel>/etc/shadow'))
    root = ET.fromstring(xml)
    assert root.findtext('os/cmdline') == 'console=ttyS0 </cmdline><kernel>/etc/shadow'
    assert root.findtext('os/kernel') == '/i/kernel'
    name = root.find('metadata/{%s}instance/{%s}name' % (config.NOVA_NS, config.NOVA_NS))
    assert name.text == 'web <1> & "two"'


def test_a_whole_disk_image_boots_from_its_disk():
    root = ET.fromstring(config.domain_xml(_guest(kernel=None, ramdisk=None, cmdline=None)))
    assert root.find('os/kernel') is None and root.find('os/boot').get('dev') == 'hd'


def test_allotment_is_read_back_from_the_metadata():
    allotment = config.allotment(config.domain_xml(_guest()))
    # root 20 + ephemeral 5 + swap 1.5 GiB (rounded up)
    assert allotment == config.Allotment(vcpus=2, memory_mb=512, disk_gb=27)


def test_tcg_translation_cache_only_for_qemu():
    qemu = ET.fromstring(config.domain_xml(_guest(tcg_tb_cache_mb=64)))
    assert qemu.find('features/tcg/tb-cache').text == '64'
    kvm = ET.fromstring(config.domain_xml(_guest(virt_type='kvm', tcg_tb_cache_mb=64)))
    assert kvm.find('features/tcg') is None


# --- volumes and VIFs ---

ISCSI = {'driver_volume_type': 'iscsi',
         'data': {'target_portal': '192.0.2.5:3260', 'target_iqn': 'iqn.2010-10.org.x:vol-1',
                  'target_lun': 1, 'volume_id': 'vol-uuid', 'auth_method': 'CHAP',
                  'auth_username': 'chap-user', 'auth_password': 's3cret'}}


def test_an_iscsi_volume_is_a_network_disk_with_chap_from_a_secret():
    disk, password = devices.volume_disk(ISCSI, '/dev/vdb')
    assert password == 's3cret'
    xml = config.to_string(config.disk_element(disk))
    assert 's3cret' not in xml
    element = ET.fromstring(xml)
    assert element.get('type') == 'network'
    source = element.find('source')
    assert source.attrib == {'protocol': 'iscsi', 'name': 'iqn.2010-10.org.x:vol-1/1'}
    assert source.find('host').attrib == {'name': '192.0.2.5', 'port': '3260'}
    assert element.find('auth').get('username') == 'chap-user'
    assert element.find('auth/secret').attrib == {'type': 'iscsi',
                                                  'usage': 'nova-volume-vol-uuid'}
    assert element.find('target').get('dev') == 'vdb'
    assert element.findtext('serial') == 'vol-uuid'
    assert element.find('shareable') is None
    # a multiattach volume is written by other guests too: the disk says so
    shared, _ = devices.volume_disk(dict(ISCSI, multiattach=True), '/dev/vdb')
    assert ET.fromstring(config.to_string(config.disk_element(shared))).find(
        'shareable') is not None


def test_device_names_and_bad_connection_info():
    assert devices.target_of('/dev/vdc') == 'vdc' and devices.target_of('/dev/sdh') == 'vdh'
    for bad in ('/dev/../etc', 'vd', '/dev/vdb1', None):
        with pytest.raises(exception.InvalidInput):
            devices.target_of(bad)
    with pytest.raises(exception.InvalidInput):
        devices.volume_disk({'driver_volume_type': 'rbd', 'data': {}}, '/dev/vdb')
    with pytest.raises(exception.InvalidInput):
        devices.volume_disk({'driver_volume_type': 'iscsi', 'data': {}}, '/dev/vdb')
    with pytest.raises(exception.InvalidInput):
        devices.interface({'id': 'x', 'address': 'fa:16:3e:00:00:02', 'network': {}})


# --- the driver on test:/// ---

@pytest.fixture
def drv():
    libvirt_backend.configure()
    driver = libvirt_backend.driver_class()('host1')
    driver.init_host('host1')
    return driver


def _spawn(drv, image_meta=None, **fields):
    instance = make_instance(host='host1', **fields)
    drv.spawn(None, instance, image_meta or {}, network_info=[])
    return instance


def _img_info(path):
    out = subprocess.run(['qemu-img', 'info', '-U', '--output=json', path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _files(instance):
    return os.path.join(CONF.instances_path, instance.uuid)


def test_root_disk_is_an_overlay_of_the_raw_base_sized_to_the_flavor(drv):
    instance = _spawn(drv, root_gb=2, ephemeral_gb=1,
                      flavor={'cur': {'name': 'x', 'swap': 256}})
    root = _img_info(os.path.join(_files(instance), 'disk'))
    assert root['format'] == 'qcow2' and root['virtual-size'] == 2 * 1024 ** 3
    assert root['full-backing-filename'] == libvirt_backend.base_image()
    assert root['backing-filename-format'] == 'raw'
    assert _img_info(os.path.join(_files(instance), 'disk.local'))['virtual-size'] == 1024 ** 3
    with open(os.path.join(_files(instance), 'disk.swap'), 'rb') as f:
        assert b'SWAPSPACE2' in f.read(4096)
    targets = config.disk_targets(drv._domain(instance).XMLDesc(0))
    assert [os.path.basename(d.find('source').get('file')) for d in targets.values()] == \
        ['disk', 'disk.local', 'disk.swap']
    assert list(targets) == ['vda', 'vdb', 'vdc']


def test_without_cow_images_the_root_disk_is_a_raw_copy(drv):
    CONF.set_override('use_cow_images', False)
    instance = _spawn(drv, root_gb=1)
    root = _img_info(os.path.join(_files(instance), 'disk'))
    assert root['format'] == 'raw' and 'backing-filename' not in root
    with open(os.path.join(_files(instance), 'disk'), 'rb') as f:
        assert f.read(18) == b'NOVA-GUEST-DISK v1'


def test_kernel_and_ramdisk_are_linked_into_the_instance(drv, tmp_path):
    kernel, ramdisk = tmp_path / 'vmlinuz', tmp_path / 'initrd'
    kernel.write_bytes(b'kernel')
    ramdisk.write_bytes(b'ramdisk')
    instance = _spawn(drv, {'kernel_path': str(kernel), 'ramdisk_path': str(ramdisk),
                            'properties': {'os_command_line': 'console=ttyS0 quiet'}})
    root = ET.fromstring(drv._domain(instance).XMLDesc(0))
    assert root.findtext('os/kernel') == os.path.join(_files(instance), 'kernel')
    assert root.findtext('os/cmdline') == 'console=ttyS0 quiet'
    kernel.unlink()  # the cache may drop it: the instance keeps its own
    with open(root.findtext('os/kernel'), 'rb') as f:
        assert f.read() == b'kernel'


def test_images_the_driver_cannot_boot_safely_are_refused(drv, tmp_path):
    with pytest.raises(exception.InvalidInput, match='vmdk'):
        _spawn(drv, {'local_path': libvirt_backend.base_image(), 'disk_format': 'vmdk'})
    # a qcow2 "base" that points at another file (e.g. a host file) is refused
    sneaky = tmp_path / 'sneaky.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b',
                    libvirt_backend.base_image(), str(sneaky)], check=True)
    with pytest.raises(exception.InvalidInput, match='refers to another file'):
        _spawn(drv, {'local_path': str(sneaky), 'disk_format': 'qcow2'})
    big = tmp_path / 'big.raw'
    with open(big, 'wb') as f:
        f.truncate(2 * 1024 ** 3)
    with pytest.raises(exception.FlavorDiskTooSmall):
        _spawn(drv, {'local_path': str(big), 'disk_format': 'raw'}, root_gb=1)


def test_destroy_removes_domain_disks_and_console_log(drv):
    instance = _spawn(drv)
    with open(os.path.join(_files(instance), 'console.log'), 'w') as f:
        f.write('boot\n')
    drv.destroy(None, instance)
    assert not os.path.exists(_files(instance))
    assert not drv.instance_exists(instance)


def test_console_output_is_the_log_tail(drv):
    instance = _spawn(drv)
    with open(os.path.join(_files(instance), 'console.log'), 'wb') as f:
        f.write(b'x' * 200 * 1024 + b'\nlast line \xff\n')
    output = drv.get_console_output(None, instance)
    assert len(output.encode()) <= 100 * 1024 + 2 and output.endswith('last line \ufffd\n')


def test_resize_keeps_the_source_until_confirmed(drv):
    instance = _spawn(drv, root_gb=1)
    disk_info = drv.migrate_disk_and_power_off(None, instance, 'host1', make_flavor(root_gb=3),
                                               [])
    assert os.path.isdir(_files(instance) + '_resize')
    assert json.loads(disk_info)['source_host'] == 'host1'
    instance.root_gb = 3
    drv.finish_migration(None, {}, instance, disk_info, [], {}, True)
    assert _img_info(os.path.join(_files(instance), 'disk'))['virtual-size'] == 3 * 1024 ** 3
    drv.confirm_migration(None, {}, instance, [])
    assert not os.path.exists(_files(instance) + '_resize')
    with pytest.raises(exception.CannotResizeDisk):
        drv.migrate_disk_and_power_off(None, instance, 'host1', {'root_gb': 1}, [])


def test_a_cold_migration_to_a_host_that_cannot_read_the_disks_says_so(drv):
    instance = _spawn(drv)
    disk_info = json.loads(drv.migrate_disk_and_power_off(None, instance, 'host2',
                                                          make_flavor(), []))
    disk_info['source_dir'] = '/nonexistent/elsewhere'
    with pytest.raises(exception.MigrationPreCheckError, match='shared instances_path'):
        drv.finish_migration(None, {}, instance, json.dumps(disk_info), [], {}, True)


def test_a_connection_that_fails_its_first_call_is_reopened(drv):
    """What a libvirtd restart looks like to a client: still 'alive' until it calls."""
    class Restarted:
        closed = False

        def isAlive(self):
            return True

        def getLibVersion(self):
            raise libvirt.libvirtError('Cannot write data: Broken pipe')

        def close(self):
            self.closed = True
    dead = Restarted()
    drv.hypervisor._conn = dead
    assert drv.list_instances() == []
    assert dead.closed and drv.hypervisor.connection() is not dead


def test_live_migration_checks_refuse_block_migration_and_unshared_storage(drv, tmp_path):
    from nova.virt.libvirt import live_migration
    instance = _spawn(drv)
    with pytest.raises(exception.MigrationPreCheckError, match='shared storage only'):
        drv.check_can_live_migrate_destination(None, instance, block_migration=True)
    with pytest.raises(exception.InstanceExists):  # the guest is already on this host
        drv.check_can_live_migrate_destination(None, instance)
    with pytest.raises(exception.MigrationPreCheckError, match='does not share'):
        drv.check_can_live_migrate_source(None, instance, {'shared_marker': 'nowhere',
                                                           'dest_host': 'h2'})
    assert live_migration._peer_uri('qemu:///system?socket=/s') == \
        'qemu+unix:///system?socket=/s'
    assert live_migration._peer_uri('qemu+tcp://h2/system') == 'qemu+tcp://h2/system'


def test_a_lost_connection_is_reopened(drv):
    instance = _spawn(drv)
    assert drv.get_info(instance).state == power_state.RUNNING
    old = drv.hypervisor.connection()
    old.close()  # as when libvirtd restarts
    # a new connection to test:/// starts from the node file: empty, but answering
    assert drv.list_instances() == []
    assert drv.hypervisor.connection() is not old


def test_a_config_drive_is_a_read_only_ide_cdrom_of_the_instance_directory(drv):
    plain = _spawn(drv)
    assert 'hdd' not in config.disk_targets(drv._domain(plain).XMLDesc(0))
    assert not os.path.exists(os.path.join(_files(plain), 'disk.config'))
    instance = make_instance(host='host1')
    drv.spawn(None, instance, {}, network_info=[],
              config_drive={'openstack/latest/meta_data.json': b'{"uuid": "x"}'})
    path = os.path.join(_files(instance), 'disk.config')
    cdrom = config.disk_targets(drv._domain(instance).XMLDesc(0))['hdd']
    assert (cdrom.get('device'), cdrom.find('source').get('file'),
            cdrom.find('target').get('bus'), cdrom.find('driver').get('type')) == (
        'cdrom', path, 'ide', 'raw')
    assert cdrom.find('readonly') is not None
    with open(path, 'rb') as f:
        assert b'config-2' in f.read()
