"""boto3's EC2 client (SigV4), unmodified, against a running cloud: endpoint and
region from novarc; the admin's keys from novarc, and a member's keys in a
project of these tests' own (so that instances other tests keep do not count
against its quota)."""
import base64
import re
import threading
import time
import types
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

WAIT_SECONDS = 60


def _client(cloud, access=None, secret=None):
    rc = cloud.novarc()
    return boto3.client('ec2', endpoint_url=rc['EC2_URL'], region_name=rc['AWS_DEFAULT_REGION'],
                        aws_access_key_id=access or rc['AWS_ACCESS_KEY_ID'],
                        aws_secret_access_key=secret or rc['AWS_SECRET_ACCESS_KEY'])


def _error_code(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response['Error']['Code']


def _other_project(cloud, name):
    """A new project and member user (made with the EC2 admin actions), and the EC2
    keys nova-manage gives that user there."""
    status, body = _signed_query(cloud, 'RegisterUser', Name=name + '-user')
    assert status == 200, body
    status, body = _signed_query(cloud, 'RegisterProject', Name=name,
                                 ManagerUser=name + '-user')
    assert status == 200, body
    project_id = re.search(r'<projectId>(\S+)</projectId>', body).group(1)
    keys = cloud.manage('credentials', 'create', name + '-user', name).stdout
    access = re.search(r'Access: (\S+)', keys).group(1)
    secret = re.search(r'Secret: (\S+)', keys).group(1)
    return project_id, access, secret


def _project_member(cloud, name):
    """A project (project_id, access, secret, client) whose user is a member."""
    project_id, access, secret = _other_project(cloud, name)
    return types.SimpleNamespace(project_id=project_id, access=access, secret=secret,
                                 client=_client(cloud, access, secret))


@pytest.fixture(scope='module')
def admin(cloud):
    """The client of novarc's keys: the admin in the admin project."""
    return _client(cloud)


@pytest.fixture(scope='module')
def member(cloud):
    return _project_member(cloud, 'ec2user')


@pytest.fixture(scope='module')
def ec2(member):
    return member.client


@pytest.fixture(scope='module')
def other(cloud):
    """Another project, to show what the first one cannot see."""
    return _project_member(cloud, 'ec2other')


@pytest.fixture(scope='module')
def ami(ec2):
    images = ec2.describe_images(Filters=[{'Name': 'name', 'Values': ['cirros']},
                                          {'Name': 'state', 'Values': ['available']}])['Images']
    assert images and images[0]['ImageId'].startswith('ami-')
    return images[0]['ImageId']


def _states(ec2, ids):
    reservations = ec2.describe_instances(InstanceIds=ids)['Reservations']
    return {i['InstanceId']: i['State']['Name'] for r in reservations for i in r['Instances']}


def _wait(ec2, ids, state):
    deadline = time.time() + WAIT_SECONDS
    while True:
        states = _states(ec2, ids)
        if all(s == state for s in states.values()):
            return states
        assert time.time() < deadline, 'instances not %s: %s' % (state, states)
        time.sleep(0.3)


def _run(ec2, ami, count=1, **kwargs):
    reply = ec2.run_instances(ImageId=ami, MinCount=count, MaxCount=count,
                              InstanceType='m1.tiny', **kwargs)
    return reply, [i['InstanceId'] for i in reply['Instances']]


# ------------------------------------------------------------------ where

def test_regions_zones_and_instance_types(cloud, ec2):
    regions = ec2.describe_regions()['Regions']
    assert [r['RegionName'] for r in regions] == [cloud.novarc()['AWS_DEFAULT_REGION']]
    assert regions[0]['Endpoint'] == cloud.novarc()['EC2_URL']
    zones = ec2.describe_availability_zones()['AvailabilityZones']
    assert {'ZoneName': 'nova', 'State': 'available'}.items() <= zones[0].items()
    assert _error_code(ec2.describe_availability_zones,
                       ZoneNames=['nowhere']) == 'InvalidParameterValue'
    types = {t['InstanceType']: t for t in ec2.describe_instance_types()['InstanceTypes']}
    assert types['m1.tiny']['MemoryInfo']['SizeInMiB'] == 512
    assert types['m1.tiny']['VCpuInfo']['DefaultVCpus'] == 1
    one = ec2.describe_instance_types(InstanceTypes=['m1.small'])['InstanceTypes']
    assert [t['InstanceType'] for t in one] == ['m1.small']


# ------------------------------------------------------------------ auth

def test_wrong_secret_is_auth_failure(cloud):
    rc = cloud.novarc()
    secret = rc['AWS_SECRET_ACCESS_KEY']
    # change the last character (a secret may already end in 'x')
    bad = _client(cloud, secret=secret[:-1] + ('y' if secret.endswith('x') else 'x'))
    assert _error_code(bad.describe_regions) == 'AuthFailure'
    unknown = _client(cloud, access='NOSUCHACCESSKEY00000', secret='whatever')
    assert _error_code(unknown.describe_instances) == 'AuthFailure'


def test_unsigned_and_unknown_requests(cloud):
    url = cloud.novarc()['EC2_URL'] + '?Action=DescribeInstances&Version=2016-11-15'
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url, timeout=10)
    assert raised.value.code == 401
    assert b'<Code>MissingAuthenticationToken</Code>' in raised.value.read()
    assert _signed_query(cloud, 'NoSuchAction')[1].count('<Code>InvalidAction</Code>') == 1


