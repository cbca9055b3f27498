"""The EC2 API's role matrix: a reader of a project may call every Describe action and
no other (403 UnauthorizedOperation, whatever the parameters), and a member of
another project cannot act on the project's instances (InvalidInstanceID.NotFound)."""
from nova import context as nova_context
from nova import policy
from nova.api.ec2 import actions
from nova.db import api as db
from tests.unit.api.ec2.test_app import _ami, _run

# reads by their nature, though not named Describe*
READS = {'GetConsoleOutput'}


def test_every_action_but_reads_is_refused_to_a_reader_by_its_rule():
    reader = nova_context.RequestContext(user_id='r', project_id='p', roles=['reader'],
                                         overwrite=False)
    member = nova_context.RequestContext(user_id='m', project_id='p',
                                         roles=['member', 'reader'], overwrite=False)
    for name, (_handler, rule) in sorted(actions.ACTIONS.items()):
        allowed = policy.authorize(reader, rule, do_raise=False)
        if name.startswith('Describe'):
            assert allowed or not policy.authorize(member, rule, do_raise=False), name
        elif name not in READS:
            assert not allowed, '%s (rule %s) lets a reader write' % (name, rule)


def test_a_reader_is_refused_every_write_over_http(cloud, ec2):
    [instance_id] = _run(ec2.a, 1)
    writes = sorted(name for name in actions.ACTIONS
                    if not name.startswith('Describe') and name not in READS)
    wrong = []
    for name in writes:
        reply = ec2.a_reader.call(name, **{'InstanceId.1': instance_id,
                                           'InstanceId': instance_id})
        if (reply.status, reply.code) != (403, 'UnauthorizedOperation'):
            wrong.append((name, reply.status, reply.code))
    assert wrong == []
    assert len(db.instance_get_all_by_filters(cloud.admin, {'deleted': False})) == 1


def test_another_project_cannot_touch_the_instances(cloud, ec2):
    [instance_id] = _run(ec2.a, 1)
    for name, params in (
            ('TerminateInstances', {'InstanceId.1': instance_id}),
            ('StopInstances', {'InstanceId.1': instance_id}),
            ('StartInstances', {'InstanceId.1': instance_id}),
            ('RebootInstances', {'InstanceId.1': instance_id}),
            ('GetConsoleOutput', {'InstanceId': instance_id}),
            ('ModifyInstanceAttribute', {'InstanceId': instance_id,
                                         'InstanceType.Value': 'm1.small'}),
            ('CreateImage', {'InstanceId': instance_id, 'Name': 'x'}),
            ('CreateTags', {'ResourceId.1': instance_id, 'Tag.1.Key': 'k',
                            'Tag.1.Value': 'v'})):
        reply = ec2.b.call(name, **params)
        assert (reply.status, reply.code) == (400, 'InvalidInstanceID.NotFound'), (
            name, reply.body)
    assert ec2.a.call('DescribeInstances').texts('instanceId') == [instance_id]
    assert _ami(ec2.a)
