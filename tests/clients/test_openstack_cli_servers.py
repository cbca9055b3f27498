"""The unmodified `openstack` CLI drives a server through its life on a running
nova-all: create --wait, list, show, reboot --wait, stop, start, resize --wait
and confirm (a second confirm is 409), delete --wait; security groups named at
create, added and removed; a full server group refusing another member; and
`openstack token issue`, as a project member."""
import time
import uuid

import openstack
import pytest


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def member(cloud):
    """The environment of a member of a project of its own (its quota is not shared)."""
    name = _name('srv')
    cloud.manage('project', 'create', name)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    return cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                     OS_PROJECT_NAME=name)


def _openstack(cloud, env, *argv):
    return cloud.run_json('openstack', *argv, '-f', 'json', env=env)


def _wait_status(cloud, env, server, status, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        shown = _openstack(cloud, env, 'server', 'show', server)
        if shown['status'] == status:
            return shown
        assert time.monotonic() < deadline, 'server %s is %s, not %s' % (
            server, shown['status'], status)
        time.sleep(0.5)


def test_token_issue(cloud, member):
    token = _openstack(cloud, member, 'token', 'issue')
    assert token['id'] and token['project_id'] and token['user_id']
    assert token['expires'].endswith('+0000')


def test_server_lifecycle(cloud, member):
    name = _name('demo')
    created = _openstack(cloud, member, 'server', 'create', '--image', 'cirros',
                         '--flavor', 'm1.tiny', '--wait', name)
    server_id = created['id']
    assert created['status'] == 'ACTIVE' and created['name'] == name
    assert created['image'].startswith('cirros (')
    assert created['flavor']['original_name'] == 'm1.tiny'

    listed = _openstack(cloud, member, 'server', 'list')
    assert [(s['Name'], s['Status'], s['Image'], s['Flavor']) for s in listed
            if s['ID'] == server_id] == [(name, 'ACTIVE', 'cirros', 'm1.tiny')]

    shown = _openstack(cloud, member, 'server', 'show', name)
    assert shown['id'] == server_id and shown['OS-EXT-STS:vm_state'] == 'active'
    assert shown['OS-EXT-STS:power_state'] == 1  # running

    cloud.run('openstack', 'server', 'reboot', '--wait', name, env=member)
    assert _openstack(cloud, member, 'server', 'show', name)['status'] == 'ACTIVE'

    cloud.run('openstack', 'server', 'stop', name, env=member)
    stopped = _wait_status(cloud, member, name, 'SHUTOFF')
    assert stopped['OS-EXT-STS:power_state'] == 4  # shutdown
    cloud.run('openstack', 'server', 'start', name, env=member)
    _wait_status(cloud, member, name, 'ACTIVE')

    cloud.run('openstack', 'server', 'resize', '--flavor', 'm1.small', '--wait', name,
              env=member)
    resized = _openstack(cloud, member, 'server', 'show', name)
    assert resized['status'] == 'VERIFY_RESIZE'
    assert resized['flavor']['original_name'] == 'm1.small'
    cloud.run('openstack', 'server', 'resize', 'confirm', name, env=member)
    confirmed = _wait_status(cloud, member, name, 'ACTIVE')
    assert confirmed['flavor']['original_name'] == 'm1.small'
    # nothing to confirm any more: Nova's 409, through the deprecated spelling
    refused = cloud.run('openstack', 'server', 'resize', '--confirm', name, env=member,
                        check=False)
    assert refused.returncode != 0
    assert '409' in refused.stderr and 'vm_state active' in refused.stderr

    cloud.run('openstack', 'server', 'delete', '--wait', name, env=member)
    assert server_id not in {s['ID'] for s in _openstack(cloud, member, 'server', 'list')}
    gone = cloud.run('openstack', 'server', 'show', server_id, env=member, check=False)
    assert gone.returncode != 0 and 'No Server found' in gone.stderr



def test_server_security_groups(cloud, member):
    """A group made through /os-security-groups is the one the CLI finds through the
    network API (it then sends the group's id to server create) and names to the
    server actions."""
    rc = cloud.novarc()
    conn = openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=member['OS_USERNAME'],
        password=member['OS_PASSWORD'], project_name=member['OS_PROJECT_NAME'],
        user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')
    made = conn.compute.post('/os-security-groups', microversion='2.1', json={
        'security_group': {'name': 'cli-web', 'description': 'web'}})
    assert made.status_code == 200, made.text
    conn.close()

    name = _name('sg')
    created = _openstack(cloud, member, 'server', 'create', '--image', 'cirros',
                         '--flavor', 'm1.tiny', '--security-group', 'cli-web', '--wait', name)
    assert created['security_groups'] == [{'name': 'cli-web'}]
    cloud.run('openstack', 'server', 'add', 'security', 'group', name, 'default', env=member)
    cloud.run('openstack', 'server', 'remove', 'security', 'group', name, 'cli-web',
              env=member)
    shown = _openstack(cloud, member, 'server', 'show', name)
    assert shown['security_groups'] == [{'name': 'default'}]
    missing = cloud.run('openstack', 'server', 'add', 'security', 'group', name, 'nope',
                        env=member, check=False)
    assert missing.returncode != 0 and "security group 'nope' does not exist" in missing.stderr
    cloud.run('openstack', 'server', 'delete', '--wait', name, env=member)


def test_a_full_server_group_refuses_another_member(cloud, member):
    project = member['OS_PROJECT_NAME']
    cloud.run('openstack', 'quota', 'set', '--server-group-members', '1', project)
    group = _openstack(cloud, member, 'server', 'group', 'create', '--policy', 'affinity',
                       _name('pair'))
    first = _name('member')
    _openstack(cloud, member, 'server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny',
               '--hint', 'group=%s' % group['id'], '--wait', first)
    refused = cloud.run('openstack', 'server', 'create', '--image', 'cirros', '--flavor',
                        'm1.tiny', '--hint', 'group=%s' % group['id'], _name('member'),
                        env=member, check=False)
    assert refused.returncode != 0
    assert 'server_group_members' in refused.stderr and '403' in refused.stderr
    assert len(_openstack(cloud, member, 'server', 'group', 'show', group['id'])['members']) == 1
    cloud.run('openstack', 'server', 'delete', '--wait', first, env=member)
    cloud.run('openstack', 'server', 'group', 'delete', group['id'], env=member)
    cloud.run('openstack', 'quota', 'set', '--server-group-members', '10', project)
