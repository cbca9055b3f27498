"""Digests of a streamed body, computed beside the stream in native threads.

A PUT hashes every byte up to three times (the MD5 of its ETag, the SHA-256 a
signed request declares, the checksum S3 clients send), one after the other in
the green thread that also reads the socket and writes the file. hashlib
releases the GIL while it hashes a buffer longer than 2 KiB, so each digest
can run on another core instead: it gets its own green worker feeding it the
chunks in order through eventlet's native thread pool, while the request's
green thread goes on reading and writing. A body whose first chunk is small
never leaves the green thread (a hand-off costs more than hashing a few KiB):
--s3_hash_threads_min says how small.
"""
import eventlet
from eventlet import queue, tpool

from nova.conf import CONF

DEPTH = 2  # chunks waiting per digest: memory stays at a few chunks per request


class Beside:
    """A hashlib-like object's update() run beside the caller; finish() waits for it."""

    def __init__(self, digest):
        self.digest = digest
        self._queue = self._worker = None

    def update(self, chunk):
        if self._queue is None:
            threshold = CONF.s3_hash_threads_min
            if not threshold or len(chunk) < threshold:
                self.digest.update(chunk)
                return
            self._queue = queue.LightQueue(DEPTH)
            self._worker = eventlet.spawn(self._run, self._queue)
        self._queue.put(chunk)  # waits while DEPTH chunks are still to hash

    def _run(self, chunks):
        while True:
            chunk = chunks.get()
            if chunk is None:
                return
            tpool.execute(self.digest.update, chunk)

    def finish(self):
        """The digest, once every chunk given to update() is in it."""
        if self._worker is not None:
            self._queue.put(None)
            worker, self._worker, self._queue = self._worker, None, None
            worker.wait()
        return self.digest

    def cancel(self):
        """The body ended with an error: stop the worker (no digest will be asked for)."""
        if self._worker is not None:
            worker, self._worker, self._queue = self._worker, None, None
            worker.kill()


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
