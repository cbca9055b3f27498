"""The EC2 app end to end in one process: signatures (SigV4 and SigV2 as botocore
makes them), the errors every bad request gets, project isolation, and the
number of queries DescribeInstances makes."""
import datetime
import uuid

import sqlalchemy as sa
import webob

from nova.auth import manager
from nova.auth import signature
from nova.db import session as db_session
from tests.unit.api.ec2.conftest import utcnow


def _run(client, count=1, **params):
    reply = client.call('RunInstances', ImageId=_ami(client), MinCount=str(count),
                        MaxCount=str(count), InstanceType='m1.tiny', **params)
    assert reply.status == 200, reply.body
    return reply.texts('instanceId')


def _ami(client):
    return client.call('DescribeImages', **{'Filter.1.Name': 'name',
                                            'Filter.1.Value.1': 'cirros'}).texts('imageId')[0]


def test_sigv4_and_sigv2_requests_are_served(ec2):
    reply = ec2.a.call('DescribeRegions')
    assert reply.status == 200 and reply.texts('regionName') == ['RegionOne']
    assert reply.texts('requestId')[0].startswith('req-')
    assert ec2.a.call('DescribeRegions', version=2).status == 200
    for version in (4, 2):
        reply = ec2.a.call('DescribeAvailabilityZones', version=version, method='GET',
                           **{'ZoneName.1': 'nova'})
        assert reply.status == 200 and reply.texts('zoneName') == ['nova'], reply.body


def test_wrong_secret_and_unknown_key_are_auth_failure(ec2):
    for version in (4, 2):
        reply = ec2.a.call('DescribeInstances', version=version, secret='wrong')
        assert (reply.status, reply.code) == (401, 'AuthFailure')
    ec2.a.access = 'NOSUCHKEY0000000000X'
    reply = ec2.a.call('DescribeInstances')
    assert (reply.status, reply.code) == (401, 'AuthFailure')


def test_expired_timestamp(ec2):
    old = utcnow().replace(tzinfo=None) - datetime.timedelta(minutes=20)
    reply = ec2.a.call('DescribeRegions', when=old)
    assert (reply.status, reply.code) == (400, 'RequestExpired')
    future = utcnow().replace(tzinfo=None) + datetime.timedelta(minutes=20)
    assert ec2.a.call('DescribeRegions', when=future).code == 'RequestExpired'


def test_replay_outside_the_window_is_refused(ec2, monkeypatch):
    request = ec2.a.signed('DescribeRegions')
    sent_at = utcnow()
    monkeypatch.setattr(signature, '_now', lambda now: sent_at + datetime.timedelta(minutes=5))
    assert request.copy().get_response(ec2.app).status_int == 200
    monkeypatch.setattr(signature, '_now', lambda now: sent_at + datetime.timedelta(minutes=16))
    response = request.copy().get_response(ec2.app)
    assert response.status_int == 400 and b'<Code>RequestExpired</Code>' in response.body


def test_tampered_request_is_auth_failure(ec2):
    request = ec2.a.signed('DescribeInstances')
    request.body = request.body + b'&InstanceId.1=i-00000001'
    response = request.get_response(ec2.app)
    assert response.status_int == 401 and b'<Code>AuthFailure</Code>' in response.body


def test_disabled_user_is_auth_failure(cloud, ec2):
    manager.update_user(cloud.admin, ec2.creds['a'].user_id, enabled=False)
    assert ec2.a.call('DescribeRegions').code == 'AuthFailure'


def test_unsigned_request(ec2):
    response = webob.Request.blank('/services/Cloud?Action=DescribeRegions').get_response(
        ec2.app)
    assert response.status_int == 401
    assert b'<Code>MissingAuthenticationToken</Code>' in response.body


