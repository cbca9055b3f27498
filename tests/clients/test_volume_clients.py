"""The unmodified `openstack volume ...` commands and openstacksdk's block storage proxy
against a running nova-all whose volumes are exported by a real tgtd: create --size,
list, show, set --size (extend), snapshots, a volume from a snapshot, types, zones,
quotas, delete; errors as Cinder words them."""
import uuid

import openstack
import pytest
from openstack import exceptions as sdk_exceptions


@pytest.fixture(scope='module')
def project(volume_cloud):
    """A project of its own with a member, as an environment and an sdk connection."""
    name = 'vol-%s' % uuid.uuid4().hex[:8]
    volume_cloud.manage('project', 'create', name)
    volume_cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                        '--project', name)
    env = volume_cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                           OS_PROJECT_NAME=name)
    rc = volume_cloud.novarc()
    conn = openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=name + '-user', password='pw-' + name,
        project_name=name, user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')
    yield name, env, conn
    conn.close()


def _cli(cloud, env, *argv, check=True):
    return cloud.run('openstack', *argv, env=env, check=check)


def _json(cloud, env, *argv):
    return cloud.run_json('openstack', *argv, '-f', 'json', env=env)


def _wait(cloud, env, kind, name, status, timeout=60):
    import time
    deadline = time.monotonic() + timeout
    while True:
        shown = _json(cloud, env, kind, 'show', name) if kind == 'volume' else \
            _json(cloud, env, 'volume', 'snapshot', 'show', name)
        if shown['status'] == status:
            return shown
        assert time.monotonic() < deadline, '%s %s is %s' % (kind, name, shown['status'])
        time.sleep(0.3)


def test_openstack_volume_commands(volume_cloud, project):
    cloud, (_name, env, _conn) = volume_cloud, project
    created = _json(cloud, env, 'volume', 'create', '--size', '1', '--property', 'k=v',
                    '--description', 'cli', 'cli-vol')
    assert created['size'] == 1 and created['name'] == 'cli-vol'
    shown = _wait(cloud, env, 'volume', 'cli-vol', 'available')
    assert shown['type'] == '__DEFAULT__' and shown['bootable'] is False
    listed = _json(cloud, env, 'volume', 'list')
    assert [(v['Name'], v['Status'], v['Size']) for v in listed] == [('cli-vol', 'available', 1)]

    snap = _json(cloud, env, 'volume', 'snapshot', 'create', '--volume', 'cli-vol',
                 'cli-snap')
    assert snap['status'] == 'creating'
    _wait(cloud, env, 'snapshot', 'cli-snap', 'available')
    copy = _json(cloud, env, 'volume', 'create', '--snapshot', 'cli-snap', '--size', '2',
                 'cli-copy')
    assert copy['size'] == 2
    _wait(cloud, env, 'volume', 'cli-copy', 'available')

    _cli(cloud, env, 'volume', 'set', '--size', '3', 'cli-vol')
    _wait(cloud, env, 'volume', 'cli-vol', 'available')
    assert _json(cloud, env, 'volume', 'show', 'cli-vol')['size'] == 3

    refused = _cli(cloud, env, 'volume', 'delete', 'cli-vol', check=False)
    assert refused.returncode != 0 and 'snapshot' in refused.stderr
    _cli(cloud, env, 'volume', 'snapshot', 'delete', 'cli-snap')
    _cli(cloud, env, 'volume', 'delete', 'cli-copy')
    import time
    deadline = time.monotonic() + 60
    while _json(cloud, env, 'volume', 'snapshot', 'list'):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    _cli(cloud, env, 'volume', 'delete', 'cli-vol')
    while _json(cloud, env, 'volume', 'list'):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    # none of these volumes is exported any more (the session's tgtd serves other
    # modules' volumes too)
    gone = {shown['id'] for shown in (created, copy)}
    assert [iqn for iqn in cloud.tgtd.targets() if iqn.rsplit('volume-', 1)[-1] in gone] == []


def test_openstack_volume_errors_types_zones_quotas(volume_cloud, project):
    cloud, (_name, env, conn) = volume_cloud, project
    bad = _cli(cloud, env, 'volume', 'create', '--size', '0', 'zero', check=False)
    assert bad.returncode != 0
    missing = _cli(cloud, env, 'volume', 'show', 'no-such-volume', check=False)
    assert missing.returncode != 0 and 'No Volume found' in missing.stderr
    types = _json(cloud, env, 'volume', 'type', 'list')
    assert [t['Name'] for t in types] == ['__DEFAULT__']
    zones = _json(cloud, env, 'availability', 'zone', 'list', '--volume')
    assert zones == [{'Zone Name': 'nova', 'Zone Status': 'available'}]
    cloud.manage('project', 'quota', conn.current_project_id, 'volumes', '1')
    _json(cloud, env, 'volume', 'create', '--size', '1', 'only-one')
    over = _cli(cloud, env, 'volume', 'create', '--size', '1', 'too-many', check=False)
    assert over.returncode != 0 and "Maximum number of volumes allowed (1)" in over.stderr
    quotas = {q['Resource']: q['Limit'] for q in _json(cloud, env, 'quota', 'show')}
    assert (quotas['volumes'], quotas['gigabytes']) == (1, 1000)
    _wait(cloud, env, 'volume', 'only-one', 'available')
    _cli(cloud, env, 'volume', 'delete', 'only-one')
    _cli(cloud, env, 'volume', 'delete', 'too-many', check=False)


def test_openstacksdk_block_storage(volume_cloud, project):
    _cloud, (_name, _env, conn) = volume_cloud, project
    volume = conn.block_storage.create_volume(size=1, name='sdk-vol')
    volume = conn.block_storage.wait_for_status(volume, 'available', wait=60, interval=0.3)
    assert volume.size == 1 and volume.name == 'sdk-vol' and not volume.is_bootable
    assert [v.id for v in conn.block_storage.volumes(name='sdk-vol')] == [volume.id]
    snapshot = conn.block_storage.create_snapshot(volume_id=volume.id, name='sdk-snap')
    conn.block_storage.wait_for_status(snapshot, 'available', wait=60, interval=0.3)
    conn.block_storage.extend_volume(volume, 2)
    volume = conn.block_storage.get_volume(volume.id)  # extending: waiting starts from here
    volume = conn.block_storage.wait_for_status(volume, 'available', wait=60, interval=0.3)
    assert conn.block_storage.get_volume(volume.id).size == 2
    with pytest.raises(sdk_exceptions.BadRequestException):
        conn.block_storage.delete_volume(volume)  # it has a snapshot
    conn.block_storage.delete_snapshot(snapshot)
    conn.block_storage.wait_for_delete(snapshot, wait=60, interval=0.3)
    conn.block_storage.delete_volume(volume)
    conn.block_storage.wait_for_delete(volume, wait=60, interval=0.3)
    with pytest.raises(sdk_exceptions.NotFoundException):
        conn.block_storage.get_volume(volume.id)
