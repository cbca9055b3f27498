"""Image data into and out of volumes, with qemu-img (never by probing formats).

The format always comes from the image record's disk_format: letting
qemu-img guess would let a raw image that looks like qcow2 point it at other
files. Writing into a volume converts to raw in place (``-n``: the volume
exists and keeps its size); reading a volume for an image streams it raw, or
converts it to qcow2 first (zeros take no space there).
"""
import contextlib
import json
import os
import tempfile

from nova import exception
from nova import utils
from nova.volume import drivers

# Glance disk_format -> qemu-img format name
QEMU_FORMATS = {'raw': 'raw', 'qcow2': 'qcow2', 'vmdk': 'vmdk', 'vdi': 'vdi', 'vhd': 'vpc',
                'vhdx': 'vhdx', 'iso': 'raw', 'ami': 'raw', 'aki': 'raw', 'ari': 'raw'}
UPLOAD_FORMATS = ('raw', 'qcow2')


def qemu_format(disk_format):
    try:
        return QEMU_FORMATS[disk_format]
    except KeyError:
        raise exception.InvalidInput(reason='disk_format %s cannot be written into a volume'
                                     % disk_format) from None


def virtual_size(path, disk_format):
    """Bytes the guest sees in the image file at path, read with its declared format."""
    out, _err = utils.execute('qemu-img', 'info', '--output=json', '-f',
                              qemu_format(disk_format), path)
    return int(json.loads(out)['virtual-size'])


def write_image(path, disk_format, volume_path, volume_size_gb, volume_zeroed):
    """Convert the image file at path into the volume (raw), checking that it fits."""
    size = virtual_size(path, disk_format)
    if size > volume_size_gb * drivers.GiB:
        raise exception.InvalidInput(
            reason="Image virtual size is %dGB and doesn't fit in a volume of size %dGB."
            % (-(-size // drivers.GiB), volume_size_gb))
    cmd = ['qemu-img', 'convert', '-q', '-f', qemu_format(disk_format), '-O', 'raw', '-n']
    if volume_zeroed:
        cmd.append('--target-is-zero')  # a new sparse file: leave its holes alone
    utils.execute(*cmd, path, volume_path)


@contextlib.contextmanager
def volume_data(volume_path, disk_format, work_dir, chunk_size=drivers.COPY_CHUNK):
    """(iterator of the volume's data as disk_format, its size in bytes)."""
    if disk_format not in UPLOAD_FORMATS:
        raise exception.InvalidInput(reason='a volume uploads as %s, not %s' % (
            ' or '.join(UPLOAD_FORMATS), disk_format))
    with contextlib.ExitStack() as stack:
        path = volume_path
        if disk_format == 'qcow2':
            fd, path = tempfile.mkstemp(prefix='.upload-', suffix='.qcow2', dir=work_dir)
            os.close(fd)
            stack.callback(os.unlink, path)
            utils.execute('qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2',
                          volume_path, path)
        f = stack.enter_context(open(path, 'rb'))
        size = os.fstat(f.fileno()).st_size or _device_size(f)
        yield iter(lambda: f.read(chunk_size), b''), size


def _device_size(f):
    """A block device's size (st_size is 0 for devices)."""
    size = f.seek(0, os.SEEK_END)
    f.seek(0)
    return size
