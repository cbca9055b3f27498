"""Dynamic VHD streams, as XAPI's import/export handlers take and give them (format=vhd).

A dynamic VHD is a copy of the footer, a sparse header, the block allocation
table (BAT), the allocated 2 MiB blocks (each a sector bitmap and its data)
and the footer again; unallocated blocks read as zeros. ``write`` makes one
from the data extents of a sparse file; ``read`` applies one, streamed in
order, to a raw file. Fixed and differencing VHDs are not taken.
"""
import struct
import time
import uuid

BLOCK_SIZE = 2 * 1024 * 1024
SECTOR = 512
_FOOTER = struct.Struct('>8sIIQI4sI4sQQHBBII16sB427s')
_HEADER = struct.Struct('>8sQQIIII16sII512s192s256s')
_DYNAMIC, _FIXED = 3, 2
_UNUSED = 0xFFFFFFFF
_EPOCH_2000 = 946684800


class VhdError(ValueError):
    pass


def _checksum(data):
    return (~sum(data)) & 0xFFFFFFFF


def _geometry(size):
    sectors = min(size // SECTOR, 65535 * 16 * 255)
    if sectors >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cyl_heads = sectors // spt
    else:
        spt = 17
        cyl_heads = sectors // spt
        heads = max((cyl_heads + 1023) // 1024, 4)
        if cyl_heads >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cyl_heads = sectors // spt
        if cyl_heads >= heads * 1024:
            spt, heads = 63, 16
            cyl_heads = sectors // spt
    return cyl_heads // heads, heads, spt


def footer(size, disk_type=_DYNAMIC, data_offset=SECTOR):
    cylinders, heads, spt = _geometry(size)
    fields = [b'conectix', 2, 0x00010000, data_offset, int(time.time()) - _EPOCH_2000,
              b'tap\x00', 0x00010003, b'Lnux', size, size,
              cylinders, heads, spt, disk_type, 0, uuid.uuid4().bytes, 0, b'\x00' * 427]
    raw = _FOOTER.pack(*fields)
    fields[14] = _checksum(raw)
    return _FOOTER.pack(*fields)


def _header(size, table_offset):
    entries = (size + BLOCK_SIZE - 1) // BLOCK_SIZE
    fields = [b'cxsparse', 0xFFFFFFFFFFFFFFFF, table_offset, 0x00010000, entries, BLOCK_SIZE,
              0, b'\x00' * 16, 0, 0, b'\x00' * 512, b'\x00' * 192, b'\x00' * 256]
    raw = _HEADER.pack(*fields)
    fields[6] = _checksum(raw)
    return _HEADER.pack(*fields)


def write(size, blocks):
    """Chunks of a dynamic VHD of virtual ``size`` holding ``blocks``: {block index:
    the block's data (at most BLOCK_SIZE bytes)} for the allocated ones; the data is
    read through a callable so that only one block is in memory at a time."""
    entries = (size + BLOCK_SIZE - 1) // BLOCK_SIZE
    table_offset = 3 * SECTOR
    bat_bytes = (entries * 4 + SECTOR - 1) // SECTOR * SECTOR
    bitmap = (BLOCK_SIZE // SECTOR // 8 + SECTOR - 1) // SECTOR * SECTOR
    bat = [_UNUSED] * entries
    sector = (table_offset + bat_bytes) // SECTOR
    order = sorted(blocks)
    for index in order:
        bat[index] = sector
        sector += (bitmap + BLOCK_SIZE) // SECTOR
    tail = footer(size)
    yield tail + _header(size, table_offset)
    yield struct.pack('>%dI' % entries, *bat) + b'\xff' * (bat_bytes - entries * 4)
    for index in order:
        data = blocks[index]()
        yield b'\xff' * bitmap + data + b'\x00' * (BLOCK_SIZE - len(data))
    yield tail


class _Reader:
    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buffer = b''
        self.offset = 0

    def take(self, count):
        while len(self.buffer) < count:
            chunk = next(self.chunks, None)
            if chunk is None:
                raise VhdError('the VHD stream ended early')
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        self.offset += count
        return data

    def skip_to(self, offset):
        if offset < self.offset:
            raise VhdError('VHD blocks out of order')
        while self.offset < offset:
            self.take(min(offset - self.offset, 1024 * 1024))


def read(chunks, write_at, max_size):
    """Apply a dynamic VHD stream: write_at(offset, data) for each allocated block.
    Returns the VHD's virtual size; VhdError when the stream is not one we take."""
    reader = _Reader(chunks)
    head = reader.take(SECTOR)
    fields = _FOOTER.unpack(head)
    if fields[0] != b'conectix':
        raise VhdError('not a VHD (no conectix footer at the start)')
    if fields[13] != _DYNAMIC:
        raise VhdError('only dynamic VHDs are taken (disk type %d)' % fields[13])
    size = fields[9]
    if size > max_size:
        raise VhdError('the VHD is %d bytes, larger than the VDI (%d)' % (size, max_size))
    reader.skip_to(fields[3])
    header = _HEADER.unpack(reader.take(_HEADER.size))
    if header[0] != b'cxsparse':
        raise VhdError('no sparse header')
    table_offset, entries, block_size = header[2], header[4], header[5]
    reader.skip_to(table_offset)
    bat = struct.unpack('>%dI' % entries, reader.take(entries * 4))
    bitmap = (block_size // SECTOR // 8 + SECTOR - 1) // SECTOR * SECTOR
    for sector, index in sorted((s, i) for i, s in enumerate(bat) if s != _UNUSED):
        reader.skip_to(sector * SECTOR)
        reader.take(bitmap)
        data = reader.take(block_size)
        start = index * block_size
        write_at(start, data[:max(0, min(block_size, size - start))])
    return size
