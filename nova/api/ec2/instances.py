"""RunInstances, DescribeInstances, DescribeInstanceStatus.

Instances come from nova.compute.api; terminated ones stay visible for
--ec2_terminated_visible_seconds as on AWS. A RunInstances ClientToken is
claimed (nova.compute.ec2.run_once) before the instances are made, so a
repeated (or concurrent) request with the same token returns the first
reservation.
"""
import datetime
import hashlib
import json

from nova import exception
from nova import utils
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2 import instance_views as views
from nova.api.ec2.actions import action
from nova.compute import ec2 as ec2_api
from nova.compute import flavors
from nova.conf import CONF
from nova.i18n import _

MAX_RESULTS = 1000


def get_instances(call, uuids=None, reservation_ids=None, limit=None, marker=None):
    """Live instances of the caller's project and those terminated recently.

    With limit: at most limit of each kind after the marker instance's uuid,
    oldest first (the order of _page_key).
    """
    base = {}
    if uuids is not None:
        base['uuid'] = list(uuids)
    if reservation_ids is not None:
        base['reservation_id'] = list(reservation_ids)
    compute = call.apis.compute
    order = {'sort_keys': ['created_at', 'id'], 'sort_dirs': ['asc', 'asc'], 'limit': limit,
             'marker': marker}
    live = compute.get_all(call.context, dict(base, deleted=False, soft_deleted=True),
                           **order)
    since = utils.utcnow() - datetime.timedelta(seconds=CONF.ec2_terminated_visible_seconds)
    gone = compute.get_all(call.context, dict(base, **{'deleted': True, 'soft_deleted': False,
                                                       'changes-since': since}), **order)
    return live + gone


def requested_instances(call, ec2_ids):
    """Instances named by id: every one must exist for the caller (else NotFound)."""
    uuids = {ids.instance_uuid(call.context, ec2_id): ec2_id for ec2_id in ec2_ids}
    found = get_instances(call, uuids=uuids)
    missing = sorted(set(uuids.values()) - {uuids[i.uuid] for i in found})
    if missing:
        raise faults.Ec2Error('InvalidInstanceID.NotFound',
                              _("The instance IDs '%s' do not exist") % ', '.join(missing))
    return found


def _page_args(call, ec2_ids):
    max_results = call.params.int('MaxResults', low=5, high=MAX_RESULTS)
    if max_results is not None and ec2_ids:
        raise faults.Ec2Error('InvalidParameterCombination', _('The parameter instancesSet '
                                'cannot be used with the parameter maxResults'))
    return max_results, call.params.get('NextToken')


def _page_key(instance):
    """Oldest first; the uuid (never compared: ids are unique) lets the database page."""
    return [instance.created_at.isoformat(), instance.id, instance.uuid]


def _database_page(call, max_results, next_token):
    """The instances of an unfiltered page, read a page at a time from the database:
    max_results + 1 of each kind after the token's instance, for paginate to cut."""
    marker = None
    if next_token:
        position = filters.decode_token(next_token)
        if not (isinstance(position, list) and len(position) == 3 and
                isinstance(position[2], str)):
            raise faults.Ec2Error('InvalidParameterValue',
                                  _('Invalid value for NextToken: %s') % next_token)
        marker = position[2]
    return get_instances(call, limit=max_results + 1, marker=marker)


def _instances_to_describe(call, ec2_ids, max_results, next_token):
    if ec2_ids:
        return requested_instances(call, ec2_ids)
    if max_results and not call.params.filters():
        return _database_page(call, max_results, next_token)
    return get_instances(call)


