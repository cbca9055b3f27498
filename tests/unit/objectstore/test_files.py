"""Large reads around the page cache: the same bytes as ordinary reads for any
range, on filesystems that refuse O_DIRECT too, and the descriptor left as it was."""
import errno
import fcntl
import os

import pytest

from nova.objectstore import files

SIZE = 2 * files.READ_PIECE + 123


@pytest.fixture(scope='module')
def stored(tmp_path_factory):
    content = os.urandom(SIZE)
    path = tmp_path_factory.mktemp('direct') / 'object'
    path.write_bytes(content)
    return path, content


def _read(path, offset, length):
    with open(path, 'rb') as f:
        got, flags = [], []
        for data in files.read_direct(f.fileno(), offset, length, 1024 ** 2):
            got.append(data)
            flags.append(bool(fcntl.fcntl(f.fileno(), fcntl.F_GETFL) & os.O_DIRECT))
        assert not fcntl.fcntl(f.fileno(), fcntl.F_GETFL) & os.O_DIRECT
    return b''.join(got), all(flags)


@pytest.mark.parametrize('offset,length', [
    (0, SIZE), (1, SIZE - 1), (4095, files.READ_PIECE + 5), (files.READ_PIECE - 2, 5000),
    (SIZE - 1, 1), (0, SIZE + 1000)])
def test_any_range_reads_the_same_bytes(stored, offset, length):
    path, content = stored
    assert _read(path, offset, length) == (content[offset:offset + length], True)


def test_a_filesystem_refusing_direct_reads_gets_ordinary_ones(stored, monkeypatch):
    path, content = stored
    real = os.preadv

    def no_direct(fd, buffers, at):
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT:
            raise OSError(errno.EINVAL, 'Invalid argument')
        return real(fd, buffers, at)

    monkeypatch.setattr(os, 'preadv', no_direct)
    assert _read(path, 7, SIZE - 7) == (content[7:], False)


def test_closing_early_waits_for_the_read_in_flight(stored):
    path, content = stored
    with open(path, 'rb') as f:
        reads = files.read_direct(f.fileno(), 0, SIZE, files.READ_PIECE)
        assert next(reads) == content[:files.READ_PIECE]
        reads.close()  # the second read was started: it is waited for
        assert not fcntl.fcntl(f.fileno(), fcntl.F_GETFL) & os.O_DIRECT
