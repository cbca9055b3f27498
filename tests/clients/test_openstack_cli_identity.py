"""The unmodified `openstack` CLI administering identity on a running nova-all:
projects, users, roles and role assignments, the same store nova-manage uses;
the new user logs in and works, and a member is refused administration."""
import uuid

import pytest


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def test_project_user_role_administration(cloud):
    project, user = _name('proj'), _name('user')
    created = cloud.run_json('openstack', 'project', 'create', '--description', 'by the CLI',
                             project, '-f', 'json')
    assert created['name'] == project and created['description'] == 'by the CLI'
    assert created['domain_id'] == 'default' and created['enabled']
    made = cloud.run_json('openstack', 'user', 'create', '--password', 'pw-' + user,
                          '--project', project, '--email', user + '@example.org', user,
                          '-f', 'json')
    assert made['default_project_id'] == created['id']
    cloud.run('openstack', 'role', 'add', '--project', project, '--user', user, 'member')

    assignments = cloud.run_json('openstack', 'role', 'assignment', 'list', '--names',
                                 '--project', project, '-f', 'json')
    assert [(a['Role'], a['User'], a['Project']) for a in assignments] == [
        ('member', user + '@Default', project + '@Default')]
    managed = cloud.manage('project', 'list').stdout  # nova-manage sees the same project
    assert project in managed

    env = cloud.env(OS_USERNAME=user, OS_PASSWORD='pw-' + user, OS_PROJECT_NAME=project)
    servers = cloud.run_json('openstack', 'server', 'list', '-f', 'json', env=env)
    assert servers == []
    refused = cloud.run('openstack', 'project', 'create', _name('nope'), env=env, check=False)
    assert refused.returncode != 0 and 'identity:create_project' in refused.stderr

    cloud.run('openstack', 'user', 'set', '--disable', user)
    assert cloud.run('openstack', 'server', 'list', env=env, check=False).returncode != 0
    cloud.run('openstack', 'role', 'remove', '--project', project, '--user', user, 'member')
    assert cloud.run_json('openstack', 'role', 'assignment', 'list', '--project', project,
                          '-f', 'json') == []
    cloud.run('openstack', 'user', 'delete', user)
    cloud.run('openstack', 'project', 'delete', project)
    listed = cloud.run_json('openstack', 'project', 'list', '-f', 'json')
    assert project not in [p['Name'] for p in listed]


@pytest.mark.parametrize('listing', [('role', 'list'), ('domain', 'list')])
def test_roles_and_the_default_domain(cloud, listing):
    names = [row['Name'] for row in cloud.run_json('openstack', *listing, '-f', 'json')]
    if listing[0] == 'role':
        assert {'admin', 'manager', 'member', 'reader', 'service'} <= set(names)
    else:
        assert names == ['Default']


def test_nova_manage_project_quota_by_name(cloud):
    project = _name('quota')
    cloud.run('openstack', 'project', 'create', project)
    shown = cloud.manage('project', 'quota', project, 'instances', '3').stdout
    assert [line.split()[:2] for line in shown.splitlines()
            if line.startswith('instances')] == [['instances', '3']]
    quotas = {row['Resource']: row['Limit'] for row in cloud.run_json(
        'openstack', 'quota', 'show', project, '-f', 'json')}
    assert quotas['instances'] == 3  # the same project the compute API reads
    unknown = cloud.manage('project', 'quota', 'no-such-project', check=False)
    assert unknown.returncode == 1 and 'Could not find project' in unknown.stderr
