"""The unmodified `openstack` CLI and `nova` (novaclient) on the operator's compute
resources of a running nova-all: hypervisors, services, aggregates, server
groups and usage; a project member is refused the admin ones."""
import os
import re
import time
import uuid

import openstack
import pytest


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def member_env(cloud):
    """The environment of a member (not admin) of another project."""
    name = _name('adm')
    cloud.manage('project', 'create', name)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    return cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                     OS_PROJECT_NAME=name)


def test_hypervisor_list_show_stats(cloud):
    hypervisors = cloud.run_json('openstack', 'hypervisor', 'list', '-f', 'json')
    assert hypervisors and all(h['State'] == 'up' for h in hypervisors)
    first = hypervisors[0]
    shown = cloud.run_json('openstack', 'hypervisor', 'show', str(first['ID']), '-f', 'json')
    assert shown['hypervisor_hostname'] == first['Hypervisor Hostname']
    assert shown['status'] == 'enabled'
    by_name = cloud.run_json('openstack', 'hypervisor', 'show',
                             first['Hypervisor Hostname'], '-f', 'json')
    assert by_name['id'] == shown['id']
    stats = cloud.run_json('openstack', 'hypervisor', 'stats', 'show', '-f', 'json')
    assert stats['count'] == len(hypervisors) and stats['memory_mb'] > 0


def test_compute_service_list_and_set(cloud):
    services = cloud.run_json('openstack', 'compute', 'service', 'list', '-f', 'json')
    computes = [s for s in services if s['Binary'] == 'nova-compute']
    assert computes and all(s['State'] == 'up' and s['Status'] == 'enabled' for s in computes)
    host = computes[0]['Host']
    try:
        cloud.run('openstack', 'compute', 'service', 'set', '--disable',
                  '--disable-reason', 'maintenance', '--down', host, 'nova-compute')
        [disabled] = cloud.run_json('openstack', 'compute', 'service', 'list', '--host', host,
                                    '--service', 'nova-compute', '--long', '-f', 'json')
        assert disabled['Status'] == 'disabled' and disabled['State'] == 'down'
        assert disabled['Disabled Reason'] == 'maintenance' and disabled['Forced Down']
    finally:
        cloud.run('openstack', 'compute', 'service', 'set', '--enable', '--up', host,
                  'nova-compute')
    [enabled] = cloud.run_json('openstack', 'compute', 'service', 'list', '--host', host,
                               '--service', 'nova-compute', '--long', '-f', 'json')
    assert enabled['Status'] == 'enabled' and enabled['State'] == 'up'
    assert not enabled['Forced Down'] and not enabled['Disabled Reason']
    refused = cloud.run('openstack', 'compute', 'service', 'set', '--disable', 'no-such-host',
                        'nova-compute', check=False)
    assert refused.returncode != 0


def test_aggregate_create_add_host_set_show_delete(cloud, tmp_path):
    name = _name('agg')
    created = cloud.run_json('openstack', 'aggregate', 'create', '--zone', 'z1', name,
                             '-f', 'json')
    assert created['name'] == name and created['availability_zone'] == 'z1'
    host = cloud.run_json('openstack', 'compute', 'service', 'list', '--service',
                          'nova-compute', '-f', 'json')[0]['Host']
    cloud.run('openstack', 'aggregate', 'add', 'host', name, host)
    _cache_new_image(cloud, tmp_path, name)
    cloud.run('openstack', 'aggregate', 'set', '--property', 'ssd=true', name)
    shown = cloud.run_json('openstack', 'aggregate', 'show', name, '-f', 'json')
    assert shown['hosts'] == [host]
    assert shown['properties'] == {'ssd': 'true'}
    assert shown['availability_zone'] == 'z1'
    refused = cloud.run('openstack', 'aggregate', 'add', 'host', name, 'no-such-host',
                        check=False)
    assert refused.returncode != 0 and '404' in refused.stderr
    cloud.run('openstack', 'aggregate', 'remove', 'host', name, host)
    cloud.run('openstack', 'aggregate', 'delete', name)
    names = [a['Name'] for a in cloud.run_json('openstack', 'aggregate', 'list', '-f', 'json')]
    assert name not in names


