"""CreateVolume, DeleteVolume, DescribeVolumes, AttachVolume, DetachVolume,
CreateSnapshot, DeleteSnapshot, DescribeSnapshots: EBS as EC2 clients see it,
through nova.volume.api (volumes) and nova.compute.api (attachments).

Volumes are vol-…, snapshots snap-… (the ec2_ids table). EC2's statuses are
creating, available, in-use, deleting, error for volumes (Nova's other
statuses map to the nearest), attaching/attached/detaching for attachments,
pending/completed/error for snapshots.
"""
from nova import exception
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2.actions import action
from nova.api.openstack import common
from nova.i18n import _
from nova.volume import states

_VOLUME_STATUS = {
    states.CREATING: 'creating', states.AVAILABLE: 'available', states.ATTACHING: 'in-use',
    states.IN_USE: 'in-use', states.DETACHING: 'in-use', states.DELETING: 'deleting',
    states.EXTENDING: 'available', states.UPLOADING: 'in-use', states.RESERVED: 'in-use',
    states.ERROR: 'error', states.ERROR_DELETING: 'error',
    states.ERROR_EXTENDING: 'error',
}
_ATTACH_STATUS = {states.ATTACHING: 'attaching', states.RESERVED: 'attaching',
                  states.ATTACHED: 'attached', states.DETACHING: 'detaching'}
_SNAPSHOT_STATUS = {states.CREATING: 'pending', states.AVAILABLE: 'completed',
                    states.DELETING: 'pending', states.ERROR: 'error',
                    states.ERROR_DELETING: 'error'}


def _volume_uuid(call, volume_id):
    return ids.to_uuid(call.context, volume_id, ('vol',))


def _get_volume(call, volume_id):
    try:
        return call.apis.volumes.get(call.context, _volume_uuid(call, volume_id))
    except exception.VolumeNotFound:
        raise ids.not_found('vol', volume_id) from None


def _get_snapshot(call, snapshot_id):
    uuid = ids.to_uuid(call.context, snapshot_id, ('snap',))
    try:
        return call.apis.volumes.get_snapshot(call.context, uuid)
    except exception.SnapshotNotFound:
        raise ids.not_found('snap', snapshot_id) from None


class _Items:
    """EC2 items of volumes and snapshots, their ids made in a few queries."""

    def __init__(self, call, volumes=(), snapshots=()):
        ctx = call.context
        self.volume_ids = ids.ec2_ids(ctx, 'vol', [v.uuid for v in volumes] +
                                      [s.volume_id for s in snapshots])
        self.snapshot_ids = ids.ec2_ids(ctx, 'snap', [s.uuid for s in snapshots] +
                                        [v.snapshot_id for v in volumes if v.snapshot_id])
        self.instance_ids = ids.ec2_ids(ctx, 'i', [a.instance_uuid for v in volumes
                                                   for a in v.attachments if a.instance_uuid])

    def attachment(self, volume, attachment):
        return {'volumeId': self.volume_ids[volume.uuid],
                'instanceId': self.instance_ids.get(attachment.instance_uuid),
                'device': attachment.mountpoint,
                'status': _ATTACH_STATUS.get(attachment.attach_status, 'attaching')
                if volume.status != states.DETACHING else 'detaching',
                'attachTime': common.isotime(attachment.attach_time or attachment.created_at),
                'deleteOnTermination': False}

    def volume(self, volume):
        return {
            'volumeId': self.volume_ids[volume.uuid], 'size': volume.size,
            'snapshotId': self.snapshot_ids.get(volume.snapshot_id, ''),
            'availabilityZone': volume.availability_zone,
            'status': _VOLUME_STATUS.get(volume.status, volume.status),
            'createTime': common.isotime(volume.created_at),
            'attachmentSet': [self.attachment(volume, a) for a in volume.attachments],
            'volumeType': 'standard', 'encrypted': False, 'multiAttachEnabled': False,
            'tagSet': [{'key': k, 'value': v} for k, v in sorted(volume.metadata_dict.items())],
        }

    def snapshot(self, snapshot):
        return {
            'snapshotId': self.snapshot_ids[snapshot.uuid],
            'volumeId': self.volume_ids.get(snapshot.volume_id),
            'status': _SNAPSHOT_STATUS.get(snapshot.status, snapshot.status),
            'startTime': common.isotime(snapshot.created_at),
            'progress': snapshot.progress or '0%', 'ownerId': snapshot.project_id,
            'volumeSize': snapshot.volume_size, 'encrypted': False,
            'description': snapshot.display_description or '',
        }


@action('CreateVolume', 'volume:create')
def create_volume(call):
    params = call.params
    snapshot_id = params.get('SnapshotId')
    snapshot = _get_snapshot(call, snapshot_id) if snapshot_id else None
    size = params.get('Size')
    if size is None and snapshot is None:
        raise faults.missing('Size')
    volume = call.apis.volumes.create(
        call.context, size=params.int('Size', low=1, high=16384) if size is not None else None,
        snapshot_id=snapshot.uuid if snapshot else None,
        availability_zone=params.get('AvailabilityZone'))
    return _Items(call, [volume]).volume(volume)


@action('DeleteVolume', 'volume:delete')
def delete_volume(call):
    volume = _get_volume(call, call.params.required('VolumeId'))
    if volume.attachments:
        raise faults.Ec2Error('VolumeInUse', _('Volume %s is currently attached to %s') % (
            call.params.get('VolumeId'), ', '.join(ids.ec2_ids(call.context, 'i', [
                a.instance_uuid for a in volume.attachments]).values())))
    call.apis.volumes.delete(call.context, volume)
    return {'return': True}