# ------------------------------------------------------------------ key pairs

def test_key_pairs(ec2):
    made = ec2.create_key_pair(KeyName='boto-made')
    assert made['KeyMaterial'].startswith('-----BEGIN')
    assert _error_code(ec2.create_key_pair, KeyName='boto-made') == 'InvalidKeyPair.Duplicate'
    public = ('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5'
              'aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+'
              '2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== imported@test')
    imported = ec2.import_key_pair(KeyName='boto-imported', PublicKeyMaterial=public.encode())
    assert re.match(r'^([0-9a-f]{2}:){15}[0-9a-f]{2}$', imported['KeyFingerprint'])
    names = {k['KeyName'] for k in ec2.describe_key_pairs()['KeyPairs']}
    assert {'boto-made', 'boto-imported'} <= names
    only = ec2.describe_key_pairs(KeyNames=['boto-imported'])['KeyPairs']
    assert only == [{'KeyName': 'boto-imported',
                     'KeyFingerprint': imported['KeyFingerprint']}]
    assert _error_code(ec2.describe_key_pairs, KeyNames=['nope']) == 'InvalidKeyPair.NotFound'
    assert _error_code(ec2.import_key_pair, KeyName='bad',
                       PublicKeyMaterial=b'not a key') == 'InvalidKeyPair.Format'
    ec2.delete_key_pair(KeyName='boto-imported')
    names = {k['KeyName'] for k in ec2.describe_key_pairs()['KeyPairs']}
    assert 'boto-imported' not in names and 'boto-made' in names


# ------------------------------------------------------------------ security groups

