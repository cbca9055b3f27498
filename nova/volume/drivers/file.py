"""The file driver: each volume a sparse raw file under --volumes_dir.

Works on any host (no device-mapper needed): a volume takes the space written
to it, so creating an empty 1 GiB volume costs one truncate, and tgt exports
the file as it would a logical volume. Snapshots and clones are sparse copies.
"""
import os

from nova import exception
from nova.conf import CONF
from nova.volume import drivers


class FileDriver(drivers.VolumeDriver):
    thin_provisioning = True

    def __init__(self, host, volumes_dir=None):
        super().__init__(host)
        self.volumes_dir = volumes_dir or CONF.volumes_dir

    def check_for_setup_error(self):
        try:
            os.makedirs(self.volumes_dir, mode=0o700, exist_ok=True)
        except OSError as e:
            raise exception.ConfigError(reason='volumes_dir %s cannot be created: %s'
                                        % (self.volumes_dir, e.strerror)) from e
        if not os.access(self.volumes_dir, os.W_OK | os.X_OK):
            raise exception.ConfigError(reason='volumes_dir %s is not writable'
                                        % self.volumes_dir)

    def local_path(self, name):
        return os.path.join(self.volumes_dir, drivers.check_name(name))

    def create_volume(self, name, size_gb):
        fd = os.open(self.local_path(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.ftruncate(fd, size_gb * drivers.GiB)
        finally:
            os.close(fd)

    def delete_volume(self, name):
        try:
            os.unlink(self.local_path(name))
        except FileNotFoundError:
            pass

    def extend_volume(self, name, new_size_gb):
        path = self.local_path(name)
        if os.path.getsize(path) > new_size_gb * drivers.GiB:
            raise exception.InvalidInput(reason='%s is larger than %d GiB' % (name, new_size_gb))
        os.truncate(path, new_size_gb * drivers.GiB)

    def create_snapshot(self, snapshot_name, volume_name, size_gb):
        self._create_copy(snapshot_name, size_gb, volume_name, size_gb)

    def delete_snapshot(self, snapshot_name):
        self.delete_volume(snapshot_name)

    def list_volumes(self):
        try:
            names = os.listdir(self.volumes_dir)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if not n.startswith('.')
                      and os.path.isfile(os.path.join(self.volumes_dir, n)))

    def get_volume_stats(self):
        fs = os.statvfs(self.volumes_dir)
        provisioned = sum(os.path.getsize(self.local_path(n)) for n in self.list_volumes())
        return {'total_capacity_gb': round(fs.f_blocks * fs.f_frsize / drivers.GiB, 2),
                'free_capacity_gb': round(fs.f_bavail * fs.f_frsize / drivers.GiB, 2),
                'provisioned_capacity_gb': round(provisioned / drivers.GiB, 2),
                'thin_provisioning_support': True}