def test_bad_input_is_a_named_4xx(ec2):
    ami = _ami(ec2.a)
    cases = [
        (dict(action='NoSuchAction'), 'InvalidAction'),
        (dict(action='RunInstances', ImageId=ami, MinCount='x', MaxCount='1'),
         'InvalidParameterValue'),
        (dict(action='RunInstances', MinCount='1', MaxCount='1'), 'MissingParameter'),
        (dict(action='RunInstances', ImageId='i-00000001', MinCount='1', MaxCount='1'),
         'InvalidAMIID.Malformed'),
        (dict(action='DescribeInstances', **{'Filter.1.Value.1': 'x'}), 'MissingParameter'),
        (dict(action='DescribeInstances', **{'InstanceId': 'i-1', 'InstanceId.1': 'i-2'}),
         'InvalidParameterValue'),
        (dict(action='DescribeInstances', MaxResults='2'), 'InvalidParameterValue'),
        (dict(action='CreateTags', **{'ResourceId.1': 'ami-00000001', 'Tag.1.Key': 'k'}),
         'InvalidID'),
        (dict(action='AuthorizeSecurityGroupIngress', GroupName='default',
              **{'IpPermissions.1.IpProtocol': 'gre'}), 'InvalidParameterValue'),
        (dict(action='DescribeInstanceAttribute', InstanceId='i-00000001',
              Attribute='colour'), 'InvalidInstanceID.NotFound'),
        (dict(action='DescribeInstances', **{'InstanceId.1': 'i-0000\x001'}),
         'InvalidParameterValue'),  # PostgreSQL would refuse the NUL with an error
    ]
    for params, code in cases:
        reply = ec2.a.call(params.pop('action'), **params)
        assert (reply.status, reply.code) == (400, code), (params, reply.body)
        assert 'Traceback' not in reply.body


def test_projects_see_only_their_own(cloud, ec2):
    ids = _run(ec2.b, 2)
    assert len(ids) == 2
    assert ec2.a.call('DescribeInstances').texts('instanceId') == []
    reply = ec2.a.call('DescribeInstances', **{'InstanceId.1': ids[0]})
    assert reply.code == 'InvalidInstanceID.NotFound'
    assert ec2.a.call('TerminateInstances', **{'InstanceId.1': ids[0]}).code == \
        'InvalidInstanceID.NotFound'
    assert sorted(ec2.b.call('DescribeInstances').texts('instanceId')) == sorted(ids)
    assert sorted(ec2.ops.call('DescribeInstances').texts('instanceId')) == []  # own only


def test_an_instance_named_twice_is_acted_on_once(ec2):
    instance_id, = _run(ec2.a, 1)
    reply = ec2.a.call('TerminateInstances', **{'InstanceId.1': instance_id,
                                                'InstanceId.2': instance_id})
    assert reply.status == 200 and reply.texts('instanceId') == [instance_id], reply.body


def test_a_reader_looks_but_does_not_act(ec2):
    """Readers only read (tests/unit/api/ec2/test_role_matrix.py tries every action)."""
    ids = _run(ec2.a, 1)
    assert ec2.a_reader.call('DescribeInstances').texts('instanceId') == ids
    for action, params in (('RunInstances', {'ImageId': _ami(ec2.a), 'MinCount': '1',
                                             'MaxCount': '1'}),
                           ('TerminateInstances', {'InstanceId.1': ids[0]}),
                           ('CreateSecurityGroup', {'GroupName': 'g',
                                                    'GroupDescription': 'd'})):
        reply = ec2.a_reader.call(action, **params)
        assert (reply.status, reply.code) == (403, 'UnauthorizedOperation'), action


def test_admin_actions_need_the_admin_role(ec2):
    assert ec2.a.call('DescribeHosts').code == 'UnauthorizedOperation'
    assert ec2.a.call('RegisterUser', Name='x').status == 403
    hosts = ec2.ops.call('DescribeHosts')
    assert sorted(hosts.texts('hostId')) == ['h1', 'h2', 'h3']
    assert ec2.ops.call('RegisterUser', Name='made').texts('username') == ['made']
    project = ec2.ops.call('RegisterProject', Name='made-p', ManagerUser='made',
                           **{'MemberUsers.1': 'a-user'})
    assert project.texts('projectname') == ['made-p'], project.body
    assert ec2.ops.call('RegisterProject', Name='made-q', ManagerUser='nobody').code \
        == 'InvalidParameterValue'
    names = ec2.ops.call('DescribeProjects').texts('projectname')
    assert 'made-p' in names and 'made-q' not in names  # rolled back, or never made
    assert ec2.ops.call('ModifyProjectMember', User='made', Project='made-p',
                        Operation='remove').status == 200
    assert ec2.ops.call('ModifyProjectMember', User='made', Project='made-p',
                        Operation='remove').code == 'InvalidParameterValue'
    assert ec2.ops.call('DeregisterUser', Name='made').status == 200
    assert 'made' not in ec2.ops.call('DescribeUsers').texts('username')