def test_security_group_rules(ec2):
    group_id = ec2.create_security_group(GroupName='boto-web',
                                         Description='web servers')['GroupId']
    assert re.match(r'^sg-[0-9a-f]{8}$', group_id)
    assert _error_code(ec2.create_security_group, GroupName='boto-web',
                       Description='again') == 'InvalidGroup.Duplicate'
    ssh = {'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22,
           'IpRanges': [{'CidrIp': '10.0.0.0/8'}, {'CidrIp': '192.168.0.0/16'}]}
    web = {'IpProtocol': 'tcp', 'FromPort': 80, 'ToPort': 80,
           'UserIdGroupPairs': [{'GroupId': group_id}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[ssh, web])
    assert _error_code(ec2.authorize_security_group_ingress, GroupId=group_id,
                       IpPermissions=[ssh]) == 'InvalidPermission.Duplicate'
    assert _error_code(ec2.authorize_security_group_ingress, GroupId=group_id,
                       IpPermissions=[dict(ssh, FromPort=70000, ToPort=70000)]) \
        == 'InvalidParameterValue'
    group, = ec2.describe_security_groups(GroupIds=[group_id])['SecurityGroups']
    perms = {p['FromPort']: p for p in group['IpPermissions']}
    assert sorted(r['CidrIp'] for r in perms[22]['IpRanges']) == ['10.0.0.0/8',
                                                                  '192.168.0.0/16']
    assert perms[80]['UserIdGroupPairs'][0]['GroupId'] == group_id
    ec2.revoke_security_group_ingress(GroupName='boto-web', IpPermissions=[web])
    group, = ec2.describe_security_groups(GroupNames=['boto-web'])['SecurityGroups']
    assert [p['FromPort'] for p in group['IpPermissions']] == [22]
    assert _error_code(ec2.revoke_security_group_ingress, GroupId=group_id,
                       IpPermissions=[web]) == 'InvalidPermission.NotFound'
    named = ec2.describe_security_groups(
        Filters=[{'Name': 'group-name', 'Values': ['boto-*']}])['SecurityGroups']
    assert [g['GroupId'] for g in named] == [group_id]
    assert _error_code(ec2.describe_security_groups,
                       GroupIds=['sg-0000ffff']) == 'InvalidGroup.NotFound'
    assert _error_code(ec2.delete_security_group, GroupName='default') == 'CannotDelete'
    ec2.delete_security_group(GroupId=group_id)
    assert _error_code(ec2.describe_security_groups,
                       GroupIds=[group_id]) == 'InvalidGroup.NotFound'


# ------------------------------------------------------------------ instances

@pytest.fixture(scope='module')
def five(ec2, ami):
    """Five instances of one RunInstances, with a key, a group and a client token."""
    ec2.create_key_pair(KeyName='boto-five')
    ec2.create_security_group(GroupName='boto-five', Description='five')
    reply, ids = _run(ec2, ami, 5, KeyName='boto-five', SecurityGroups=['boto-five'],
                      ClientToken='boto-five-token', UserData='hello five')
    _wait(ec2, ids, 'running')
    return reply, ids


def test_run_instances_reply(five, ami):
    reply, ids = five
    assert re.match(r'^r-[0-9a-z]+$', reply['ReservationId'])
    assert len(ids) == 5 and all(re.match(r'^i-[0-9a-f]{8}$', i) for i in ids)
    assert [i['AmiLaunchIndex'] for i in reply['Instances']] == [0, 1, 2, 3, 4]
    first = reply['Instances'][0]
    assert first['ImageId'] == ami and first['InstanceType'] == 'm1.tiny'
    assert first['KeyName'] == 'boto-five'
    assert first['State'] in ({'Code': 0, 'Name': 'pending'}, {'Code': 16, 'Name': 'running'})
    assert [g['GroupName'] for g in first['SecurityGroups']] == ['boto-five']


def test_client_token_is_idempotent(ec2, ami, five):
    reply, ids = five
    again, again_ids = _run(ec2, ami, 5, KeyName='boto-five', SecurityGroups=['boto-five'],
                            ClientToken='boto-five-token', UserData='hello five')
    assert again['ReservationId'] == reply['ReservationId'] and again_ids == ids
    assert _error_code(_run, ec2, ami, 2, ClientToken='boto-five-token') \
        == 'IdempotentParameterMismatch'


def test_concurrent_requests_with_one_client_token_make_one_reservation(cloud, ami,
                                                                      member):
    clients = [_client(cloud, member.access, member.secret) for _ in range(4)]
    replies = [None] * len(clients)

    def run(index):
        replies[index] = clients[index].run_instances(
            ImageId=ami, MinCount=2, MaxCount=2, InstanceType='m1.tiny',
            ClientToken='boto-concurrent-token')
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r['ReservationId'] for r in replies}) == 1
    ids = {tuple(sorted(i['InstanceId'] for i in r['Instances'])) for r in replies}
    assert len(ids) == 1 and len(next(iter(ids))) == 2
    made = clients[0].describe_instances(Filters=[
        {'Name': 'reservation-id', 'Values': [replies[0]['ReservationId']]}])
    assert len(made['Reservations'][0]['Instances']) == 2
    clients[0].terminate_instances(InstanceIds=list(next(iter(ids))))


def test_describe_filters(ec2, five):
    reply, ids = five
    by_reservation = ec2.describe_instances(Filters=[
        {'Name': 'reservation-id', 'Values': [reply['ReservationId']]}])['Reservations']
    assert len(by_reservation) == 1
    assert sorted(i['InstanceId'] for i in by_reservation[0]['Instances']) == sorted(ids)
    for name, value in (('instance-state-name', 'running'), ('instance-type', 'm1.tiny'),
                        ('key-name', 'boto-five'), ('availability-zone', 'nova'),
                        ('instance-id', ids[2])):
        found = {i['InstanceId'] for r in ec2.describe_instances(Filters=[
            {'Name': name, 'Values': [value]}])['Reservations'] for i in r['Instances']}
        assert set(ids if name != 'instance-id' else [ids[2]]) <= found, name
    assert ec2.describe_instances(Filters=[
        {'Name': 'key-name', 'Values': ['no-such-key']}])['Reservations'] == []
    assert _error_code(ec2.describe_instances, Filters=[
        {'Name': 'bogus-filter', 'Values': ['x']}]) == 'InvalidParameterValue'


