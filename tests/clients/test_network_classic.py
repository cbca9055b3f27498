"""nova-network through the unmodified clients of the classic interfaces: `nova-manage
network create` and `floating create`, `openstack server show` with addresses, and
`aws ec2 allocate-address / associate-address / describe-addresses /
disassociate-address / release-address` as a project member, with AWS's error
codes for another project's address, a double association and releasing an
associated address."""
import json
import re
import uuid

import pytest


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def members(cloud):
    cloud.manage('floating', 'create', '192.0.2.0/29')  # the default pool, 'nova'
    return cloud.new_member('net'), cloud.new_member('net')


def _aws(cloud, env, *argv, check=True):
    return cloud.run('aws', '--endpoint-url', cloud.novarc()['EC2_URL'], '--output', 'json',
                     'ec2', *argv, env=env, check=check)


def _aws_json(cloud, env, *argv):
    return json.loads(_aws(cloud, env, *argv).stdout)


def _server(cloud, env, name):
    return cloud.run_json('openstack', 'server', 'create', '--image', 'cirros', '--flavor',
                          'm1.tiny', '--wait', '-f', 'json', name, env=env)


def test_nova_manage_network_create(cloud):
    out = cloud.manage('network', 'create', '--label', 'lab', '--fixed_range_v4',
                       '10.77.0.0/28').stdout
    assert 'Network lab (10.77.0.0/28) created' in out
    listed = cloud.manage('network', 'list').stdout
    assert re.search(r'\blab\s+10\.77\.0\.0/28\s+10\.77\.0\.1\b', listed), listed
    failed = cloud.manage('network', 'create', '--label', 'again', '--fixed_range_v4',
                          '10.77.0.8/29', check=False)
    assert failed.returncode == 1
    assert 'conflicts with existing cidr (10.77.0.0/28)' in failed.stderr
    assert 'Traceback' not in failed.stderr
    cloud.manage('network', 'delete', 'lab')
    assert '10.77.0.0/28' not in cloud.manage('network', 'list').stdout


def test_openstack_server_show_has_addresses(cloud, members):
    member, _ = members
    name = _name('addr')
    created = _server(cloud, member, name)
    shown = cloud.run_json('openstack', 'server', 'show', '-f', 'json', name, env=member)
    addresses = shown['addresses']  # {"private": ["10.0.x.y"]} from this client
    [fixed] = addresses['private']
    assert fixed.startswith('10.0.')
    listed = cloud.run_json('openstack', 'server', 'list', '-f', 'json', env=member)
    assert [s['Networks'] for s in listed if s['ID'] == created['id']] == [addresses]
    cloud.run('openstack', 'server', 'delete', '--wait', name, env=member)


def test_aws_cli_elastic_ips(cloud, members):
    member, other = members
    name = _name('eip')
    server = _server(cloud, member, name)
    [fixed] = server['addresses']['private']
    [reservation] = _aws_json(cloud, member, 'describe-instances', '--filters',
                              'Name=private-ip-address,Values=%s' % fixed)['Reservations']
    instance_id = reservation['Instances'][0]['InstanceId']
    allocated = _aws_json(cloud, member, 'allocate-address')
    address = allocated['PublicIp']
    assert allocated['Domain'] == 'standard' and address.startswith('192.0.2.')
    _aws(cloud, member, 'associate-address', '--instance-id', instance_id,
         '--public-ip', address)
    [described] = _aws_json(cloud, member, 'describe-addresses')['Addresses']
    assert described['PublicIp'] == address and described['InstanceId'] == instance_id
    assert described['PrivateIpAddress'].startswith('10.0.')
    shown = cloud.run_json('openstack', 'server', 'show', '-f', 'json', server['id'],
                           env=member)
    assert shown['addresses']['private'] == [described['PrivateIpAddress'], address]

    # the other project cannot see, take or free it
    assert _aws_json(cloud, other, 'describe-addresses')['Addresses'] == []
    for argv in (('release-address', '--public-ip', address),
                 ('disassociate-address', '--public-ip', address),
                 ('describe-addresses', '--public-ips', address)):
        failed = _aws(cloud, other, *argv, check=False)
        assert failed.returncode != 0 and 'InvalidAddress.NotFound' in failed.stderr, argv

    # a second association needs --allow-reassociation; an associated address stays
    second = _aws_json(cloud, member, 'allocate-address')['PublicIp']
    failed = _aws(cloud, member, 'associate-address', '--instance-id', instance_id,
                  '--public-ip', second, check=False)
    assert failed.returncode != 0 and 'Resource.AlreadyAssociated' in failed.stderr
    failed = _aws(cloud, member, 'release-address', '--public-ip', address, check=False)
    assert failed.returncode != 0 and 'InvalidIPAddress.InUse' in failed.stderr
    filtered = _aws_json(cloud, member, 'describe-addresses', '--filters',
                         'Name=instance-id,Values=%s' % instance_id)['Addresses']
    assert [a['PublicIp'] for a in filtered] == [address]

    _aws(cloud, member, 'disassociate-address', '--public-ip', address)
    for public_ip in (address, second):
        _aws(cloud, member, 'release-address', '--public-ip', public_ip)
    assert _aws_json(cloud, member, 'describe-addresses')['Addresses'] == []
    cloud.run('openstack', 'server', 'delete', '--wait', name, env=member)
