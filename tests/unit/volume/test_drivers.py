"""Volume drivers: the file driver on a real directory, the LVM driver's commands,
the --volume_driver registry."""
import os

import pytest

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.volume import drivers
from nova.volume.drivers import file as file_driver
from nova.volume.drivers import lvm

GiB = drivers.GiB


@pytest.fixture
def driver(tmp_path):
    d = file_driver.FileDriver('host1', volumes_dir=str(tmp_path / 'volumes'))
    d.check_for_setup_error()
    return d


def test_file_volumes_are_sparse_and_grow(driver):
    driver.create_volume('volume-a', 2)
    path = driver.local_path('volume-a')
    assert os.path.getsize(path) == 2 * GiB and os.stat(path).st_blocks == 0
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    with open(path, 'r+b') as f:
        f.write(b'x' * 4096)
    driver.extend_volume('volume-a', 3)
    assert os.path.getsize(path) == 3 * GiB
    with open(path, 'rb') as f:
        assert f.read(4096) == b'x' * 4096
    with pytest.raises(exception.InvalidInput):
        driver.extend_volume('volume-a', 1)
    assert driver.list_volumes() == ['volume-a'] and driver.volume_exists('volume-a')
    driver.delete_volume('volume-a')
    driver.delete_volume('volume-a')  # a missing volume is no error
    assert driver.list_volumes() == []


def test_snapshots_and_clones_copy_only_the_data(driver):
    driver.create_volume('volume-a', 1)
    with open(driver.local_path('volume-a'), 'r+b') as f:
        f.seek(300 * 1024 * 1024)
        f.write(b'\x42' * (3 * 1024 * 1024 + 17))
    driver.create_snapshot('snapshot-s', 'volume-a', 1)
    with open(driver.local_path('volume-a'), 'r+b') as f:
        f.seek(300 * 1024 * 1024)
        f.write(b'\x00' * 10)  # the snapshot keeps what was there
    driver.create_volume_from_snapshot('volume-b', 2, 'snapshot-s', 1)
    path = driver.local_path('volume-b')
    assert os.path.getsize(path) == 2 * GiB
    assert os.stat(path).st_blocks * 512 < 8 * 1024 * 1024  # sparse: only the data
    with open(path, 'rb') as f:
        f.seek(300 * 1024 * 1024)
        assert f.read(3 * 1024 * 1024 + 17) == b'\x42' * (3 * 1024 * 1024 + 17)
        assert f.read(4096) == bytes(4096)
    driver.create_cloned_volume('volume-c', 1, 'volume-a', 1)
    with open(driver.local_path('volume-c'), 'rb') as f:
        f.seek(300 * 1024 * 1024)
        assert f.read(11) == bytes(10) + b'\x42'
    stats = driver.get_volume_stats()
    assert stats['provisioned_capacity_gb'] == 5 and stats['thin_provisioning_support']
    assert 0 < stats['free_capacity_gb'] <= stats['total_capacity_gb']


def test_names_cannot_leave_the_volumes_dir(driver):
    for name in ('../x', 'a/b', '.hidden', '-rf', ''):
        with pytest.raises(exception.InvalidInput):
            driver.local_path(name)


def test_an_unwritable_volumes_dir_is_a_config_error(tmp_path):
    (tmp_path / 'file').write_text('')
    with pytest.raises(exception.ConfigError, match='cannot be created'):
        file_driver.FileDriver('h', volumes_dir=str(tmp_path / 'file' / 'sub')).\
            check_for_setup_error()


class FakeLVM:
    """Records the LVM commands and answers them like a volume group of 10 GiB."""

    def __init__(self):
        self.commands, self.lvs = [], {}

    def __call__(self, *cmd, **kwargs):
        cmd = [str(part) for part in cmd]
        self.commands.append(cmd)
        if cmd[0] == 'lvs':
            return ''.join('  %s\n' % name for name in self.lvs), ''
        if cmd[0] == 'vgs' and '-o' in cmd and cmd[cmd.index('-o') + 1] == 'vg_size,vg_free':
            return '  10.00 %.2f\n' % (10 - sum(self.lvs.values())), ''
        if cmd[0] == 'lvcreate':
            self.lvs[cmd[cmd.index('-n') + 1]] = int(cmd[cmd.index('-L') + 1][:-1])
        if cmd[0] == 'lvremove':
            self.lvs.pop(cmd[-1].split('/')[1])
        return '', ''


def test_lvm_driver_commands(monkeypatch):
    fake = FakeLVM()
    monkeypatch.setattr(utils, 'execute', fake)
    driver = lvm.LVMDriver('host1', volume_group='vg-test')
    driver.check_for_setup_error()
    driver.create_volume('volume-a', 2)
    driver.extend_volume('volume-a', 3)
    driver.create_snapshot('snapshot-s', 'volume-a', 3)
    driver.delete_snapshot('snapshot-s')
    driver.delete_volume('volume-a')
    driver.delete_volume('volume-a')  # gone: no lvremove
    assert driver.local_path('volume-a') == '/dev/vg-test/volume-a'
    made = [c for c in fake.commands if c[0] not in ('lvs', 'vgs')]
    assert made == [
        ['lvcreate', '--yes', '--wipesignatures', 'y', '-n', 'volume-a', '-L', '2g', 'vg-test'],
        ['lvextend', '-L', '3g', 'vg-test/volume-a'],
        ['lvcreate', '--yes', '--snapshot', '-n', 'snapshot-s', '-L', '3g', 'vg-test/volume-a'],
        ['lvremove', '--force', 'vg-test/snapshot-s'],
        ['lvremove', '--force', 'vg-test/volume-a']]
    assert driver.get_volume_stats() == {
        'total_capacity_gb': 10.0, 'free_capacity_gb': 10.0, 'provisioned_capacity_gb': 0.0,
        'thin_provisioning_support': False}


def test_lvm_without_its_volume_group_is_a_config_error(monkeypatch):
    def missing(*cmd, **kwargs):
        raise exception.ProcessExecutionError(cmd=' '.join(cmd), exit_code=5, stdout='',
                                              stderr='Volume group "nope" not found')
    monkeypatch.setattr(utils, 'execute', missing)
    with pytest.raises(exception.ConfigError, match='volume group nope.*not found'):
        lvm.LVMDriver('h', volume_group='nope').check_for_setup_error()


def test_the_volume_driver_flag_names_a_driver():
    assert drivers.volume_driver_class() is file_driver.FileDriver
    CONF.set_override('volume_driver', 'lvm')
    assert drivers.volume_driver_class() is lvm.LVMDriver
    CONF.set_override('volume_driver', 'nova.volume.drivers.file.FileDriver')
    assert drivers.volume_driver_class() is file_driver.FileDriver
    for bad in ('nope', 'nova.volume.api.API'):
        CONF.set_override('volume_driver', bad)
        with pytest.raises(exception.ConfigError, match='volume_driver %s' % bad):
            drivers.volume_driver_class()