def test_describe_pagination(ec2, five):
    _, ids = five
    seen, token, pages = [], None, 0
    while True:
        kwargs = {'MaxResults': 5, 'Filters': [{'Name': 'key-name', 'Values': ['boto-five']}]}
        if token:
            kwargs['NextToken'] = token
        page = ec2.describe_instances(**kwargs)
        seen += [i['InstanceId'] for r in page['Reservations'] for i in r['Instances']]
        pages += 1
        token = page.get('NextToken')
        if not token:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    two_pages = ec2.describe_instances(MaxResults=5)
    assert len([i for r in two_pages['Reservations'] for i in r['Instances']]) == 5
    paginator = ec2.get_paginator('describe_instances')
    everything = [i['InstanceId'] for page in paginator.paginate(PaginationConfig={
        'PageSize': 5}) for r in page['Reservations'] for i in r['Instances']]
    assert set(ids) <= set(everything) and len(everything) == len(set(everything))
    assert _error_code(ec2.describe_instances, MaxResults=5,
                       InstanceIds=[ids[0]]) == 'InvalidParameterCombination'
    assert _error_code(ec2.describe_instances, MaxResults=5,
                       NextToken='garbage!') == 'InvalidParameterValue'


def test_not_found_and_malformed_ids(ec2, five):
    assert _error_code(ec2.describe_instances,
                       InstanceIds=['i-7fffffff']) == 'InvalidInstanceID.NotFound'
    assert _error_code(ec2.describe_instances,
                       InstanceIds=['i-xyz']) == 'InvalidInstanceID.Malformed'
    assert _error_code(ec2.terminate_instances,
                       InstanceIds=['i-7ffffffe']) == 'InvalidInstanceID.NotFound'
    assert _error_code(ec2.run_instances, ImageId='ami-7fffffff', MinCount=1, MaxCount=1,
                       InstanceType='m1.tiny') == 'InvalidAMIID.NotFound'


def test_run_instances_bad_input(ec2, ami):
    assert _error_code(ec2.run_instances, ImageId=ami, MinCount=1, MaxCount=1,
                       InstanceType='m9.huge') == 'InvalidParameterValue'
    assert _error_code(ec2.run_instances, ImageId=ami, MinCount=3, MaxCount=2,
                       InstanceType='m1.tiny') == 'InvalidParameterValue'
    assert _error_code(_run, ec2, ami, KeyName='no-such-key') == 'InvalidKeyPair.NotFound'
    assert _error_code(_run, ec2, ami, SecurityGroups=['no-such-group']) \
        == 'InvalidGroup.NotFound'
    assert _error_code(_run, ec2, ami, Placement={'AvailabilityZone': 'mars'}) \
        == 'InvalidParameterValue'
    # EBS mappings boot with volumes now (tests/clients/test_volume_servers.py); bad ones:
    assert _error_code(_run, ec2, ami, BlockDeviceMappings=[
        {'DeviceName': '/dev/vdb', 'Ebs': {'VolumeSize': 0}}]) == 'InvalidParameterValue'
    assert _error_code(_run, ec2, ami, BlockDeviceMappings=[
        {'DeviceName': '/dev/vdb', 'Ebs': {'DeleteOnTermination': True}}]) == 'MissingParameter'
    assert _error_code(_run, ec2, ami, DryRun=True) == 'DryRunOperation'


