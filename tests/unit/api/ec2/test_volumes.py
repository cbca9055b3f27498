"""EBS bad input and isolation through the EC2 app: each refusal is EC2's error code
with nothing created or reserved, and another project's volume does not exist."""
from nova.conf import CONF
from nova.db import api as db


def _volume_rows(cloud):
    return db.volume_get_all(cloud.admin)


def _usage(cloud, ec2):
    usage = db.quota_usage_get_all_by_project(cloud.admin, ec2.creds['a'].project_id)
    return usage.get('volumes', 0), usage.get('gigabytes', 0)


def test_create_volume_refuses_bad_sizes_and_keeps_nothing(cloud, ec2):
    for size in ('0', '-1', '16385', 'big'):
        reply = ec2.a.call('CreateVolume', Size=size, AvailabilityZone='nova')
        assert (reply.status, reply.code) == (400, 'InvalidParameterValue'), (size, reply.body)
    reply = ec2.a.call('CreateVolume', AvailabilityZone='nova')
    assert (reply.status, reply.code) == (400, 'MissingParameter'), reply.body
    reply = ec2.a.call('CreateVolume', SnapshotId='snap-00000099')
    assert reply.status == 400 and reply.code == 'InvalidSnapshot.NotFound', reply.body
    assert _volume_rows(cloud) == [] and _usage(cloud, ec2) == (0, 0)


def test_over_quota_is_volume_limit_exceeded(cloud, ec2):
    CONF.set_override('quota_volumes', 0)
    reply = ec2.a.call('CreateVolume', Size='1', AvailabilityZone='nova')
    assert (reply.status, reply.code) == (400, 'VolumeLimitExceeded'), reply.body
    assert _volume_rows(cloud) == [] and _usage(cloud, ec2) == (0, 0)


def test_another_projects_volume_is_not_found_and_readers_only_read(cloud, ec2):
    made = ec2.a.call('CreateVolume', Size='1', AvailabilityZone='nova')
    assert made.status == 200, made.body
    [volume_id] = made.texts('volumeId')
    assert volume_id.startswith('vol-')
    for action, params in (('DescribeVolumes', {'VolumeId.1': volume_id}),
                           ('DeleteVolume', {'VolumeId': volume_id}),
                           ('CreateSnapshot', {'VolumeId': volume_id}),
                           ('DetachVolume', {'VolumeId': volume_id})):
        reply = ec2.b.call(action, **params)
        assert (reply.status, reply.code) == (400, 'InvalidVolume.NotFound'), (action,
                                                                                reply.body)
    assert ec2.b.call('DescribeVolumes').texts('volumeId') == []
    assert ec2.a_reader.call('DescribeVolumes').texts('volumeId') == [volume_id]
    refused = ec2.a_reader.call('DeleteVolume', VolumeId=volume_id)
    assert (refused.status, refused.code) == (403, 'UnauthorizedOperation'), refused.body
    assert len(_volume_rows(cloud)) == 1 and _usage(cloud, ec2) == (1, 1)
