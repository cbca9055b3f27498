"""The LVM driver: each volume a logical volume of --volume_group.

Volumes are thick LVs; a snapshot is a classic copy-on-write LV snapshot of
the volume's size. Everything goes through the LVM commands (lvcreate,
lvremove, lvextend, lvs, vgs) with argument lists. Creating LVs needs the
kernel's device-mapper: on a kernel without it lvcreate fails and the error
says so (the integration tests skip there with that reason).
"""
from nova import exception
from nova import utils
from nova.conf import CONF
from nova.volume import drivers


class LVMDriver(drivers.VolumeDriver):

    def __init__(self, host, volume_group=None):
        super().__init__(host)
        self.vg = volume_group or CONF.volume_group

    def _lvm(self, *cmd):
        try:
            return utils.execute(*cmd)[0]
        except exception.ProcessExecutionError as e:
            raise exception.VolumeBackendAPIException(data='%s: %s' % (cmd[0], e.stderr)) from e

    def check_for_setup_error(self):
        try:
            utils.execute('vgs', '--noheadings', '-o', 'vg_name', self.vg)
        except exception.ProcessExecutionError as e:
            raise exception.ConfigError(reason='volume group %s is not available: %s' % (
                self.vg, e.stderr or 'vgs failed')) from e

    def local_path(self, name):
        return '/dev/%s/%s' % (self.vg, drivers.check_name(name))

    def _lv(self, name):
        return '%s/%s' % (self.vg, drivers.check_name(name))

    def create_volume(self, name, size_gb):
        if self.volume_exists(name):
            self.delete_volume(name)
        self._lvm('lvcreate', '--yes', '--wipesignatures', 'y', '-n', drivers.check_name(name),
                  '-L', '%dg' % size_gb, self.vg)

    def delete_volume(self, name):
        if self.volume_exists(name):
            self._lvm('lvremove', '--force', self._lv(name))

    def extend_volume(self, name, new_size_gb):
        self._lvm('lvextend', '-L', '%dg' % new_size_gb, self._lv(name))

    def create_snapshot(self, snapshot_name, volume_name, size_gb):
        self._lvm('lvcreate', '--yes', '--snapshot', '-n', drivers.check_name(snapshot_name),
                  '-L', '%dg' % size_gb, self._lv(volume_name))

    def delete_snapshot(self, snapshot_name):
        self.delete_volume(snapshot_name)

    def list_volumes(self):
        out = self._lvm('lvs', '--noheadings', '-o', 'lv_name', self.vg)
        return sorted(line.strip() for line in out.splitlines() if line.strip())

    def get_volume_stats(self):
        out = self._lvm('vgs', '--noheadings', '--nosuffix', '--units', 'g',
                        '-o', 'vg_size,vg_free', self.vg)
        size, free = (float(value) for value in out.split())
        return {'total_capacity_gb': round(size, 2), 'free_capacity_gb': round(free, 2),
                'provisioned_capacity_gb': round(size - free, 2),
                'thin_provisioning_support': False}
