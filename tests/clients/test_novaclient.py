"""The unmodified `nova` CLI (python-novaclient, microversion 2.96) on a running
nova-all: boot --poll, list, show, reboot --poll, stop, start, delete, as a project
member; its errors carry Nova's messages."""
import re
import time
import uuid

import pytest


@pytest.fixture(scope='module')
def member(cloud):
    name = 'nc-%s' % uuid.uuid4().hex[:8]
    cloud.manage('project', 'create', name)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    return cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                     OS_PROJECT_NAME=name)


def _table(text):
    """{Property: Value} of a `nova show`-style table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 2 and line.startswith('|'):
            rows[cells[0]] = cells[1]
    return rows


def _status(cloud, env, server):
    return _table(cloud.run('nova', 'show', server, env=env).stdout)['status']


def _wait_status(cloud, env, server, status, timeout=60):
    deadline = time.monotonic() + timeout
    while _status(cloud, env, server) != status:
        assert time.monotonic() < deadline, 'server %s not %s' % (server, status)
        time.sleep(0.5)


def test_server_lifecycle(cloud, member):
    name = 'nv-%s' % uuid.uuid4().hex[:6]
    booted = cloud.run('nova', 'boot', '--image', 'cirros', '--flavor', 'm1.tiny',
                       '--nic', 'none', '--poll', name, env=member)
    assert 'Finished' in booted.stdout
    server_id = _table(booted.stdout)['id']

    listed = cloud.run('nova', 'list', env=member).stdout
    assert re.search(r'\| %s \| %s\s+\| ACTIVE \|' % (server_id, name), listed), listed

    shown = _table(cloud.run('nova', 'show', name, env=member).stdout)
    assert (shown['id'], shown['status'], shown['OS-EXT-STS:vm_state']) == (
        server_id, 'ACTIVE', 'active')
    assert shown['flavor:original_name'] == 'm1.tiny'
    assert shown['image'].startswith('cirros (')
    assert shown['locked'] == 'False' and shown['tags'] == '[]'

    rebooted = cloud.run('nova', 'reboot', '--poll', name, env=member)
    assert 'Finished' in rebooted.stdout
    assert _status(cloud, member, name) == 'ACTIVE'

    cloud.run('nova', 'stop', name, env=member)
    _wait_status(cloud, member, name, 'SHUTOFF')
    cloud.run('nova', 'start', name, env=member)
    _wait_status(cloud, member, name, 'ACTIVE')

    cloud.run('nova', 'delete', name, env=member)
    deadline = time.monotonic() + 60
    while server_id in cloud.run('nova', 'list', env=member).stdout:
        assert time.monotonic() < deadline, 'server not deleted'
        time.sleep(0.5)
    missing = cloud.run('nova', 'show', server_id, env=member, check=False)
    assert missing.returncode != 0
    assert 'No server with a name or ID of' in missing.stderr


def test_start_an_active_server_is_a_conflict(cloud, member):
    name = 'nv-%s' % uuid.uuid4().hex[:6]
    cloud.run('nova', 'boot', '--image', 'cirros', '--flavor', 'm1.tiny', '--nic', 'none',
              '--poll', name, env=member)
    refused = cloud.run('nova', 'start', name, env=member, check=False)
    assert refused.returncode != 0
    # novaclient prints each server's error, then gives up
    assert "Cannot 'start' instance" in refused.stdout
    assert 'while it is in vm_state active (HTTP 409)' in refused.stdout
    assert 'Unable to start the specified server(s).' in refused.stderr
    cloud.run('nova', 'delete', name, env=member)
