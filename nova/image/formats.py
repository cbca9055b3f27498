"""An image's virtual size from the first bytes of its data, as Glance records it.

Only formats whose header states it without reading further are known: raw
and iso (the data is the disk) and qcow2 (the size field of its header).
Others have no virtual size (None), as in Glance when its inspector fails.
"""
import struct

HEAD_SIZE = 512  # bytes of the data that virtual_size needs at most
_QCOW2_MAGIC = b'QFI\xfb'


def virtual_size(disk_format, head, size):
    """The disk size a guest sees, from the data's head and its size in bytes."""
    if disk_format in ('raw', 'iso'):
        return size
    if disk_format == 'qcow2' and head[:4] == _QCOW2_MAGIC and len(head) >= 32:
        return struct.unpack('>Q', head[24:32])[0]
    return None