@action('DescribeInstances', 'os_compute_api:servers:detail')
def describe_instances(call):
    ec2_ids = call.params.strings('InstanceId')
    max_results, next_token = _page_args(call, ec2_ids)
    instances = _instances_to_describe(call, ec2_ids, max_results, next_token)
    renderer = views.Renderer(call, instances)
    match = filters.matcher(call.params.filters(), {
        'instance-id': lambda i: renderer.instance_ids[i.uuid],
        'instance-state-name': lambda i: views.state(i)[0],
        'instance-state-code': lambda i: views.state(i)[1],
        'instance-type': views.instance_type,
        'key-name': lambda i: i.key_name,
        'availability-zone': renderer.zone,
        'reservation-id': lambda i: i.reservation_id,
        'image-id': lambda i: renderer.image_ids.get(i.image_ref),
        'private-ip-address': renderer.private_ip,
        'ip-address': renderer.public_ip,
        'private-dns-name': lambda i: i.hostname,
        'owner-id': lambda i: i.project_id,
        'launch-index': lambda i: i.launch_index,
        'group-name': lambda i: i.security_groups,
    }, tags=views.tags_of)
    page, token = filters.paginate([i for i in instances if match(i)], _page_key,
                                   max_results, next_token)
    return {'reservationSet': renderer.reservations(page), 'nextToken': token}


@action('DescribeInstanceStatus', 'os_compute_api:servers:detail')
def describe_instance_status(call):
    ec2_ids = call.params.strings('InstanceId')
    max_results, next_token = _page_args(call, ec2_ids)
    instances = requested_instances(call, ec2_ids) if ec2_ids else get_instances(call)
    if not call.params.bool('IncludeAllInstances'):
        instances = [i for i in instances if views.state(i) == views.RUNNING]
    instance_ids = ids.ec2_ids(call.context, 'i', [i.uuid for i in instances])
    zones = views.host_zones(call.context)
    match = filters.matcher(call.params.filters(), {
        'availability-zone': lambda i: views.zone(i, zones),
        'instance-state-name': lambda i: views.state(i)[0],
        'instance-state-code': lambda i: views.state(i)[1],
        'instance-status.status': lambda i: _status(i)['status'],
        'system-status.status': lambda i: _status(i)['status'],
    })
    page, token = filters.paginate([i for i in instances if match(i)], _page_key,
                                   max_results, next_token)
    return {'instanceStatusSet': [{
        'instanceId': instance_ids[i.uuid], 'availabilityZone': views.zone(i, zones),
        'instanceState': views.state_xml(views.state(i)),
        'systemStatus': _status(i), 'instanceStatus': _status(i)} for i in page],
        'nextToken': token}


def _status(instance):
    if views.state(instance) != views.RUNNING:
        return {'status': 'not-applicable', 'details': []}
    return {'status': 'ok', 'details': [{'name': 'reachability', 'status': 'passed'}]}


# ------------------------------------------------------------------ RunInstances

def get_flavor(context, name):
    try:
        flavor = flavors.get_by_name_or_id(name, context)
    except exception.FlavorNotFound:
        flavor = None
    if flavor is None or flavor.disabled:
        raise faults.invalid_value('InstanceType', name, _('No such instance type.'))
    return flavor


def _group_names(call):
    names = call.params.strings('SecurityGroup')
    for group_id in call.params.strings('SecurityGroupId'):
        group_uuid = ids.to_uuid(call.context, group_id, ('sg',))
        names.append(call.apis.security_groups.get(call.context, group_uuid).name)
    names = list(dict.fromkeys(names)) or ['default']
    call.apis.security_groups.check_names(call.context, names)
    return names


def _instance_tags(call):
    tags = {}
    for number, spec in enumerate(call.params.dicts('TagSpecification'), 1):
        if spec.get('ResourceType') != 'instance':
            raise faults.invalid_value('TagSpecification.%d.ResourceType' % number,
                                       spec.get('ResourceType'),
                                       _('Only instance tags can be given here.'))
        for tag in spec.dicts('Tag'):
            tags[tag.required('Key')] = tag.get('Value', '')
    return tags


_ROOT_DEVICES = ('/dev/vda', '/dev/sda', '/dev/sda1', '/dev/xvda', 'vda', 'sda', 'sda1')


