"""The AWS CLI (`aws ec2 ...`), unmodified, with only novarc's keys, region and
EC2_URL as --endpoint-url: the commands of the issue's "done when"."""
import json
import time

import pytest

WAIT_SECONDS = 60


def _aws(cloud, *argv, check=True):
    return cloud.run('aws', '--endpoint-url', cloud.novarc()['EC2_URL'], '--output', 'json',
                     'ec2', *argv, check=check)


def _aws_json(cloud, *argv):
    return json.loads(_aws(cloud, *argv).stdout)


@pytest.fixture(scope='module')
def ami(cloud):
    images = _aws_json(cloud, 'describe-images', '--filters', 'Name=name,Values=cirros',
                       'Name=state,Values=available')
    return images['Images'][0]['ImageId']


def test_run_three_and_describe(cloud, ami):
    reply = _aws_json(cloud, 'run-instances', '--image-id', ami, '--count', '3',
                      '--instance-type', 'm1.tiny')
    ids = sorted(i['InstanceId'] for i in reply['Instances'])
    assert len(ids) == 3 and all(i.startswith('i-') for i in ids)
    deadline = time.time() + WAIT_SECONDS
    while True:
        described = _aws_json(cloud, 'describe-instances', '--instance-ids', *ids)
        states = {i['InstanceId']: i['State']['Name']
                  for r in described['Reservations'] for i in r['Instances']}
        if set(states.values()) == {'running'}:
            break
        assert time.time() < deadline, states
        time.sleep(0.5)
    assert sorted(states) == ids
    assert described['Reservations'][0]['ReservationId'] == reply['ReservationId']
    query = _aws(cloud, 'describe-instances', '--filters',
                 'Name=reservation-id,Values=%s' % reply['ReservationId'],
                 '--query', 'Reservations[].Instances[].InstanceId',
                 '--output', 'text').stdout.split()
    assert sorted(query) == ids
    gone = _aws_json(cloud, 'terminate-instances', '--instance-ids', *ids)
    assert {c['InstanceId'] for c in gone['TerminatingInstances']} == set(ids)


def test_errors_are_reported_with_their_code(cloud, ami):
    result = _aws(cloud, 'describe-instances', '--instance-ids', 'i-7fffffff', check=False)
    assert result.returncode != 0
    assert 'InvalidInstanceID.NotFound' in result.stderr
    bad = cloud.run('aws', '--endpoint-url', cloud.novarc()['EC2_URL'], 'ec2',
                    'describe-regions', check=False,
                    env=cloud.env(AWS_SECRET_ACCESS_KEY='wrong-secret'))
    assert bad.returncode != 0 and 'AuthFailure' in bad.stderr


def test_key_pair_and_group_commands(cloud):
    made = _aws_json(cloud, 'create-key-pair', '--key-name', 'cli-key')
    assert made['KeyMaterial'].startswith('-----BEGIN')
    group = _aws_json(cloud, 'create-security-group', '--group-name', 'cli-group',
                      '--description', 'from the cli')
    _aws(cloud, 'authorize-security-group-ingress', '--group-id', group['GroupId'],
         '--protocol', 'tcp', '--port', '22', '--cidr', '10.1.0.0/16')
    described = _aws_json(cloud, 'describe-security-groups', '--group-ids', group['GroupId'])
    perm, = described['SecurityGroups'][0]['IpPermissions']
    assert (perm['FromPort'], perm['ToPort'], perm['IpRanges']) == (
        22, 22, [{'CidrIp': '10.1.0.0/16'}])
    _aws(cloud, 'delete-security-group', '--group-id', group['GroupId'])
    _aws(cloud, 'delete-key-pair', '--key-name', 'cli-key')
    names = [k['KeyName'] for k in _aws_json(cloud, 'describe-key-pairs')['KeyPairs']]
    assert 'cli-key' not in names
