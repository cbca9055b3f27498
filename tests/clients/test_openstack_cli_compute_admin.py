"""The unmodified `openstack` CLI on the compute calls issue 14 added or fixed:
flavor create --id 42, server set --state (os-resetState), host list/show,
usage totals that stop at now, and a serial console URL read over its websocket."""
import time
import uuid

import pytest

from tests.harness import websocket


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def member_env(cloud):
    """A new project with a member, made through the identity API."""
    project, user = _name('ops'), _name('ops-user')
    cloud.run('openstack', 'project', 'create', project)
    cloud.run('openstack', 'user', 'create', '--password', 'pw-' + user, '--project', project,
              user)
    cloud.run('openstack', 'role', 'add', '--project', project, '--user', user, 'member')
    return cloud.env(OS_USERNAME=user, OS_PASSWORD='pw-' + user, OS_PROJECT_NAME=project)


@pytest.fixture(scope='module')
def server(cloud, member_env):
    made = cloud.run_json('openstack', 'server', 'create', '--image', 'cirros', '--flavor',
                          'm1.tiny', '--wait', _name('admin-vm'), '-f', 'json', env=member_env)
    made['created_at'] = time.time()
    yield made
    cloud.run('openstack', 'server', 'delete', '--wait', made['id'], env=member_env)


def test_flavor_create_with_a_numeric_id(cloud):
    flavor = cloud.run_json('openstack', 'flavor', 'create', '--id', '42', '--ram', '64',
                            '--vcpus', '1', '--disk', '0', _name('f42'), '-f', 'json')
    assert flavor['id'] == '42'
    cloud.run('openstack', 'flavor', 'delete', '42')


def test_server_set_state_error_and_back(cloud, server, member_env):
    cloud.run('openstack', 'server', 'set', '--auto-approve', '--state', 'error', server['id'])
    shown = cloud.run_json('openstack', 'server', 'show', server['id'], '-f', 'json',
                           env=member_env)
    assert shown['status'] == 'ERROR'
    refused = cloud.run('openstack', 'server', 'set', '--auto-approve', '--state', 'active',
                        server['id'], env=member_env, check=False)
    assert refused.returncode != 0 and 'os-admin-actions:reset_state' in refused.stderr
    cloud.run('openstack', 'server', 'set', '--auto-approve', '--state', 'active',
              server['id'])
    assert cloud.run_json('openstack', 'server', 'show', server['id'], '-f', 'json',
                          env=member_env)['status'] == 'ACTIVE'


def test_host_list_and_show(cloud, server):
    hosts = cloud.run_json('openstack', 'host', 'list', '-f', 'json')
    assert {'Host Name': 'cloudhost', 'Service': 'compute', 'Zone': 'nova'} in hosts
    rows = cloud.run_json('openstack', 'host', 'show', 'cloudhost', '-f', 'json')
    projects = {row['Project']: row for row in rows}
    assert projects['(total)']['CPU'] > 0 and '(used_max)' in projects


def test_usage_totals_are_the_real_hours(cloud, server, member_env):
    """openstack usage list asks up to tomorrow: a running server is billed until now."""
    project = cloud.run_json('openstack', 'project', 'show', member_env['OS_PROJECT_NAME'],
                             '-f', 'json')
    usages = {u['Project']: u for u in cloud.run_json('openstack', 'usage', 'list',
                                                      '-f', 'json')}
    mine = usages.get(project['name']) or usages[project['id']]
    hours = (time.time() - server['created_at']) / 3600.0
    assert float(mine['CPU Hours']) <= round(hours + 0.01, 2)  # m1.tiny: one vCPU
    assert float(mine['RAM MB-Hours']) <= round(512 * (hours + 0.01), 2)


def test_serial_console_url_and_its_websocket(cloud, server, member_env):
    shown = cloud.run_json('openstack', 'console', 'url', 'show', '--serial', server['id'],
                           '-f', 'json', env=member_env)
    assert shown['type'] == 'serial' and shown['url'].startswith('ws://127.0.0.1:')
    ws = websocket.WebSocket(shown['url'])
    try:
        assert ws.status == 101
        assert b'login: ' in ws.read_until(b'login: ')
    finally:
        ws.close()
