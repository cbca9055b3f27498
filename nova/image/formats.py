"""What an image's data is, from its first and last bytes, as qemu-img would see it.

Uploads and imports keep the data's head (HEAD_SIZE bytes) while it streams;
``inspect`` then names the format that qemu would
detect (raw, qcow2, vmdk, vhd, vhdx, vdi, qed, iso), the disk size a guest
sees, and whether the data is safe to hand to qemu. A qcow2 with a backing
file or an external data file, and a vmdk whose descriptor names other
extents, would make the hypervisor host open files of its own: those are
refused whatever disk_format is declared. ``check`` then holds the declared
disk_format to the truth (image_format_enforcement in Glance's words).
"""
import dataclasses
import re
import struct

from nova import exception
from nova.i18n import _

HEAD_SIZE = 64 * 1024  # enough for every header below, and the ISO volume descriptor
_QCOW2_MAGIC = b'QFI\xfb'
_QCOW2_EXT_DATA_FILE = 0x44415441
_QCOW2_INCOMPAT_DATA_FILE = 1 << 2
_VMDK_MAGIC = b'KDMV'
_VMDK_TEXT = b'# Disk DescriptorFile'
_VMDK_SAFE_TYPES = ('monolithicSparse', 'streamOptimized')
_VHD_COOKIE = b'conectix'
_VHDX_MAGIC = b'vhdxfile'
_VDI_SIGNATURE = 0xbeda107f
_QED_MAGIC = b'QED\x00'
_ISO_OFFSET = 0x8001  # 'CD001' of the primary volume descriptor at 32 KiB + 1
# formats whose every byte sequence is a valid disk (qemu reads them as raw)
RAW_LIKE = ('raw', 'ami', 'ari', 'aki')
# what inspection says about the container formats that wrap a disk in something else
UNINSPECTED_CONTAINERS = ('ovf', 'ova', 'docker', 'compressed')
UNINSPECTED_DISKS = ('ploop',)  # no inspector: accepted as declared


@dataclasses.dataclass
class Inspection:
    format: str  # as qemu-img would detect it
    virtual_size: int | None  # what a guest sees; None when the header does not say
    unsafe: str | None = None  # why qemu must never open it, if so


def _qcow2(head, size):
    if len(head) < 72:
        return Inspection('qcow2', None, 'truncated qcow2 header')
    version, = struct.unpack('>I', head[4:8])
    backing_offset, = struct.unpack('>Q', head[8:16])
    virtual_size, = struct.unpack('>Q', head[24:32])
    result = Inspection('qcow2', virtual_size)
    if version not in (2, 3):
        result.unsafe = 'unknown qcow2 version %d' % version
    elif backing_offset:
        result.unsafe = 'qcow2 with a backing file'
    elif version == 3 and len(head) >= 104:
        incompatible, = struct.unpack('>Q', head[72:80])
        header_length, = struct.unpack('>I', head[100:104])
        extensions_at = max(header_length, 104)  # v3 headers are at least 104 bytes
        if incompatible & _QCOW2_INCOMPAT_DATA_FILE or _qcow2_has_data_file(head,
                                                                            extensions_at):
            result.unsafe = 'qcow2 with an external data file'
    return result


def _qcow2_has_data_file(head, offset):
    """Whether a qcow2 v3 header extension names a data file (walked within the head)."""
    for _step in range(64):
        if offset + 8 > len(head):
            return False
        kind, length = struct.unpack('>II', head[offset:offset + 8])
        if kind == 0:
            return False
        if kind == _QCOW2_EXT_DATA_FILE:
            return True
        offset += 8 + (length + 7) // 8 * 8
    return False


def _vmdk_descriptor_unsafe(text):
    """Why a vmdk descriptor is unsafe: a createType that points at other files."""
    match = re.search(rb'createType\s*=\s*"([^"]*)"', text)
    kind = match.group(1).decode('ascii', 'replace') if match else None
    if kind not in _VMDK_SAFE_TYPES:
        return 'vmdk of createType %s (only %s are accepted)' % (
            kind, ', '.join(_VMDK_SAFE_TYPES))
    return None


def _vmdk(head):
    if head.startswith(_VMDK_TEXT):  # a bare descriptor: its extents are other files
        return Inspection('vmdk', None, _vmdk_descriptor_unsafe(head) or
                          'vmdk descriptor without its data')
    if len(head) < 44:
        return Inspection('vmdk', None, 'truncated vmdk header')
    capacity, _grain, desc_sector, desc_size = struct.unpack('<QQQQ', head[12:44])
    start, end = desc_sector * 512, (desc_sector + desc_size) * 512
    descriptor = head[start:min(end, len(head))] if desc_sector else b''
    unsafe = _vmdk_descriptor_unsafe(descriptor) if descriptor else None
    return Inspection('vmdk', capacity * 512, unsafe)


def _vhd_footer(block):
    if block[:8] != _VHD_COOKIE or len(block) < 56:
        return None
    return struct.unpack('>Q', block[48:56])[0]


def inspect(head, size):
    """The Inspection of data of size bytes whose first bytes are head."""
    if head.startswith(_QCOW2_MAGIC):
        return _qcow2(head, size)
    if head.startswith(_VMDK_MAGIC) or head.startswith(_VMDK_TEXT):
        return _vmdk(head)
    if head.startswith(_VHDX_MAGIC):
        return Inspection('vhdx', None)
    if head.startswith(_QED_MAGIC):
        return Inspection('qed', None, 'qed images may name a backing file')
    if len(head) >= 0x178 and struct.unpack('<I', head[0x40:0x44])[0] == _VDI_SIGNATURE:
        return Inspection('vdi', struct.unpack('<Q', head[0x170:0x178])[0])
    virtual_size = _vhd_footer(head[:512])  # a dynamic VHD copies its footer first; a
    if virtual_size is not None:             # fixed one is raw to qemu (footer at the end)
        return Inspection('vhd', virtual_size)
    if head[_ISO_OFFSET:_ISO_OFFSET + 5] == b'CD001':
        return Inspection('iso', size)
    return Inspection('raw', size)


def check(disk_format, container_format, inspection):
    """The inspection's virtual size if data of that inspection may be an image of
    disk_format; InvalidImageData naming the mismatch or the danger otherwise.
    """
    if inspection.unsafe:
        raise exception.InvalidImageData(reason=_('%s is refused: the hypervisor would '
                                                'open other files') % inspection.unsafe)
    if container_format in UNINSPECTED_CONTAINERS or disk_format in UNINSPECTED_DISKS:
        return None
    if disk_format in RAW_LIKE:
        if inspection.format not in ('raw', 'iso'):
            raise exception.InvalidImageData(reason=_('the data is a %s image, not %s') % (
                inspection.format, disk_format))
        return inspection.virtual_size
    if inspection.format != disk_format:
        raise exception.InvalidImageData(reason=_('disk_format is %s but the data is %s') % (
            disk_format, 'not a disk image of a known format (raw)'
            if inspection.format == 'raw' else 'a %s image' % inspection.format))
    return inspection.virtual_size


class Sniffer:
    """Keeps the head of a stream of chunks as they pass."""

    def __init__(self):
        self.head = b''

    def feed(self, chunk):
        if len(self.head) < HEAD_SIZE:
            self.head += chunk[:HEAD_SIZE - len(self.head)]