def test_tags(ec2, five):
    _, ids = five
    ec2.create_tags(Resources=ids[:2], Tags=[{'Key': 'role', 'Value': 'web'},
                                             {'Key': 'Name', 'Value': 'front'}])
    tags = ec2.describe_tags(Filters=[{'Name': 'key', 'Values': ['role']}])['Tags']
    assert sorted(t['ResourceId'] for t in tags) == sorted(ids[:2])
    assert all(t['ResourceType'] == 'instance' and t['Value'] == 'web' for t in tags)
    tagged = ec2.describe_instances(Filters=[{'Name': 'tag:role', 'Values': ['web']}])
    assert sorted(i['InstanceId'] for r in tagged['Reservations']
                  for i in r['Instances']) == sorted(ids[:2])
    ec2.delete_tags(Resources=[ids[0]], Tags=[{'Key': 'role', 'Value': 'other'}])
    ec2.delete_tags(Resources=[ids[1]], Tags=[{'Key': 'role'}])
    left = ec2.describe_tags(Filters=[{'Name': 'resource-id', 'Values': ids[:2]}])['Tags']
    assert sorted((t['ResourceId'], t['Key']) for t in left) == sorted(
        [(ids[0], 'Name'), (ids[0], 'role'), (ids[1], 'Name')])
    odd = 'café & <b>"quoted"</b> ✓'
    ec2.create_tags(Resources=[ids[2]], Tags=[{'Key': 'note', 'Value': odd}])
    found = ec2.describe_tags(Filters=[{'Name': 'key', 'Values': ['note']}])['Tags']
    assert [(t['ResourceId'], t['Value']) for t in found] == [(ids[2], odd)]
    described = ec2.describe_instances(InstanceIds=[ids[2]])['Reservations'][0]
    assert {'Key': 'note', 'Value': odd} in described['Instances'][0]['Tags']
    assert _error_code(ec2.create_tags, Resources=['i-7fffffff'],
                       Tags=[{'Key': 'a', 'Value': 'b'}]) == 'InvalidInstanceID.NotFound'


def test_stop_start_reboot_console_status(ec2, five):
    _, ids = five
    target = ids[3]
    status = ec2.describe_instance_status(InstanceIds=[target])['InstanceStatuses']
    assert status[0]['InstanceState']['Name'] == 'running'
    assert status[0]['InstanceStatus']['Status'] == 'ok'
    ec2.reboot_instances(InstanceIds=[target])
    output = ec2.get_console_output(InstanceId=target)
    assert output['InstanceId'] == target and 'Output' in output
    assert _error_code(ec2.start_instances, InstanceIds=['i-7fffffff']) \
        == 'InvalidInstanceID.NotFound'
    changes = ec2.stop_instances(InstanceIds=[target])['StoppingInstances']
    assert changes[0]['PreviousState']['Name'] == 'running'
    _wait(ec2, [target], 'stopped')
    assert _error_code(ec2.reboot_instances, InstanceIds=[target]) \
        == 'IncorrectInstanceState'
    statuses = ec2.describe_instance_status(InstanceIds=[target],
                                            IncludeAllInstances=True)['InstanceStatuses']
    assert statuses[0]['InstanceState'] == {'Code': 80, 'Name': 'stopped'}
    assert ec2.describe_instance_status(InstanceIds=[target])['InstanceStatuses'] == []
    started = ec2.start_instances(InstanceIds=[target])['StartingInstances']
    assert started[0]['PreviousState']['Name'] == 'stopped'
    _wait(ec2, [target], 'running')


def test_instance_attributes(ec2, five):
    _, ids = five
    target = ids[4]
    kind = ec2.describe_instance_attribute(InstanceId=target, Attribute='instanceType')
    assert kind['InstanceType'] == {'Value': 'm1.tiny'}
    data = ec2.describe_instance_attribute(InstanceId=target, Attribute='userData')
    assert base64.b64decode(data['UserData']['Value']) == b'hello five'
    groups = ec2.describe_instance_attribute(InstanceId=target, Attribute='groupSet')
    assert [g['GroupName'] for g in groups['Groups']] == ['boto-five']
    ebs = ec2.describe_instance_attribute(InstanceId=target, Attribute='ebsOptimized')
    assert ebs['EbsOptimized'] == {'Value': False}
    codes = ec2.describe_instance_attribute(InstanceId=target, Attribute='productCodes')
    assert codes['ProductCodes'] == []
    assert _error_code(ec2.describe_instance_attribute, InstanceId=target,
                       Attribute='colour') == 'InvalidParameterValue'
    assert _error_code(ec2.modify_instance_attribute, InstanceId=target,
                       InstanceType={'Value': 'm1.small'}) == 'IncorrectInstanceState'
    assert _error_code(ec2.modify_instance_attribute, InstanceId=target,
                       DisableApiTermination={'Value': True}) == 'UnsupportedOperation'


