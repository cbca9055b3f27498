"""A nova-objectstore process of its own (fresh state, SQLite, its own flagfile)
and non-admin EC2 credentials made with nova-manage: for tests that watch the
daemon itself (its memory, its files) and for tools/bench/s3.py."""
import json
import os
import socket
import types
import uuid

from tests.harness import daemons


_CREDENTIALS_SCRIPT = """
import json
from nova.auth import manager
made, projects = {}, {}
for name, project_name, role in %r:
    project = projects.get(project_name) or manager.create_project(context, project_name)
    projects[project_name] = project
    user = manager.create_user(context, name, name + '-pw', default_project_id=project.id,
                               email=name + '@example.com')
    manager.add_role(context, user.id, project.id, role)
    credential = manager.create_ec2_credentials(context, user.id, project.id)
    made[name] = [credential.access, credential.secret, project.id]
print(json.dumps(made))
"""


def credentials(flagfile, *names, readers=None):
    """{name: (access, secret, project_id)}: for each name a project and a member
    user of it with EC2 keys (email <name>@example.com); readers maps more user
    names to the name whose project they only read. One `nova-manage shell
    python` run makes them all."""
    wanted = [(name, name, 'member') for name in names]
    wanted += [(name, project, 'reader') for name, project in (readers or {}).items()]
    script = os.path.join(os.path.dirname(flagfile), 'credentials-%s.py' % uuid.uuid4().hex)
    with open(script, 'w') as f:
        f.write(_CREDENTIALS_SCRIPT % (wanted,))
    try:
        out = daemons.manage(flagfile, 'shell', 'python', script).stdout
    finally:
        os.unlink(script)
    made = json.loads(out.strip().splitlines()[-1])
    return {name: types.SimpleNamespace(access=access, secret=secret, project_id=project,
                                        email=name + '@example.com')
            for name, (access, secret, project) in made.items()}


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
    creds = credentials(flagfile, 'owner')['owner']
    return run(flagfile, state_path, port), 'http://127.0.0.1:%d' % port, creds


def run(flagfile, state_path, port):
    """Start nova-objectstore (again) with flagfile; the Daemon once it listens."""
    daemon = daemons.Daemon('nova-objectstore', flagfile, state_path)
    try:
        daemons.wait_for(lambda: _listening(port) or daemon.proc.poll() is not None,
                         what='nova-objectstore to listen')
        if daemon.proc.poll() is not None:
            raise AssertionError('nova-objectstore exited:\n%s' % daemon.log()[-3000:])
    except BaseException:
        daemon.stop()
        raise
    return daemon


def peak_rss_bytes(pid):
    """VmHWM of a process: the most resident memory it ever had."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise AssertionError('no VmHWM for pid %d' % pid)