_VOLUME_FILTERS = {
    'volume-id': lambda item: item['volumeId'], 'status': lambda item: item['status'],
    'size': lambda item: item['size'], 'availability-zone': lambda item: item['availabilityZone'],
    'create-time': lambda item: item['createTime'],
    'snapshot-id': lambda item: item['snapshotId'],
    'attachment.instance-id': lambda item: [a['instanceId'] for a in item['attachmentSet']],
    'attachment.device': lambda item: [a['device'] for a in item['attachmentSet']],
    'attachment.status': lambda item: [a['status'] for a in item['attachmentSet']],
    'volume-type': lambda item: item['volumeType'],
}


@action('DescribeVolumes', 'volume:get_all')
def describe_volumes(call):
    wanted = call.params.strings('VolumeId')
    if wanted:
        volumes = [_get_volume(call, volume_id) for volume_id in wanted]
    else:
        volumes = call.apis.volumes.get_all(call.context)
    items = _Items(call, volumes)
    match = filters.matcher(call.params.filters(), _VOLUME_FILTERS,
                            tags=lambda item: {t['key']: t['value'] for t in item['tagSet']})
    found = [item for item in (items.volume(v) for v in volumes) if match(item)]
    page, token = filters.paginate(found, lambda item: item['volumeId'],
                                   call.params.int('MaxResults', low=5, high=500),
                                   call.params.get('NextToken'))
    body = {'volumeSet': page}
    if token:
        body['nextToken'] = token
    return body


@action('AttachVolume', 'os_compute_api:os-volumes-attachments:create')
def attach_volume(call):
    params = call.params
    volume = _get_volume(call, params.required('VolumeId'))
    instance_id = params.required('InstanceId')
    instance = call.apis.compute.get(call.context, ids.instance_uuid(call.context,
                                                                     instance_id))
    if volume.attachments:
        raise faults.Ec2Error('VolumeInUse', _('%s is already attached to an instance')
                              % params.get('VolumeId'))
    if volume.status != states.AVAILABLE:
        raise faults.Ec2Error('IncorrectState', _('Volume %s is %s, not available') % (
            params.get('VolumeId'), _VOLUME_STATUS.get(volume.status, volume.status)))
    bdm = call.apis.compute.attach_volume(call.context, instance, volume.uuid,
                                          device=params.required('Device'))
    return {'volumeId': params.get('VolumeId'), 'instanceId': instance_id,
            'device': bdm.device_name, 'status': 'attaching',
            'attachTime': common.isotime(bdm.created_at)}


@action('DetachVolume', 'os_compute_api:os-volumes-attachments:delete')
def detach_volume(call):
    params = call.params
    volume_id = params.required('VolumeId')
    volume = _get_volume(call, volume_id)
    attachments = volume.attachments
    if params.get('InstanceId'):
        instance_uuid = ids.instance_uuid(call.context, params.get('InstanceId'))
        attachments = [a for a in attachments if a.instance_uuid == instance_uuid]
    if not attachments:
        raise faults.Ec2Error('IncorrectState', _('Volume %s is not attached') % volume_id)
    attachment = attachments[0]
    instance = call.apis.compute.get(call.context, attachment.instance_uuid)
    call.apis.compute.detach_volume(call.context, instance, volume.uuid)
    return {'volumeId': volume_id,
            'instanceId': ids.ec2_id(call.context, 'i', attachment.instance_uuid),
            'device': attachment.mountpoint, 'status': 'detaching',
            'attachTime': common.isotime(attachment.attach_time or attachment.created_at)}


@action('CreateSnapshot', 'volume:create_snapshot')
def create_snapshot(call):
    volume = _get_volume(call, call.params.required('VolumeId'))
    snapshot = call.apis.volumes.create_snapshot(
        call.context, volume, description=call.params.get('Description'), force=True)
    return _Items(call, snapshots=[snapshot]).snapshot(snapshot)


@action('DeleteSnapshot', 'volume:delete_snapshot')
def delete_snapshot(call):
    snapshot = _get_snapshot(call, call.params.required('SnapshotId'))
    call.apis.volumes.delete_snapshot(call.context, snapshot)
    return {'return': True}


_SNAPSHOT_FILTERS = {
    'snapshot-id': lambda item: item['snapshotId'], 'volume-id': lambda item: item['volumeId'],
    'status': lambda item: item['status'], 'volume-size': lambda item: item['volumeSize'],
    'start-time': lambda item: item['startTime'], 'progress': lambda item: item['progress'],
    'owner-id': lambda item: item['ownerId'], 'description': lambda item: item['description'],
}


@action('DescribeSnapshots', 'volume:get_all_snapshots')
def describe_snapshots(call):
    wanted = call.params.strings('SnapshotId')
    if wanted:
        snapshots = [_get_snapshot(call, snapshot_id) for snapshot_id in wanted]
    else:
        snapshots = call.apis.volumes.get_all_snapshots(call.context)
    items = _Items(call, snapshots=snapshots)
    match = filters.matcher(call.params.filters(), _SNAPSHOT_FILTERS)
    found = [item for item in (items.snapshot(s) for s in snapshots) if match(item)]
    page, token = filters.paginate(found, lambda item: item['snapshotId'],
                                   call.params.int('MaxResults', low=5, high=1000),
                                   call.params.get('NextToken'))
    body = {'snapshotSet': page}
    if token:
        body['nextToken'] = token
    return body
