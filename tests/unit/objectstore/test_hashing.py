"""Digests and file writes beside a stream: the same digests and bytes as in line,
large bodies in a worker, small ones in line, errors reaching the caller, and no
worker left behind (or still touching a file) when the stream fails."""
import errno
import fcntl
import hashlib
import os
import time

import pytest

from nova.conf import CONF
from nova.objectstore import hashing


def _chunks(sizes):
    return [os.urandom(size) for size in sizes]


def test_large_body_is_hashed_beside_to_the_same_digests():
    chunks = _chunks([256 * 1024, 100, 256 * 1024, 7])
    md5, sha = hashing.Beside(hashlib.md5()), hashing.Beside(hashlib.sha256())
    passed = []
    for chunk in hashing.feed(iter(chunks), [md5, sha]):
        passed.append(chunk)
        assert md5._worker is not None  # the worker runs while the stream goes on
    assert passed == chunks
    assert md5.digest.hexdigest() == hashlib.md5(b''.join(chunks)).hexdigest()
    assert sha.digest.hexdigest() == hashlib.sha256(b''.join(chunks)).hexdigest()
    assert md5._worker is None and sha._worker is None


def test_small_first_chunk_stays_in_line():
    chunks = _chunks([1024, 512 * 1024])
    beside = hashing.Beside(hashlib.md5())
    list(hashing.feed(iter(chunks), [beside]))
    assert beside.digest.hexdigest() == hashlib.md5(b''.join(chunks)).hexdigest()
    assert beside._queue is None  # never handed off: the first chunk was small


def test_threads_turned_off_hash_in_line():
    CONF.set_override('s3_hash_threads_min', 0)
    try:
        beside = hashing.Beside(hashlib.md5())
        chunk = os.urandom(1024 * 1024)
        beside.update(chunk)
        assert beside._queue is None
        assert beside.finish().hexdigest() == hashlib.md5(chunk).hexdigest()
    finally:
        CONF.clear_override('s3_hash_threads_min')


def test_a_failing_stream_stops_the_workers():
    def broken():
        yield os.urandom(256 * 1024)
        raise ConnectionResetError('client went away')

    beside = hashing.Beside(hashlib.sha256())
    stream = hashing.feed(broken(), [beside])
    next(stream)
    assert beside._worker is not None
    with pytest.raises(ConnectionResetError):
        next(stream)
    assert beside._worker is None


def test_file_writes_beside_keep_every_byte_in_order(tmp_path):
    chunks = _chunks([256 * 1024, 3, 300 * 1024, 1024 * 1024])
    path = tmp_path / 'object'
    with open(path, 'wb', buffering=0) as f:
        sink = hashing.Beside(hashing.FileSink(f.fileno()))
        for chunk in chunks:
            sink.update(chunk)
        assert sink._worker is not None
        sink.finish()
    assert path.read_bytes() == b''.join(chunks)


def _is_direct(fd):
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)


def test_large_body_past_direct_min_goes_around_the_page_cache(tmp_path):
    # switches on an odd offset (padded to a page first), pieces filled across chunks,
    # a tail shorter than a page
    chunks = _chunks([5000, 7000, 3 * 1024 * 1024 + 5, 1024 * 1024, 100])
    path = tmp_path / 'object'
    with open(path, 'wb', buffering=0) as f:
        writer = hashing.FileSink(f.fileno(), direct_min=10000)
        seen = []
        for chunk in chunks:
            writer.update(chunk)
            seen.append(writer.direct and _is_direct(f.fileno()))
        assert seen == [False, True, True, True, True]
        writer.close()
        assert not writer.direct and not _is_direct(f.fileno())
        assert writer.written == sum(map(len, chunks))
    assert path.read_bytes() == b''.join(chunks)


def test_small_body_and_direct_off_stay_buffered(tmp_path):
    for direct_min, sizes in ((8 * 1024 ** 2, [1024 ** 2] * 3), (0, [3 * 1024 ** 2])):
        with open(tmp_path / 'object', 'wb', buffering=0) as f:
            writer = hashing.FileSink(f.fileno(), direct_min=direct_min)
            for chunk in _chunks(sizes):
                writer.update(chunk)
            assert not writer.direct and not _is_direct(f.fileno())


