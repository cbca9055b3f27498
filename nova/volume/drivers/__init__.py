"""Volume drivers: the storage behind one nova-volume host, behind one interface.

A driver makes, copies and removes the bytes of volumes and snapshots, named
by the manager (``volume-<uuid>``, ``snapshot-<uuid>``); it never reads the
database nor knows about exports. ``--volume_driver`` picks one by short name
(file, lvm) or import path: adding a backend is adding one module.
"""
import abc
import errno
import os

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.conf.volume import VOLUME_DRIVERS

GiB = 1024 ** 3
COPY_CHUNK = 1024 * 1024


def check_name(name):
    """Names come from templates and uuids; anything that could leave the backend's
    namespace is a caller's bug, refused before it reaches a path or a command."""
    if not name or '/' in name or name.startswith(('.', '-')) or '\x00' in name:
        raise exception.InvalidInput(reason='invalid backend name %r' % (name,))
    return name


class VolumeDriver(abc.ABC):
    """The storage of one nova-volume host. Sizes are in GiB."""

    #: whether volumes only take the space written to them (sparse files, thin LVs)
    thin_provisioning = False

    def __init__(self, host):
        self.host = host

    @abc.abstractmethod
    def check_for_setup_error(self):
        """Raise ConfigError, naming what is missing, when the backend cannot be used."""

    @abc.abstractmethod
    def create_volume(self, name, size_gb):
        """A new, zeroed volume of size_gb; an existing one of that name is replaced."""

    @abc.abstractmethod
    def delete_volume(self, name):
        """Remove the volume; a missing one is no error."""

    @abc.abstractmethod
    def extend_volume(self, name, new_size_gb):
        """Grow the volume to new_size_gb, keeping its data."""

    @abc.abstractmethod
    def create_snapshot(self, snapshot_name, volume_name, size_gb):
        """A point-in-time copy of the volume under snapshot_name."""

    @abc.abstractmethod
    def delete_snapshot(self, snapshot_name):
        """Remove the snapshot; a missing one is no error."""

    @abc.abstractmethod
    def local_path(self, name):
        """The file or block device holding the volume (or snapshot) on this host."""

    @abc.abstractmethod
    def list_volumes(self):
        """Names of every volume and snapshot the backend holds."""

    @abc.abstractmethod
    def get_volume_stats(self):
        """Capacity for the scheduler: total_capacity_gb, free_capacity_gb,
        provisioned_capacity_gb (floats), thin_provisioning_support (bool)."""

    def volume_exists(self, name):
        return name in self.list_volumes()

    def create_volume_from_snapshot(self, name, size_gb, snapshot_name, snapshot_size_gb):
        """A new volume holding the snapshot's data (then grown to size_gb)."""
        self._create_copy(name, size_gb, snapshot_name, snapshot_size_gb)

    def create_cloned_volume(self, name, size_gb, source_name, source_size_gb):
        """A new volume holding another volume's data (then grown to size_gb)."""
        self._create_copy(name, size_gb, source_name, source_size_gb)

    def _create_copy(self, name, size_gb, source_name, source_size_gb):
        self.create_volume(name, size_gb)
        try:
            copy_data(self.local_path(source_name), self.local_path(name),
                      source_size_gb * GiB)
        except BaseException:
            self.delete_volume(name)
            raise


def _data_ranges(fd, length):
    """(offset, end) of the parts of a file that may hold data: a sparse file's
    holes are skipped (SEEK_DATA/SEEK_HOLE); a device is one range."""
    offset = 0
    while offset < length:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
            end = os.lseek(fd, start, os.SEEK_HOLE)
        except OSError as e:
            if e.errno == errno.ENXIO:  # no data after offset
                return
            yield offset, length  # no hole support here: read it all
            return
        if start >= length:
            return
        yield start, min(end, length)
        offset = end


def copy_data(source, destination, length):
    """Copy length bytes from one file or device to another (new and zeroed):
    the source's holes are skipped and blocks of zeros are not written, so a
    copy of a sparse volume stays sparse and costs what it holds."""
    zero = bytes(COPY_CHUNK)
    with open(source, 'rb') as src, open(destination, 'r+b') as dst:
        for start, end in list(_data_ranges(src.fileno(), length)):
            src.seek(start)
            position = start
            while position < end:
                chunk = src.read(min(COPY_CHUNK, end - position))
                if not chunk:
                    break
                if chunk != zero[:len(chunk)]:
                    dst.seek(position)
                    dst.write(chunk)
                position += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def volume_driver_class(name=None):
    """The class --volume_driver (or name) names: a short name or an import path."""
    return utils.flag_class('volume_driver', name or CONF.volume_driver, VOLUME_DRIVERS,
                            VolumeDriver)


def load_volume_driver(host, name=None):
    return volume_driver_class(name)(host)
