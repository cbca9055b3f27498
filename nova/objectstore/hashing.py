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
import os

import eventlet
from eventlet import queue, tpool

from nova.conf import CONF

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
    """update(chunk) appends every byte of chunk to an open file descriptor."""

    def __init__(self, fd):
        self.fd = fd

    def update(self, chunk):
        view = memoryview(chunk)
        while view:
            view = view[os.write(self.fd, view):]


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
