"""A nova-objectstore process of its own (fresh state, SQLite, its own flagfile)
and non-admin EC2 credentials made with nova-manage: for tests that watch the
daemon itself (its memory, its files) and for tools/bench/s3.py."""
import os
import re
import socket
import types

from tests.harness import daemons


def credentials(flagfile, name):
    """A project and a member user named name, and their EC2 access/secret keys."""
    daemons.manage(flagfile, 'project', 'create', name)
    daemons.manage(flagfile, 'user', 'create', name, '--password', name + '-pw',
                   '--project', name)
    out = daemons.manage(flagfile, 'credentials', 'create', name, name).stdout
    access = re.search(r'Access:\s*(\S+)', out).group(1)
    secret = re.search(r'Secret:\s*(\S+)', out).group(1)
    return types.SimpleNamespace(access=access, secret=secret)


def _listening(port):
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) == 0


def start(state_path, **flags):
    """A running nova-objectstore under state_path: (Daemon, endpoint, credentials)."""
    port = daemons.free_port()
    flagfile = daemons.write_flagfile(
        os.path.join(state_path, 'nova.flags'), transport_url='inproc://',
        state_path=state_path, sql_connection='sqlite:///%s/nova.sqlite' % state_path,
        objectstore_listen='127.0.0.1', objectstore_listen_port=port, **flags)
    daemons.manage(flagfile, 'db', 'sync')
    creds = credentials(flagfile, 'owner')
    daemon = daemons.Daemon('nova-objectstore', flagfile, state_path)
    try:
        daemons.wait_for(lambda: _listening(port) or daemon.proc.poll() is not None,
                         what='nova-objectstore to listen')
        if daemon.proc.poll() is not None:
            raise AssertionError('nova-objectstore exited:\n%s' % daemon.log()[-3000:])
    except BaseException:
        daemon.stop()
        raise
    return daemon, 'http://127.0.0.1:%d' % port, creds


def peak_rss_bytes(pid):
    """VmHWM of a process: the most resident memory it ever had."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise AssertionError('no VmHWM for pid %d' % pid)
