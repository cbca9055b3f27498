"""An instance's files on the compute host, and the qemu-img work that makes them.

Layout, under ``$instances_path/<uuid>/``::

    disk         root disk: qcow2 overlay on _base/<image id>_<checksum> (raw copy with
                 --nouse_cow_images), resized to the flavor's root_gb
    disk.local   ephemeral disk (flavor ephemeral_gb), blank
    disk.swap    swap disk (flavor swap MB), made with mkswap
    disk.rescue  the rescue boot disk while rescued
    kernel, ramdisk   hard links to (or copies of) the cached AKI/ARI
    console.log  the serial console
    libvirt.xml  the domain as last defined
    unrescue.xml the domain to go back to after a rescue

During a resize the source keeps the directory as ``<uuid>_resize`` until the
resize is confirmed or reverted.

Base images are raw unless the image says qcow2: the format is never probed
from the data (a raw image whose bytes look like a qcow2 header must not make
QEMU open a backing file of the user's choosing), and a qcow2 base with a
backing or data file of its own is refused.
"""
import json
import os
import shutil

from nova import exception
from nova import utils

GiB = 1024 ** 3
# image disk_format -> what QEMU reads it as
BASE_FORMATS = {'raw': 'raw', 'ami': 'raw', 'iso': 'raw', 'qcow2': 'qcow2'}
ROOT, EPHEMERAL, SWAP, RESCUE, CONFIG = 'disk', 'disk.local', 'disk.swap', 'disk.rescue', \
    'disk.config'
KERNEL, RAMDISK, CONSOLE, DOMAIN_XML, UNRESCUE_XML = 'kernel', 'ramdisk', 'console.log', \
    'libvirt.xml', 'unrescue.xml'
RESIZE_SUFFIX = '_resize'


class InstanceFiles:
    """Paths of one instance's files (nothing is created by asking)."""

    def __init__(self, instances_path, instance_uuid):
        self.instances_path = instances_path
        self.uuid = instance_uuid
        self.dir = os.path.join(instances_path, instance_uuid)
        self.resize_dir = self.dir + RESIZE_SUFFIX

    def path(self, name):
        return os.path.join(self.dir, name)

    def exists(self):
        return os.path.isdir(self.dir)

    def make(self):
        os.makedirs(self.dir, exist_ok=True)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def remove_resize_copy(self):
        shutil.rmtree(self.resize_dir, ignore_errors=True)


def base_format(disk_format, image_id=None):
    fmt = BASE_FORMATS.get(disk_format or 'raw')
    if fmt is None:
        raise exception.InvalidInput(
            reason='image %s has disk_format %s; the libvirt driver boots raw, ami, iso '
                   'and qcow2 images' % (image_id or '', disk_format))
    return fmt


def info(path, fmt, force_share=False):
    """qemu-img info as a dict; ``fmt`` is given, never probed."""
    argv = ['qemu-img', 'info', '--output=json', '-f', fmt]
    if force_share:
        argv.append('-U')
    out, _ = utils.execute(*argv, path)
    return json.loads(out)


def check_base(path, fmt):
    """The base image's virtual size; refuses a qcow2 that points at other files."""
    details = info(path, fmt)
    if fmt == 'qcow2' and (details.get('backing-filename') or details.get('full-backing-filename')
                           or (details.get('format-specific', {}).get('data', {})
                               .get('data-file'))):
        raise exception.InvalidInput(reason='qcow2 image %s refers to another file; '
                                            'base images must stand alone' % path)
    return details['virtual-size']


def _size_for(virtual_size, gb, image_id):
    """Bytes of a root disk of ``gb`` GiB (0: the image's own size)."""
    if not gb:
        return virtual_size
    size = int(gb) * GiB
    if size < virtual_size:
        raise exception.FlavorDiskTooSmall(
            message='Flavor root disk of %s GiB is smaller than image %s (%d bytes).'
                    % (gb, image_id or '', virtual_size))
    return size


def create_root(base, fmt, path, gb, use_cow, image_id=None):
    """The root disk: an overlay of ``base`` (or a raw copy), ``gb`` GiB; its format."""
    size = _size_for(check_base(base, fmt), gb, image_id)
    if use_cow:
        utils.execute('qemu-img', 'create', '-q', '-f', 'qcow2', '-F', fmt, '-b',
                      os.path.abspath(base), path, str(size))
        return 'qcow2'
    utils.execute('qemu-img', 'convert', '-q', '-f', fmt, '-O', 'raw', base, path)
    grow(path, 'raw', size)
    return 'raw'


def create_blank(path, gb, use_cow):
    fmt = 'qcow2' if use_cow else 'raw'
    utils.execute('qemu-img', 'create', '-q', '-f', fmt, path, str(int(gb) * GiB))
    return fmt


def create_swap(path, mb):
    """A raw swap disk of ``mb`` MiB, ready for swapon."""
    utils.execute('qemu-img', 'create', '-q', '-f', 'raw', path, '%dM' % int(mb))
    utils.execute('mkswap', path)
    return 'raw'


def grow(path, fmt, size):
    """Grow a disk to ``size`` bytes; a disk already as large is left alone."""
    if info(path, fmt)['virtual-size'] < size:
        utils.execute('qemu-img', 'resize', '-q', '-f', fmt, path, str(size))


def resize_root(path, fmt, gb):
    if gb:
        grow(path, fmt, int(gb) * GiB)


def rebase(path, base, base_fmt):
    """Point an overlay at ``base`` (the same bytes under another path): unsafe rebase."""
    utils.execute('qemu-img', 'rebase', '-u', '-f', 'qcow2', '-F', base_fmt, '-b',
                  os.path.abspath(base), path)


def convert(src, src_fmt, dest, dest_fmt, force_share=False):
    argv = ['qemu-img', 'convert', '-q', '-f', src_fmt, '-O', dest_fmt]
    if force_share:
        argv.append('-U')
    utils.execute(*argv, src, dest)


def link_or_copy(src, dest):
    """A hard link (instant, and it survives the cache removing ``src``) or a copy."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def copy_tree(src, dest):
    """Copy an instance directory keeping sparse files sparse."""
    utils.execute('cp', '-a', '--sparse=always', src, dest)


def read_chunks(path, chunk_size=1024 * 1024):
    with open(path, 'rb') as f:
        while True:
            chunk = f.read(chunk_size)
            if not chunk:
                return
            yield chunk


def tail(path, max_bytes):
    """The last ``max_bytes`` of a file as text ('' when it does not exist yet)."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read()
    except FileNotFoundError:
        return ''
    return data.decode('utf-8', errors='replace')
