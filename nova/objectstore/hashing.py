"""What a streamed body goes through beside the stream, in native threads.

A PUT hashes every byte up to three times (the MD5 of its ETag, the SHA-256 a
signed request declares, the checksum S3 clients send) and writes it to a
file. hashlib releases the GIL while it hashes a buffer longer than 2 KiB, and
os.write while it writes, so each of these can run on another core instead of
one after the other in the green thread that reads the socket: each gets its
own green worker feeding it the chunks in order through eventlet's native
thread pool, while the request's green thread goes on reading. A body whose
first chunk is small never leaves the green thread (a hand-off costs more
than hashing or writing a few KiB): --s3_hash_threads_min says how small.
"""
import errno
import mmap
import os

import eventlet
from eventlet import queue, tpool

from nova.conf import CONF
from nova.objectstore.files import (ALIGN, BUFFERED_WRITE, DIRECT_PIECE, WRITEBACK_STEP,
                                   set_direct, start_writeback)

DEPTH = 2  # chunks waiting per consumer: memory stays at a few chunks per request


class Beside:
    """A consumer's update(chunk) (a hashlib object, a FileSink) run beside the
    caller, chunk after chunk in order; finish() waits for the last one.

    An error of the consumer (a full disk) is raised by the next update() or by
    finish(); cancel() waits for the chunk in hand, so that nothing touches the
    consumer (a file about to be closed) once it returns."""

    def __init__(self, digest):
        self.digest = digest
        self._queue = self._worker = self._error = None
        self._cancelled = False

    def update(self, chunk):
        if self._error is not None:
            raise self._error
        if self._queue is None:
            threshold = CONF.s3_hash_threads_min
            if not threshold or len(chunk) < threshold:
                self.digest.update(chunk)
                return
            self._queue = queue.LightQueue(DEPTH)
            self._worker = eventlet.spawn(self._run, self._queue)
        self._queue.put(chunk)  # waits while DEPTH chunks are still to do

    def _run(self, chunks):
        while True:
            chunk = chunks.get()
            if chunk is None:
                return
            if self._error is None and not self._cancelled:
                try:
                    tpool.execute(self.digest.update, chunk)
                except Exception as e:  # noqa: BLE001 - handed to the caller
                    self._error = e

    def _stop(self):
        if self._worker is not None:
            worker, self._worker = self._worker, None
            self._queue.put(None)
            self._queue = None
            worker.wait()

    def finish(self):
        """The consumer, once every chunk given to update() is in it."""
        self._stop()
        if self._error is not None:
            raise self._error
        return self.digest

    def cancel(self):
        """The body ended with an error: skip the chunks still queued and wait
        for the one in hand (no result will be asked for)."""
        self._cancelled = True
        self._stop()


class FileSink:
    """update(chunk) appends every byte of chunk to an open file descriptor;
    close() writes what it still holds and must be called once the last chunk is in.

    The bytes past the first ``direct_min`` (--s3_direct_io_min; 0: none) go
    around the page cache (O_DIRECT), copied into one page-aligned piece of
    DIRECT_PIECE bytes that is written when full: copying a large body into the
    page cache costs more CPU than hashing it on some machines (and very
    unevenly on VMs), while a direct write costs little CPU, waits for the disk
    beside the stream and leaves the final fsync almost nothing to flush. A
    filesystem that refuses O_DIRECT gets buffered writes; the tail smaller
    than a page is written buffered, after O_DIRECT is turned off again.
    Buffered bytes are handed to the disk every WRITEBACK_STEP as they come
    (files.start_writeback), so that the final fsync finds little to flush.
    """

    def __init__(self, fd, direct_min=None):
        self.fd = fd
        self.written = 0  # bytes given to the file, buffered or direct
        self.direct_min = CONF.s3_direct_io_min if direct_min is None else direct_min
        self._piece = None  # the aligned piece while writing direct
        self._filled = 0
        self._unflushed = 0  # offset of the first buffered byte not yet handed to the disk

    def update(self, chunk):
        view = memoryview(chunk)
        if self._piece is None and self.direct_min and \
                self.written + len(view) > self.direct_min and \
                -self.written % ALIGN <= len(view):
            # the buffered bytes end on a page boundary before going direct
            view = self._buffered(view, -self.written % ALIGN)
            self._start_direct()
        while view:
            if self._piece is None:  # buffered, or direct refused
                self._buffered(view, len(view))
                return
            taken = min(len(view), DIRECT_PIECE - self._filled)
            self._piece[self._filled:self._filled + taken] = view[:taken]
            self._filled += taken
            view = view[taken:]
            if self._filled == DIRECT_PIECE:
                self._write_piece(DIRECT_PIECE)

    def close(self):
        """Write what the direct piece holds (its last partial page buffered) and
        leave the descriptor without O_DIRECT."""
        if self._piece is None:
            return
        whole = self._filled - self._filled % ALIGN
        if whole:
            self._write_piece(whole)
        if self._piece is not None:
            tail = bytes(self._piece[:self._filled])
            self._stop_direct()
            self._buffered(memoryview(tail), len(tail))

    def _buffered(self, view, count):
        """Write the first count bytes of view (BUFFERED_WRITE at a time); the rest of view."""
        head = view[:count]
        while head:
            written = os.write(self.fd, head[:BUFFERED_WRITE])
            head = head[written:]
            self.written += written
        if self.written - self._unflushed >= WRITEBACK_STEP:
            start_writeback(self.fd, self._unflushed, self.written - self._unflushed)
            self._unflushed = self.written
        return view[count:]

    def _start_direct(self):
        if not set_direct(self.fd, True):
            self.direct_min = 0  # not on this filesystem: buffered from here on
            return
        self._piece, self._filled = mmap.mmap(-1, DIRECT_PIECE), 0

    def _stop_direct(self):
        set_direct(self.fd, False)
        self._piece.close()
        self._piece, self._filled, self.direct_min = None, 0, 0

    def _write_piece(self, count):
        """Write the first count bytes (whole pages) of the piece direct; on a
        filesystem that takes the flag but not the write, buffered from then on."""
        done = 0
        with memoryview(self._piece) as piece:
            try:
                while done < count:
                    written = os.write(self.fd, piece[done:count])
                    done += written
                    self.written += written
            except OSError as e:
                if e.errno != errno.EINVAL:
                    raise
                refused = True
            else:
                refused = False
        if refused:
            rest = self._piece[done:self._filled]
            self._stop_direct()
            self._buffered(memoryview(rest), len(rest))
            return
        left = self._filled - count
        self._piece[:left] = self._piece[count:self._filled]
        self._filled = left

    @property
    def direct(self):
        """Whether close() has anything left to write."""
        return self._piece is not None


def feed(chunks, digests):
    """Yield chunks, each also given to every Beside of digests; all finished (or
    cancelled, if the chunks raise) when the iteration ends."""
    try:
        for chunk in chunks:
            for digest in digests:
                digest.update(chunk)
            yield chunk
    except BaseException:
        for digest in digests:
            digest.cancel()
        raise
    for digest in digests:
        digest.finish()