@pytest.fixture(scope='module')
def resizable_cloud(tmp_path_factory):
    """A cloud of one host that may resize onto itself (the shared one may not)."""
    from tests.harness.cloud import Cloud
    running = Cloud.start_all(tmp_path_factory.mktemp('ec2resize'),
                              allow_resize_to_same_host=True)
    yield running
    running.stop()


def test_modify_instance_type_when_stopped(resizable_cloud):
    ec2 = _client(resizable_cloud)
    image = ec2.describe_images(Owners=['amazon'])['Images'][0]['ImageId']
    _, (target,) = _run(ec2, image)
    _wait(ec2, [target], 'running')
    ec2.stop_instances(InstanceIds=[target])
    _wait(ec2, [target], 'stopped')
    assert _error_code(ec2.modify_instance_attribute, InstanceId=target,
                       InstanceType={'Value': 'm9.huge'}) == 'InvalidParameterValue'
    ec2.modify_instance_attribute(InstanceId=target, InstanceType={'Value': 'm1.small'})
    kind = ec2.describe_instance_attribute(InstanceId=target, Attribute='instanceType')
    assert kind['InstanceType'] == {'Value': 'm1.small'}
    assert _states(ec2, [target]) == {target: 'stopped'}
    ec2.start_instances(InstanceIds=[target])
    _wait(ec2, [target], 'running')
    described = ec2.describe_instances(InstanceIds=[target])['Reservations'][0]
    assert described['Instances'][0]['InstanceType'] == 'm1.small'


def test_quota_is_instance_limit_exceeded(cloud, ami, other):
    cloud.manage('project', 'quota', other.project_id, 'instances', '2')
    other = other.client
    assert _error_code(_run, other, ami, 3) == 'InstanceLimitExceeded'
    reply, ids = _run(other, ami, 1)
    assert len(ids) == 1
    fits = other.run_instances(ImageId=ami, MinCount=1, MaxCount=5, InstanceType='m1.tiny')
    assert len(fits['Instances']) == 1  # as many as fit, at least MinCount
    assert _error_code(_run, other, ami, 1) == 'InstanceLimitExceeded'


def test_another_project_sees_nothing(ec2, five, other):
    _, ids = five
    other = other.client
    seen = [i['InstanceId'] for r in other.describe_instances()['Reservations']
            for i in r['Instances']]
    assert not set(ids) & set(seen)
    assert _error_code(other.describe_instances, InstanceIds=[ids[0]]) \
        == 'InvalidInstanceID.NotFound'
    assert _error_code(other.terminate_instances, InstanceIds=[ids[0]]) \
        == 'InvalidInstanceID.NotFound'
    assert _error_code(other.create_tags, Resources=[ids[0]],
                       Tags=[{'Key': 'x', 'Value': 'y'}]) == 'InvalidInstanceID.NotFound'
    names = {g['GroupName'] for g in other.describe_security_groups()['SecurityGroups']}
    assert names == {'default'}
    assert 'boto-five' not in {k['KeyName'] for k in other.describe_key_pairs()['KeyPairs']}
    assert _error_code(other.describe_hosts) == 'UnauthorizedOperation'
    assert _error_code(ec2.describe_hosts) == 'UnauthorizedOperation'


def test_terminate_keeps_instances_visible(ec2, ami):
    _, ids = _run(ec2, ami, 2)
    _wait(ec2, ids, 'running')
    changes = ec2.terminate_instances(InstanceIds=ids)['TerminatingInstances']
    assert {c['PreviousState']['Name'] for c in changes} == {'running'}
    assert {c['CurrentState']['Name'] for c in changes} <= {'shutting-down', 'terminated'}
    assert _wait(ec2, ids, 'terminated')
    again = ec2.terminate_instances(InstanceIds=ids[:1])['TerminatingInstances']
    assert again[0]['CurrentState'] == {'Code': 48, 'Name': 'terminated'}
    assert _error_code(ec2.start_instances, InstanceIds=ids[:1]) == 'IncorrectInstanceState'
    gone = ec2.describe_instances(Filters=[
        {'Name': 'instance-state-name', 'Values': ['terminated']}])['Reservations']
    assert set(ids) <= {i['InstanceId'] for r in gone for i in r['Instances']}


