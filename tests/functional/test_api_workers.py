"""nova-api with --osapi_compute_workers=2 as a real process: two worker processes
accept on the compute API's one socket (only the first also serves identity), a
worker that dies is replaced, and SIGTERM stops them all with exit code 0."""
import os
import signal
import subprocess
import urllib.request

import pytest

from tests.harness import daemons


@pytest.fixture
def api(tmp_path):
    ports = {'osapi_compute': daemons.free_port(), 'identity': daemons.free_port()}
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), transport_url='inproc://',
        sql_connection='sqlite:///$state_path/nova.sqlite', host='testhost',
        enabled_apis='osapi_compute,identity', osapi_compute_workers=2,
        **{'%s_listen' % name: '127.0.0.1' for name in ports},
        **{'%s_listen_port' % name: port for name, port in ports.items()})
    daemons.manage(flagfile, 'db', 'sync')
    process = daemons.Daemon('nova-api', flagfile, str(tmp_path))
    try:
        daemons.wait_for(lambda: len(_workers(process)) == 2 and all(
            _answers(port) for port in ports.values()), timeout=60,
            what='two workers answering: %s' % process.log()[-2000:])
        yield process, ports
    finally:
        process.stop()


def _workers(process):
    out = subprocess.run(['ps', '-o', 'pid=', '--ppid', str(process.proc.pid)],
                         capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in out.split())


def _answers(port):
    try:
        urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=5).close()
        return True
    except urllib.error.HTTPError:
        return True  # answering, whatever it says
    except OSError:
        return False


def _listening_inode(port):
    with open('/proc/net/tcp') as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(':')[1], 16) == port and fields[3] == '0A':
                return fields[9]
    raise AssertionError('nothing listens on %d' % port)


def _socket_inodes(pid):
    inodes = set()
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        if target.startswith('socket:['):
            inodes.add(target[len('socket:['):-1])
    return inodes


def test_workers_share_the_socket_and_are_replaced(api):
    process, ports = api
    first, second = _workers(process)
    compute, identity = (_listening_inode(ports[name]) for name in ('osapi_compute',
                                                                    'identity'))
    held = {pid: _socket_inodes(pid) for pid in (first, second)}
    assert all(compute in inodes for inodes in held.values())  # both accept on it
    assert sorted(identity in inodes for inodes in held.values()) == [False, True]

    os.kill(second, signal.SIGKILL)
    daemons.wait_for(lambda: len(_workers(process)) == 2 and second not in _workers(process),
                     timeout=30, what='a replacement worker: %s' % process.log()[-2000:])
    assert 'exited with status' in process.log()
    assert all(_answers(port) for port in ports.values())

    workers = _workers(process)
    assert process.stop() == 0
    assert not [pid for pid in workers if os.path.exists('/proc/%d' % pid)]
