"""The LVM driver on a real volume group (a loop device of this test's own), its
volumes exported by a real tgtd and read through iSCSI. Creating logical volumes
needs the kernel's device-mapper: where it is missing the test is skipped with
lvcreate's own words."""
import os
import shutil
import subprocess
import uuid

import pytest

from nova import exception
from nova.volume import drivers
from nova.volume import targets
from nova.volume.drivers import lvm
from nova.volume.targets import tgt as tgt_target
from tests.harness import tgt

GiB = drivers.GiB


def _run(*argv, check=True):
    return subprocess.run(list(argv), capture_output=True, text=True, check=check, timeout=60)


@pytest.fixture(scope='module')
def volume_group(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip('LVM needs root')
    for tool in ('losetup', 'pvcreate', 'vgcreate', 'lvcreate'):
        if shutil.which(tool) is None:
            pytest.skip('%s is not installed (apt-get install lvm2)' % tool)
    backing = tmp_path_factory.mktemp('lvm') / 'pv.img'
    with open(backing, 'wb') as f:
        f.truncate(3 * GiB)
    loop = _run('losetup', '--find', '--show', str(backing)).stdout.strip()
    name = 'nova-test-%s' % uuid.uuid4().hex[:8]
    try:
        _run('pvcreate', '--yes', loop)
        _run('vgcreate', name, loop)
        probe = _run('lvcreate', '--yes', '-n', 'probe', '-L', '8m', name, check=False)
        if probe.returncode != 0:
            lines = [line.strip() for line in probe.stderr.splitlines()
                     if line.strip() and 'leaked on' not in line]
            said = [line for line in lines if 'device-mapper' in line] or lines or ['failed']
            pytest.skip('LVM volumes cannot be created on this kernel: lvcreate: %s'
                        % said[0])
        _run('lvremove', '--force', '%s/probe' % name)
        yield name
    finally:
        _run('vgremove', '--force', name, check=False)
        _run('pvremove', '--yes', loop, check=False)
        _run('losetup', '-d', loop, check=False)


def test_lvm_volumes_snapshots_and_exports(volume_group, tgtd, qemu_iscsi):
    driver = lvm.LVMDriver('host1', volume_group=volume_group)
    driver.check_for_setup_error()
    driver.create_volume('volume-a', 1)
    assert driver.list_volumes() == ['volume-a']
    with open(driver.local_path('volume-a'), 'r+b') as f:
        f.write(b'\x5e' * 65536)
    driver.create_snapshot('snapshot-s', 'volume-a', 1)
    driver.create_volume_from_snapshot('volume-b', 1, 'snapshot-s', 1)
    with open(driver.local_path('volume-b'), 'rb') as f:
        assert f.read(65536) == b'\x5e' * 65536
    driver.extend_volume('volume-b', 2)

    exporter = tgt_target.TgtAdm(ip_address='127.0.0.1', port=tgtd.port,
                                 control_port=tgtd.control_port)
    chap = targets.generate_chap()
    location = exporter.create_export('volume-b', driver.local_path('volume-b'), chap)
    info = {'driver_volume_type': 'iscsi', 'data': exporter.connection_properties(
        'b', location, targets.format_auth(chap))}
    assert tgt.virtual_size(info) == 2 * GiB
    tgt.qemu_io(info, 'read -P 0x5e 0 64k')
    exporter.remove_export('volume-b', chap)

    stats = driver.get_volume_stats()
    assert stats['total_capacity_gb'] > 2.5 and not stats['thin_provisioning_support']
    driver.delete_snapshot('snapshot-s')
    for name in ('volume-a', 'volume-b'):
        driver.delete_volume(name)
    assert driver.list_volumes() == []
    with pytest.raises(exception.VolumeBackendAPIException):
        driver.extend_volume('volume-a', 3)
