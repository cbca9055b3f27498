"""Files under buckets_path: metadata in an extended attribute, atomic JSON
documents, durable renames and what goes with them. Shared by buckets,
objects, versions and multipart uploads."""
import ctypes
import dataclasses
import datetime
import errno
import fcntl
import json
import mmap
import os
import tempfile

import eventlet
from eventlet import tpool

XATTR = 'user.nova.s3'
ALIGN = 4096  # O_DIRECT: offsets, lengths and buffers on page boundaries
DIRECT_PIECE = 1024 ** 2  # bytes of one O_DIRECT write
# bytes of one buffered write at the most. ext4 gives a write a page-cache folio
# as large as the write (up to 2 MiB); large folios come from large free blocks,
# which a VM with free page reporting (virtio-balloon) has handed back to its
# host, so filling them faults every page in again on the host: on this VM a
# PUT written 1 MiB at a time cost the server 4-12 ms of system time per MiB in
# most runs, 256 KiB writes 0.6-4, 64 KiB writes a steady 0.6-0.8 (perf: the
# time is in copy_folio_from_iter_atomic).
BUFFERED_WRITE = 64 * 1024
# bytes written through the page cache between two requests to start writing
# them to disk (sync_file_range): the disk is written while the body streams in
# and the fsync before the rename has little left to flush, the pages stay cached
WRITEBACK_STEP = 8 * 1024 ** 2
READ_PIECE = 4 * 1024 ** 2  # bytes of one O_DIRECT read (fewer, larger requests to the disk)


def utc(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


@dataclasses.dataclass
class ObjectInfo:
    """An object's stored attributes and its size and modification time."""

    key: str
    size: int
    mtime: float
    attrs: dict

    @property
    def etag(self):
        return self.attrs['etag']

    @property
    def last_modified(self):
        return utc(self.mtime)


def read_attrs(path_or_fd):
    return json.loads(os.getxattr(path_or_fd, XATTR))


def write_json(path, document):
    """Replace path with document atomically (temporary file, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.json-')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(document, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def discard(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(path):
    """Flush a directory's entries (a rename into it) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune_dirs(path, root):
    """Remove the empty directories from path up to (not including) root."""
    while path != root and path.startswith(root):
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


def scandir(path):
    """The entries of a directory, none if it is gone."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


_SYNC_FILE_RANGE_WRITE = 2
_libc = ctypes.CDLL(None, use_errno=True)
_sync_file_range = getattr(_libc, 'sync_file_range', None)
if _sync_file_range is not None:
    _sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]


def start_writeback(fd, offset, count):
    """Ask the kernel to start writing [offset, offset + count) of fd to disk,
    without waiting for it: no durability promise (fsync still makes one), only
    less for the fsync to wait for. Nothing where the call is missing or refused."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, count, _SYNC_FILE_RANGE_WRITE)


def set_direct(fd, on):
    """Turn O_DIRECT on or off for an open file; False where the filesystem refuses it."""
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_DIRECT if on else flags & ~os.O_DIRECT)
    except OSError:
        return False
    return True


def read_direct(fd, offset, length, chunk_size):
    """Yield [offset, offset + length) of fd as bytes, read around the page cache
    (O_DIRECT, so that a large object read once costs no page-cache pages: on
    some VMs new page-cache pages cost more CPU than the bytes' copy) in
    READ_PIECE reads made in native threads, the next one while the caller
    sends the last, yielded in chunk_size pieces. Where the filesystem refuses
    O_DIRECT, ordinary reads.

    Close the generator before closing fd: that waits for a read in flight."""
    direct = set_direct(fd, True)
    pieces = [mmap.mmap(-1, READ_PIECE), mmap.mmap(-1, READ_PIECE)]
    end = offset + length
    position = offset - offset % ALIGN

    def start(piece, at):
        size = min(READ_PIECE, end - at + -(end - at) % ALIGN)
        return eventlet.spawn(tpool.execute, _pread, fd, piece, size, at)

    pending = start(pieces[0], position)
    try:
        turn = 0
        while position < end:
            try:
                count = pending.wait()
            except OSError as e:
                if e.errno != errno.EINVAL or not direct:
                    raise
                set_direct(fd, False)  # it took the flag, not the read
                direct = False
                pending = start(pieces[turn], position)
                continue
            piece, at = pieces[turn], position
            position += count
            turn = 1 - turn
            pending = start(pieces[turn], position) if count and position < end else None
            first, last = max(offset - at, 0), min(count, end - at)
            if first >= last:
                return  # the file ended sooner
            for start_at in range(first, last, chunk_size):
                yield piece[start_at:min(start_at + chunk_size, last)]
    finally:
        if pending is not None:
            try:
                pending.wait()
            except OSError:
                pass
        if direct:
            set_direct(fd, False)
        for piece in pieces:
            piece.close()


def _pread(fd, piece, size, at):
    with memoryview(piece) as view:
        return os.preadv(fd, [view[:size]], at)