# ------------------------------------------------------------------ images

def test_images(ec2, ami, five):
    _, ids = five
    default, = ec2.describe_images(ImageIds=[ami])['Images']
    assert default['State'] == 'available' and default['Public'] is True
    assert default['ImageType'] == 'machine'
    assert ec2.describe_images(Owners=['self'], ImageIds=[ami])['Images'] == []
    assert ec2.describe_images(ExecutableUsers=['all'], ImageIds=[ami])['Images']
    assert _error_code(ec2.describe_images, ImageIds=['ami-7fffffff']) \
        == 'InvalidAMIID.NotFound'
    registered = ec2.register_image(Name='boto-copy', ImageLocation=default['ImageId'],
                                    Description='copy of the default')['ImageId']
    assert registered.startswith('ami-') and registered != ami
    copy, = ec2.describe_images(ImageIds=[registered])['Images']
    assert copy['Name'] == 'boto-copy' and copy['Public'] is False
    assert copy['ImageLocation'] == ami and copy['Description'] == 'copy of the default'
    assert copy['State'] == 'available'
    assert ec2.describe_images(Owners=['self'], ImageIds=[registered])['Images']

    perm = ec2.describe_image_attribute(ImageId=registered, Attribute='launchPermission')
    assert perm['LaunchPermissions'] == []
    assert _error_code(ec2.modify_image_attribute, ImageId=registered, LaunchPermission={
        'Add': [{'Group': 'all'}]}) == 'UnauthorizedOperation'  # only admins publish
    assert _error_code(ec2.modify_image_attribute, ImageId=registered,
                       LaunchPermission={'Add': [{'Group': 'nobody'}]}) \
        == 'InvalidParameterValue'
    assert _error_code(ec2.register_image, Name='bad', ImageLocation='no such thing') \
        == 'InvalidParameterValue'
    assert _error_code(ec2.register_image, Name='nothing') == 'UnsupportedOperation'

    snapshot = ec2.create_image(InstanceId=ids[0], Name='boto-snap',
                                Description='snapshot of one of five')['ImageId']
    assert snapshot.startswith('ami-')
    deadline = time.time() + WAIT_SECONDS
    while ec2.describe_images(ImageIds=[snapshot])['Images'][0]['State'] != 'available':
        assert time.time() < deadline, 'snapshot not available'
        time.sleep(0.3)

    ec2.deregister_image(ImageId=registered)
    assert _error_code(ec2.describe_images, ImageIds=[registered]) \
        == 'InvalidAMIID.NotFound'
    described = ec2.describe_image_attribute(ImageId=snapshot, Attribute='description')
    assert described['Description'] == {'Value': 'snapshot of one of five'}
    ec2.deregister_image(ImageId=snapshot)


def test_admin_makes_an_image_public(admin, ami, other):
    image = admin.register_image(Name='boto-public', ImageLocation=ami)['ImageId']
    assert _error_code(other.client.describe_images, ImageIds=[image]) \
        == 'InvalidAMIID.NotFound'
    admin.modify_image_attribute(ImageId=image, LaunchPermission={'Add': [{'Group': 'all'}]})
    perm = admin.describe_image_attribute(ImageId=image, Attribute='launchPermission')
    assert perm['LaunchPermissions'] == [{'Group': 'all'}]
    assert other.client.describe_images(ImageIds=[image])['Images'][0]['Public'] is True
    admin.modify_image_attribute(ImageId=image,
                                 LaunchPermission={'Remove': [{'Group': 'all'}]})
    assert admin.describe_images(ImageIds=[image])['Images'][0]['Public'] is False
    admin.deregister_image(ImageId=image)