def _statements(run):
    engine = db_session.get_engine()
    seen = []

    def count(*args):
        seen.append(args[2])
    sa.event.listen(engine, 'before_cursor_execute', count)
    try:
        run()
    finally:
        sa.event.remove(engine, 'before_cursor_execute', count)
    return len(seen)


def test_describe_instances_queries_do_not_grow_with_instances(cloud, ec2):
    first = _run(ec2.a, 2)
    ec2.a.call('DescribeInstances')  # makes the EC2 ids
    few = _statements(lambda: ec2.a.call('DescribeInstances'))
    more = _run(ec2.a, 8)
    ec2.a.call('DescribeInstances')
    many = _statements(lambda: ec2.a.call('DescribeInstances'))
    assert len(first) + len(more) == 10
    assert many == few, (few, many)


GARBAGE = [
    {},
    {'InstanceId.1': 'i-zzzz', 'ImageId': 'nope', 'GroupId': 'sg-', 'KeyName': ''},
    {'InstanceId': 'i-00000001', 'MinCount': '-1', 'MaxCount': 'many', 'MaxResults': '0',
     'Attribute': 'x', 'Filter.1.Name': 'instance-id'},
    {'ImageId': 'ami-0000000000000000f', 'Name': 'x' * 300, 'ImageLocation': '../../etc',
     'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': '-5',
     'GroupName': 'default', 'NextToken': '%%%', 'ResourceId.1': 'i-00000001',
     'Tag.1.Value': 'no key', 'LaunchPermission.Add.1.UserId': 'p', 'OperationType': 'x'},
]


def test_no_action_answers_garbage_with_a_server_error(ec2):
    """Every registered action, as an admin (no policy short cut), with bad input: 4xx."""
    from nova.api.ec2 import actions
    for name in sorted(actions.ACTIONS):
        for params in GARBAGE:
            reply = ec2.ops.call(name, **params)
            assert reply.status < 500, (name, params, reply.body)
            if reply.status >= 400:
                assert reply.code and 'Traceback' not in reply.body


def _pages(client, **params):
    seen, token = [], None
    while True:
        extra = {'NextToken': token} if token else {}
        reply = client.call('DescribeInstances', MaxResults='5', **params, **extra)
        assert reply.status == 200, reply.body
        seen += reply.texts('instanceId')
        token = (reply.texts('nextToken') or [None])[0]
        if not token:
            return seen


def test_pages_from_the_database_match_filtered_pages(cloud, ec2):
    ids = _run(ec2.a, 4) + _run(ec2.a, 3)
    gone = ids[1:3]
    reply = ec2.a.call('TerminateInstances', **{'InstanceId.%d' % n: i
                                                for n, i in enumerate(gone, 1)})
    assert reply.status == 200, reply.body
    unfiltered = _pages(ec2.a)  # read a page at a time from the database
    filtered = _pages(ec2.a, **{'Filter.1.Name': 'owner-id',  # read whole, then cut
                                'Filter.1.Value.1': ec2.creds['a'].project_id})
    assert sorted(unfiltered) == sorted(ids) and len(unfiltered) == 7
    assert unfiltered == filtered
    bad = ec2.a.call('DescribeInstances', MaxResults='5', NextToken='WzFd')  # "[1]"
    assert bad.code == 'InvalidParameterValue'


def test_describe_images_queries_do_not_grow_with_images(cloud, ec2):
    from nova.image import service as image_service
    images = image_service.get_default_image_service()
    project = ec2.creds['a'].project_id
    ctx = cloud.admin
    kernel = images.create(ctx, {'name': 'k', 'disk_format': 'aki', 'container_format': 'aki',
                                 'owner': project})

    def register(count):
        for n in range(count):
            images.create(ctx, {'name': 'img-%d' % n, 'disk_format': 'ami',
                                'container_format': 'ami', 'owner': project,
                                'properties': {'kernel_id': kernel['id'],
                                               'ramdisk_id': str(uuid.uuid4())}})
    register(2)
    ec2.a.call('DescribeImages')  # makes the EC2 ids
    few = _statements(lambda: ec2.a.call('DescribeImages'))
    register(6)
    reply = ec2.a.call('DescribeImages')
    assert len(set(reply.texts('kernelId'))) == 1 and reply.texts('kernelId')[0][:4] == 'aki-'
    assert len(set(reply.texts('ramdiskId'))) == 8
    many = _statements(lambda: ec2.a.call('DescribeImages'))
    assert many == few, (few, many)