def _block_devices(call, image_uuid):
    """(imageRef, block_device_mapping_v2) from BlockDeviceMapping.N: an Ebs mapping of
    the root device makes the root a volume (from the AMI, or from its SnapshotId);
    others are volumes attached at boot (from a snapshot, or blank of VolumeSize).
    Instance-store mappings (VirtualName, NoDevice) are the flavor's disks."""
    mappings, image_ref = [], image_uuid
    for number, mapping in enumerate(call.params.dicts('BlockDeviceMapping'), 1):
        if 'Ebs' not in mapping.tree:
            continue
        device = mapping.required('DeviceName')
        ebs = mapping.dicts('Ebs')[0]
        size = ebs.int('VolumeSize', low=1, high=16384)
        snapshot = ebs.get('SnapshotId')
        values = {'destination_type': 'volume', 'volume_size': size,
                  'delete_on_termination': ebs.bool('DeleteOnTermination', True),
                  'device_name': device}
        if snapshot:
            values.update(source_type='snapshot',
                          uuid=ids.to_uuid(call.context, snapshot, ('snap',)))
        if device in _ROOT_DEVICES:
            if not snapshot:
                values.update(source_type='image', uuid=image_uuid)
            values.update(boot_index=0, device_name=None)
            image_ref = None
        elif not snapshot:
            if size is None:
                raise faults.missing('BlockDeviceMapping.%d.Ebs.VolumeSize' % number)
            values['source_type'] = 'blank'
        mappings.append(values)
    return image_ref, mappings


def _create(call):
    params, context = call.params, call.context
    image_uuid = ids.image_uuid(context, params.required('ImageId'))
    image_ref, block_devices = _block_devices(call, image_uuid)
    min_count = params.int('MinCount', low=1)
    max_count = params.int('MaxCount', low=1)
    if min_count is None:
        raise faults.missing('MinCount')
    if max_count is None:
        raise faults.missing('MaxCount')
    if max_count < min_count:
        raise faults.invalid_value('MaxCount', max_count, _('It must be at least MinCount.'))
    flavor = get_flavor(context, params.get('InstanceType', CONF.ec2_default_instance_type))
    tags = _instance_tags(call)
    instances, reservation_id = call.apis.compute.create(
        context, flavor, image_ref, display_name=tags.get('Name'), min_count=min_count,
        max_count=max_count, key_name=params.get('KeyName'),
        user_data=params.get('UserData') or None, metadata=tags,
        availability_zone=params.get('Placement.AvailabilityZone') or None,
        security_groups=_group_names(call), block_device_mapping=block_devices)
    monitoring = params.get('Monitoring.Enabled')
    if monitoring is not None:
        enabled = params.bool('Monitoring.Enabled')
        call.apis.monitor.set_monitoring(context, [i.uuid for i in instances], enabled)
        for instance in instances:
            instance.monitoring = enabled
    return reservation_id, instances


def _request_hash(call):
    tree = {k: v for k, v in call.params.tree.items() if k != 'ClientToken'}
    return hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()


@action('RunInstances', 'os_compute_api:servers:create')
def run_instances(call):
    token = call.params.get('ClientToken')
    if token:
        if len(token) > 64:
            raise faults.invalid_value('ClientToken', token, _('At most 64 characters.'))
        reservation_id, instances = ec2_api.run_once(call.context, token, _request_hash(call),
                                                     lambda: _create(call))
    else:
        reservation_id, instances = _create(call)
    if instances is None:
        instances = get_instances(call, reservation_ids=[reservation_id])
    renderer = views.Renderer(call, instances)
    if not instances:
        return {'reservationId': reservation_id, 'ownerId': call.context.project_id,
                'groupSet': [], 'instancesSet': []}
    return renderer.reservation(sorted(instances, key=lambda i: i.launch_index or 0))