def test_launch_permission_for_another_project(ec2, ami, other):
    image = ec2.register_image(Name='boto-shared', ImageLocation=ami)['ImageId']
    assert _error_code(other.client.describe_images, ImageIds=[image]) \
        == 'InvalidAMIID.NotFound'
    assert _error_code(_run, other.client, image) == 'InvalidAMIID.NotFound'
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={
        'Add': [{'UserId': other.project_id}]})
    perm = ec2.describe_image_attribute(ImageId=image, Attribute='launchPermission')
    assert perm['LaunchPermissions'] == [{'UserId': other.project_id}]
    seen, = other.client.describe_images(ImageIds=[image])['Images']
    assert seen['Public'] is False and seen['Name'] == 'boto-shared'
    assert [i['ImageId'] for i in other.client.describe_images(
        ExecutableUsers=['self'])['Images']] == [image]
    assert [i['ImageId'] for i in ec2.describe_images(
        ExecutableUsers=[other.project_id])['Images']] == [image]
    assert ec2.describe_images(ExecutableUsers=['self'], ImageIds=[image])['Images'] == []
    assert _error_code(other.client.modify_image_attribute, ImageId=image,
                       LaunchPermission={'Add': [{'Group': 'all'}]}) \
        == 'UnauthorizedOperation'
    assert _error_code(other.client.deregister_image, ImageId=image) \
        == 'UnauthorizedOperation'
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={
        'Remove': [{'UserId': other.project_id}]})
    assert _error_code(other.client.describe_images, ImageIds=[image]) \
        == 'InvalidAMIID.NotFound'
    ec2.deregister_image(ImageId=image)


# ------------------------------------------------------------------ admin actions

def _signed_query(cloud, action, access=None, secret=None, **params):
    """An EC2 query botocore signs (SigV4) for actions boto3 does not model."""
    rc = cloud.novarc()
    credentials = botocore.credentials.Credentials(access or rc['AWS_ACCESS_KEY_ID'],
                                                   secret or rc['AWS_SECRET_ACCESS_KEY'])
    body = urllib.parse.urlencode(dict(params, Action=action, Version='2016-11-15'))
    request = botocore.awsrequest.AWSRequest(
        method='POST', url=rc['EC2_URL'], data=body,
        headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    botocore.auth.SigV4Auth(credentials, 'ec2', rc['AWS_DEFAULT_REGION']).add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body.encode()
                                  if isinstance(prepared.body, str) else prepared.body,
                                  headers=dict(prepared.headers), method='POST')
    try:
        with urllib.request.urlopen(http, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_admin_actions(cloud, admin, other):
    hosts = admin.describe_hosts()['Hosts']
    assert [h['HostId'] for h in hosts] == ['cloudhost']
    assert hosts[0]['AvailabilityZone'] == 'nova' and hosts[0]['State'] == 'available'
    status, body = _signed_query(cloud, 'RegisterUser', Name='ec2-admin-made')
    assert status == 200 and '<username>ec2-admin-made</username>' in body, body
    status, body = _signed_query(cloud, 'RegisterProject', Name='ec2-admin-proj',
                                 ManagerUser='ec2-admin-made', Description='made by ec2')
    assert status == 200 and '<projectname>ec2-admin-proj</projectname>' in body, body
    status, body = _signed_query(cloud, 'DescribeProjects')
    assert '<projectname>ec2-admin-proj</projectname>' in body
    status, body = _signed_query(cloud, 'DescribeUsers')
    assert '<username>ec2-admin-made</username>' in body
    status, body = _signed_query(cloud, 'RegisterUser', Name='ec2-admin-made')
    assert status == 400 and '<Code>InvalidParameterValue</Code>' in body, body

    status, body = _signed_query(cloud, 'DescribeUsers', other.access, other.secret)
    assert status == 403 and '<Code>UnauthorizedOperation</Code>' in body
    status, body = _signed_query(cloud, 'RegisterProject', other.access, other.secret,
                                 Name='nope')
    assert status == 403 and '<Code>UnauthorizedOperation</Code>' in body
    status, _ = _signed_query(cloud, 'DeregisterProject', Name='ec2-admin-proj')
    assert status == 200
    status, _ = _signed_query(cloud, 'DeregisterUser', Name='ec2-admin-made')
    assert status == 200
    status, body = _signed_query(cloud, 'DescribeUsers')
    assert 'ec2-admin-made' not in body


def test_metadata_port_answers_versions_and_hides_instances(cloud, five):
    """The listener on the metadata port: versions for anyone, no instance data for an
    address no instance has (this test's 127.0.0.1)."""
    with urllib.request.urlopen(cloud.url('metadata', '/'), timeout=10) as reply:
        versions = reply.read().decode().split('\n')
    assert versions[0] == '1.0' and versions[-1] == 'latest'
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(cloud.url('metadata', '/latest/meta-data/instance-id'),
                               timeout=10)
    assert raised.value.code == 404
