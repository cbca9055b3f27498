"""Volumes with servers through the unmodified clients, on a running nova-all whose
volumes are exported by a real tgtd (and whose fake hypervisor reads every volume it
attaches through the target): `openstack server add/remove volume`, novaclient's
`nova volume-update` (swap), `openstack server create --boot-from-volume`, and the
AWS CLI's EBS commands."""
import json
import time
import urllib.request
import uuid

import boto3
import pytest


@pytest.fixture(scope='module')
def member(volume_cloud):
    """A project of its own with a member: (environment, project id, token)."""
    name = 'vsrv-%s' % uuid.uuid4().hex[:8]
    volume_cloud.manage('project', 'create', name)
    volume_cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                        '--project', name)
    env = volume_cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                           OS_PROJECT_NAME=name)
    token = volume_cloud.run_json('openstack', 'token', 'issue', '-f', 'json', env=env)
    return env, token['project_id'], token['id']


def _os(cloud, env, *argv, check=True):
    return cloud.run('openstack', *argv, env=env, check=check)


def _os_json(cloud, env, *argv):
    return cloud.run_json('openstack', *argv, '-f', 'json', env=env)


def _wait(check, what, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, 'timed out waiting for %s' % what
        time.sleep(0.3)


def _create_volume(cloud, member, name):
    """A 1 GiB volume made over HTTP in this process (an `openstack` process costs
    seconds on a loaded machine); its id."""
    _env, project_id, token = member
    request = urllib.request.Request(
        cloud.url('osapi_volume', '/v3/%s/volumes' % project_id), method='POST',
        data=json.dumps({'volume': {'size': 1, 'name': name}}).encode(),
        headers={'X-Auth-Token': token, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)['volume']['id']


def _volume(cloud, member, name_or_id):
    """The volume as the block-storage API shows it (None once gone): waits poll over
    HTTP in this process instead of starting an `openstack` process per poll."""
    _env, project_id, token = member
    path = '/v3/%s/volumes/detail' % project_id
    request = urllib.request.Request(cloud.url('osapi_volume', path),
                                     headers={'X-Auth-Token': token})
    with urllib.request.urlopen(request, timeout=30) as response:
        volumes = json.load(response)['volumes']
    return next((v for v in volumes if name_or_id in (v['id'], v['name'])), None)


def _volume_status(cloud, member, name, status):
    return _wait(lambda: (lambda v: v if v and v['status'] == status else None)(
        _volume(cloud, member, name)), '%s %s' % (name, status))


def test_openstack_server_add_and_remove_volume(volume_cloud, member):
    cloud, (env, _project, _token) = volume_cloud, member
    _os(cloud, env, 'server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny',
        '--wait', 'vsrv')
    _os_json(cloud, env, 'volume', 'create', '--size', '1', 'vdata')
    _volume_status(cloud, member, 'vdata', 'available')
    _os(cloud, env, 'server', 'add', 'volume', 'vsrv', 'vdata')
    shown = _volume_status(cloud, member, 'vdata', 'in-use')
    server = _os_json(cloud, env, 'server', 'show', 'vsrv')
    assert shown['attachments'][0]['server_id'] == server['id']
    assert shown['attachments'][0]['device'] == '/dev/vdb'
    volumes = _os_json(cloud, env, 'server', 'volume', 'list', 'vsrv')
    assert [(v['Device'], v['Volume ID']) for v in volumes] == [('/dev/vdb', shown['id'])]
    assert [v['id'] for v in server['volumes_attached']] == [shown['id']]
    refused = _os(cloud, env, 'volume', 'delete', 'vdata', check=False)
    assert refused.returncode != 0
    # swapped by the admin for another volume with novaclient (PUT os-volume_attachments)
    other = _create_volume(cloud, member, 'vswap')
    _volume_status(cloud, member, 'vswap', 'available')
    cloud.run('nova', 'volume-update', server['id'], shown['id'], other)
    swapped = _volume_status(cloud, member, 'vswap', 'in-use')
    assert [(a['server_id'], a['device']) for a in swapped['attachments']] == [
        (server['id'], '/dev/vdb')]
    _volume_status(cloud, member, 'vdata', 'available')
    _os(cloud, env, 'server', 'remove', 'volume', 'vsrv', 'vswap')
    _volume_status(cloud, member, 'vswap', 'available')
    _os(cloud, env, 'server', 'delete', '--wait', 'vsrv')
    _os(cloud, env, 'volume', 'delete', 'vdata', 'vswap')


def test_openstack_server_create_boot_from_volume(volume_cloud, member):
    cloud, (env, _project, _token) = volume_cloud, member
    server = _os_json(cloud, env, 'server', 'create', '--image', 'cirros', '--flavor',
                      'm1.tiny', '--boot-from-volume', '1', '--delete-on-termination',
                      '--wait', 'vbfv')
    assert server['status'] == 'ACTIVE' and server['image'] in ('', 'N/A (booted from volume)')
    [root] = server['volumes_attached']
    volume = _os_json(cloud, env, 'volume', 'show', root['id'])
    assert volume['status'] == 'in-use' and volume['bootable'] is True
    assert volume['attachments'][0]['device'] == '/dev/vda'
    _os(cloud, env, 'server', 'delete', '--wait', 'vbfv')
    _wait(lambda: _volume(cloud, member, root['id']) is None,
          'the root volume deleted with its server')


def test_aws_cli_ebs(volume_cloud):
    cloud = volume_cloud
    env = cloud.env()
    endpoint = ['--endpoint-url', env['EC2_URL'], '--region', 'RegionOne', '--output', 'json']

    def aws(*argv, check=True):
        result = cloud.run('aws', *endpoint, 'ec2', *argv, env=env, check=check)
        return json.loads(result.stdout) if check and result.stdout.strip() else result

    rc = cloud.novarc()  # waits poll with boto3 in this process, not a CLI process per poll
    ec2 = boto3.client('ec2', endpoint_url=rc['EC2_URL'], region_name=rc['AWS_DEFAULT_REGION'],
                       aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                       aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])
    # a machine image that can boot (other tests of this session's cloud leave kernels
    # and images still queued)
    image = next(i['ImageId'] for i in aws('describe-images')['Images']
                 if i['ImageId'].startswith('ami-') and i.get('State') == 'available')
    instance = aws('run-instances', '--image-id', image, '--count', '1',
                   '--instance-type', 'm1.tiny')['Instances'][0]['InstanceId']
    _wait(lambda: ec2.describe_instances(InstanceIds=[instance])['Reservations'][0][
        'Instances'][0]['State']['Name'] == 'running', 'instance running')
    volume = aws('create-volume', '--size', '1', '--availability-zone', 'nova')
    volume_id = volume['VolumeId']
    assert volume_id.startswith('vol-') and volume['Size'] == 1

    def status():
        return ec2.describe_volumes(VolumeIds=[volume_id])['Volumes'][0]
    _wait(lambda: status()['State'] == 'available', 'volume available')
    attached = aws('attach-volume', '--volume-id', volume_id, '--instance-id', instance,
                   '--device', '/dev/vdb')
    assert attached['State'] == 'attaching'
    _wait(lambda: status()['State'] == 'in-use', 'volume in-use')
    assert status()['Attachments'][0]['InstanceId'] == instance
    filtered = aws('describe-volumes', '--filters',
                   'Name=attachment.instance-id,Values=%s' % instance)['Volumes']
    assert [v['VolumeId'] for v in filtered] == [volume_id]
    busy = aws('delete-volume', '--volume-id', volume_id, check=False)
    assert busy.returncode != 0 and 'VolumeInUse' in busy.stderr
    described = aws('describe-instances', '--instance-ids', instance)
    mappings = described['Reservations'][0]['Instances'][0]['BlockDeviceMappings']
    assert [(m['DeviceName'], m['Ebs']['VolumeId']) for m in mappings] == [
        ('/dev/vdb', volume_id)]

    snapshot = aws('create-snapshot', '--volume-id', volume_id, '--description', 'cli')
    snapshot_id = snapshot['SnapshotId']
    _wait(lambda: ec2.describe_snapshots(SnapshotIds=[snapshot_id])['Snapshots'][0][
        'State'] == 'completed', 'snapshot completed')

    aws('detach-volume', '--volume-id', volume_id)
    _wait(lambda: status()['State'] == 'available', 'volume detached')
    again = aws('detach-volume', '--volume-id', volume_id, check=False)
    assert again.returncode != 0 and 'IncorrectState' in again.stderr
    aws('delete-snapshot', '--snapshot-id', snapshot_id)
    _wait(lambda: not ec2.describe_snapshots()['Snapshots'], 'snapshot deleted')
    aws('delete-volume', '--volume-id', volume_id)
    missing = _wait(lambda: (lambda r: r if r.returncode != 0 else None)(
        aws('describe-volumes', '--volume-ids', volume_id, check=False)), 'volume gone')
    assert 'InvalidVolume.NotFound' in missing.stderr
    aws('terminate-instances', '--instance-ids', instance)