def _cache_new_image(cloud, tmp_path, aggregate):
    """`aggregate cache image` (2.81) puts a fresh image in the hosts' base image cache."""
    disk = tmp_path / 'disk.raw'
    disk.write_bytes(os.urandom(4096))
    image = cloud.run_json('openstack', 'image', 'create', '--file', str(disk),
                           '--disk-format', 'raw', '--container-format', 'bare',
                           _name('warm'), '-f', 'json')
    try:
        cloud.run('openstack', 'aggregate', 'cache', 'image', aggregate, image['id'])
        cached = os.path.join(cloud.state_path, 'instances', '_base',
                              '%s_%s' % (image['id'], image['checksum']))
        deadline = time.monotonic() + 30
        while not os.path.exists(cached) and time.monotonic() < deadline:
            time.sleep(0.2)
        with open(cached, 'rb') as f:
            assert f.read() == disk.read_bytes()
    finally:
        cloud.run('openstack', 'image', 'delete', image['id'])


def test_server_group_create_list_show_delete(cloud):
    name = _name('grp')
    created = cloud.run_json('openstack', 'server', 'group', 'create', '--policy',
                             'anti-affinity', name, '-f', 'json')
    assert created['name'] == name and created['policy'] == 'anti-affinity'
    listed = cloud.run_json('openstack', 'server', 'group', 'list', '-f', 'json')
    assert name in {g['Name'] for g in listed}
    shown = cloud.run_json('openstack', 'server', 'group', 'show', name, '-f', 'json')
    assert shown['id'] == created['id'] and shown['members'] in ('', [])
    cloud.run('openstack', 'server', 'group', 'delete', name)
    listed = cloud.run_json('openstack', 'server', 'group', 'list', '-f', 'json')
    assert name not in {g['Name'] for g in listed}


def _connect(cloud):
    rc = cloud.novarc()
    return openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'], password=rc['OS_PASSWORD'],
        project_name=rc['OS_PROJECT_NAME'], user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')


def test_usage_list_and_show(cloud):
    conn = _connect(cloud)
    image = next(i for i in conn.image.images() if i.status == 'active')  # others' may not be
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    server = conn.compute.create_server(name=_name('billed'), image_id=image.id,
                                        flavor_id=flavor.id, networks='none')
    try:
        conn.compute.wait_for_server(server, wait=120)
        usages = cloud.run_json('openstack', 'usage', 'list', '-f', 'json')
        [mine] = [u for u in usages if u['Project'] in (conn.current_project_id,
                                                         cloud.novarc()['OS_PROJECT_NAME'])]
        assert server.id in [s['instance_id'] for s in mine['Servers']], mine
        assert float(mine['RAM MB-Hours']) >= 0
        shown = cloud.run('openstack', 'usage', 'show').stdout
        assert 'Servers' in shown and 'RAM MB-Hours' in shown
    finally:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=120)


def test_server_migration_list(cloud):
    migrations = cloud.run_json('openstack', 'server', 'migration', 'list', '--limit', '5',
                                '-f', 'json')
    assert isinstance(migrations, list) and len(migrations) <= 5
    assert all(m['UUID'] and m['Status'] for m in migrations)
    none = cloud.run_json('openstack', 'server', 'migration', 'list', '--status',
                          'no-such-status', '-f', 'json')
    assert none == []


def test_novaclient_hypervisor_and_service_list(cloud):
    hypervisors = cloud.run('nova', 'hypervisor-list').stdout
    assert re.search(r'\|\s+up\s+\|\s+enabled\s+\|', hypervisors), hypervisors
    services = cloud.run('nova', 'service-list').stdout
    assert 'nova-compute' in services and 'nova-scheduler' in services


@pytest.mark.parametrize('argv', [
    ('openstack', 'hypervisor', 'list'),
    ('openstack', 'aggregate', 'list'),
    ('nova', 'service-list'),
])
def test_member_is_refused(cloud, member_env, argv):
    result = cloud.run(*argv, check=False, env=member_env)
    assert result.returncode != 0
    assert '403' in result.stderr or 'Forbidden' in result.stderr or \
        'not allowed' in result.stderr, result.stderr