def _sink_all(f, chunks, direct_min):
    """Every chunk through a FileSink of the open file f, closed."""
    writer = hashing.FileSink(f.fileno(), direct_min=direct_min)
    for chunk in chunks:
        writer.update(chunk)
    writer.close()


def test_buffered_writes_go_to_the_page_cache_in_small_pieces(tmp_path, monkeypatch):
    """Larger writes into the page cache cost some VMs many times the CPU per byte."""
    real_write, sizes = os.write, []

    def recorded(fd, data):
        sizes.append(len(data))
        return real_write(fd, data)

    monkeypatch.setattr(os, 'write', recorded)
    chunks = _chunks([4 * 1024 ** 2 + 5, 3])
    path = tmp_path / 'object'
    with open(path, 'wb', buffering=0) as f:
        _sink_all(f, chunks, direct_min=0)
    pieces = -(-(4 * 1024 ** 2 + 5) // hashing.BUFFERED_WRITE) + 1
    assert max(sizes) == hashing.BUFFERED_WRITE and len(sizes) == pieces
    assert path.read_bytes() == b''.join(chunks)


def test_buffered_bytes_are_handed_to_the_disk_as_they_come(tmp_path, monkeypatch):
    """Every WRITEBACK_STEP the bytes written since the last hand-off start
    going to disk (the fsync at the end has little left to flush)."""
    ranges, real = [], hashing.start_writeback

    def recorded(fd, offset, count):
        ranges.append((offset, count))
        real(fd, offset, count)  # the real call is accepted on this filesystem

    monkeypatch.setattr(hashing, 'start_writeback', recorded)
    step = hashing.WRITEBACK_STEP
    chunks = [os.urandom(1024 ** 2)] * (2 * step // 1024 ** 2 + 3)
    path = tmp_path / 'object'
    with open(path, 'wb', buffering=0) as f:
        _sink_all(f, chunks, direct_min=0)
    assert ranges == [(0, step), (step, step)]
    assert path.read_bytes() == b''.join(chunks)


def test_a_filesystem_refusing_direct_writes_gets_every_byte(tmp_path, monkeypatch):
    real_write = os.write

    def no_direct(fd, data):
        if _is_direct(fd):
            raise OSError(errno.EINVAL, 'Invalid argument')
        return real_write(fd, data)

    monkeypatch.setattr(os, 'write', no_direct)
    chunks = _chunks([4096, 2 * 1024 * 1024 + 1, 3])
    path = tmp_path / 'object'
    with open(path, 'wb', buffering=0) as f:
        _sink_all(f, chunks, direct_min=4096)
        assert not _is_direct(f.fileno())
    assert path.read_bytes() == b''.join(chunks)


class _FullDisk:
    def __init__(self):
        self.calls = 0

    def update(self, chunk):
        self.calls += 1
        raise OSError(28, 'No space left on device')


def test_an_error_of_the_consumer_reaches_the_caller():
    consumer = _FullDisk()
    beside = hashing.Beside(consumer)
    chunk = os.urandom(256 * 1024)
    with pytest.raises(OSError, match='No space'):
        for _ in range(10):  # raised by a later update() once the worker failed
            beside.update(chunk)
        beside.finish()
    assert consumer.calls == 1  # nothing more was written after the failure
    beside.cancel()
    assert beside._worker is None


def test_cancel_waits_for_the_chunk_in_hand():
    done = []

    class Slow:
        def update(self, chunk):
            time.sleep(0.05)  # a native thread: eventlet does not patch it here
            done.append(len(chunk))

    beside = hashing.Beside(Slow())
    for _ in range(3):
        beside.update(os.urandom(256 * 1024))
    beside.cancel()
    seen = len(done)
    assert 1 <= seen <= 3 and beside._worker is None
    time.sleep(0.1)
    assert len(done) == seen  # nothing runs on the consumer after cancel() returned
