"""Image actions, through nova.image.service.ImageService (which decides who may
see and change an image) and nova.compute.api (CreateImage is a snapshot).

RegisterImage takes an ImageLocation: an image of the image service (its
ami-/aki-/ari- id or uuid) is registered as a new private image with a copy
of its data; a URL an image store can read is registered as it is (admins
only, as ImageService.add_location decides); an S3 bundle manifest
(bucket/name.manifest.xml) goes to the bundle registrar,
``REGISTRARS['bundle']``, which the objectstore work provides.
EC2 launch permissions: Group=all is public visibility; a UserId (a project)
is an image member, accepted at once as EC2 has no pending shares.
"""
import uuid as uuid_lib

from nova import exception
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2.actions import MEMBER, READER, action
from nova.api.ec2.instances import requested_instances
from nova.i18n import _

STATES = {'active': 'available', 'queued': 'pending', 'saving': 'pending',
          'importing': 'pending', 'uploading': 'pending', 'killed': 'failed',
          'deactivated': 'invalid', 'deleted': 'deregistered',
          'pending_delete': 'deregistered'}
TYPES = {'ami': 'machine', 'aki': 'kernel', 'ari': 'ramdisk'}


def _state(image):
    """imageState: a bundle that failed to register (image_state failed_*) is failed."""
    if (image['properties'].get('image_state') or '').startswith('failed'):
        return 'failed'
    return STATES.get(image['status'], 'pending')


def _state_reason(image):
    props = image['properties']
    if not (props.get('image_state') or '').startswith('failed'):
        return None
    return {'code': props['image_state'], 'message': props.get('image_state_reason') or ''}


def _image_ids(call, images):
    by_prefix = {}
    for image in images:
        by_prefix.setdefault(ids.image_prefix(image), []).append(image['id'])
    result = {}
    for prefix, uuids in by_prefix.items():
        result.update(ids.ec2_ids(call.context, prefix, uuids))
    return result


def _kernel_ramdisk_ids(call, images):
    """{uuid: aki-/ari- id} of the kernels and ramdisks images name, in two queries."""
    found = {}
    for prop, prefix in (('kernel_id', 'aki'), ('ramdisk_id', 'ari')):
        found.update(ids.ec2_ids(call.context, prefix,
                                 [i['properties'].get(prop) for i in images]))
    return found


def _item(image, image_ids, related_ids):
    props = image['properties']
    return {
        'imageId': image_ids[image['id']],
        'imageLocation': props.get('image_location') or '%s (%s)' % (
            image['name'] or '', image['id']),
        'imageState': _state(image),
        'stateReason': _state_reason(image),
        'imageOwnerId': image['owner'],
        'isPublic': image['visibility'] == 'public',
        'architecture': props.get('architecture') or 'x86_64',
        'imageType': TYPES[ids.image_prefix(image)],
        'kernelId': related_ids.get(props.get('kernel_id')),
        'ramdiskId': related_ids.get(props.get('ramdisk_id')),
        'name': image['name'],
        'description': props.get('description'),
        'rootDeviceType': 'instance-store',
        'rootDeviceName': props.get('root_device_name') or '/dev/vda',
        'blockDeviceMapping': [],
        'virtualizationType': 'hvm',
        'hypervisor': 'xen',
        'creationDate': image['created_at'],
        'tagSet': [],
    }


def _owned_by(call, image, owners):
    for owner in owners:
        if owner == 'self' and image['owner'] == call.context.project_id:
            return True
        if owner == 'amazon' and image['visibility'] == 'public':
            return True
        if owner == image['owner']:
            return True
    return False


def _executable_by(call, image, who):
    """ExecutableBy: all (public images), self (images shared with the caller), or a
    project an image of the caller's is shared with: explicit launch permissions."""
    own = call.context.project_id
    for name in who:
        if name == 'all':
            if image['visibility'] == 'public':
                return True
        elif image['visibility'] != 'shared':
            continue
        elif name in ('self', own):
            if image['owner'] != own:
                return True
        elif image['owner'] == own and name in {
                m['member_id'] for m in call.apis.images.list_members(call.context,
                                                                     image['id'])}:
            return True
    return False


@action('DescribeImages', READER)
def describe_images(call):
    wanted = {ids.image_uuid(call.context, ec2_id): ec2_id
              for ec2_id in call.params.strings('ImageId')}
    images = call.apis.images.detail(call.context, filters={'id': list(wanted)}
                                     if wanted else None)
    missing = sorted(set(wanted.values()) - {wanted.get(i['id']) for i in images})
    if wanted and missing:
        raise faults.Ec2Error('InvalidAMIID.NotFound', _("The image ids '%s' do not exist")
                              % ', '.join(missing))
    owners, who = call.params.strings('Owner'), call.params.strings('ExecutableBy')
    images = [i for i in images if (not owners or _owned_by(call, i, owners)) and
              (not who or _executable_by(call, i, who))]
    image_ids = _image_ids(call, images)
    match = filters.matcher(call.params.filters(), {
        'image-id': lambda i: image_ids[i['id']], 'name': lambda i: i['name'],
        'state': _state,
        'image-type': lambda i: TYPES[ids.image_prefix(i)],
        'is-public': lambda i: i['visibility'] == 'public',
        'owner-id': lambda i: i['owner'],
        'architecture': lambda i: i['properties'].get('architecture') or 'x86_64',
        'description': lambda i: i['properties'].get('description'),
    })
    images = [i for i in images if match(i)]
    related_ids = _kernel_ramdisk_ids(call, images)
    return {'imagesSet': [_item(i, image_ids, related_ids) for i in images]}


# ---------------------------------------------------------------- registering

def _register_bundle(call, location, values):
    # imported here: the bundle registrar (tarfile, nova.crypto's cryptography) is
    # what RegisterImage of a bundle alone needs
    from nova.image.bundle import register as bundle_register
    return bundle_register.register(call.context, call.apis.images, location, values,
                                    lambda ec2_id: ids.image_uuid(call.context, ec2_id))


def _register_url(call, location, values):
    images = call.apis.images
    image = images.create(call.context, dict(values, disk_format='ami',
                                             container_format='ami'))
    try:
        return images.add_location(call.context, image['id'], location)
    except Exception:
        images.delete(call.context, image['id'])
        raise


def _register_copy(call, location, values):
    """A new private image with the data and formats of an image the caller can see."""
    images, context = call.apis.images, call.context
    source = images.show(context, _source_uuid(call, location))
    if source['status'] != 'active':
        raise exception.ImageNotActive(image_id=location)
    properties = {key: value for key, value in source['properties'].items()
                  if not key.startswith('image_')}  # the source's own registration
    properties.update(values['properties'])  # image_location: what it was copied from
    image = images.create(context, dict(
        values, properties=properties, visibility='private',
        disk_format=source['disk_format'], container_format=source['container_format'],
        min_disk=source['min_disk'], min_ram=source['min_ram']))
    try:
        _meta, chunks = images.download(context, source['id'])
        return images.upload(context, image['id'], chunks, size=source['size'])
    except BaseException:
        images.delete(context, image['id'])
        raise


def _source_uuid(call, location):
    if location.partition('-')[0] in ids.IMAGE_PREFIXES:
        return ids.image_uuid(call.context, location)
    return str(uuid_lib.UUID(location))


def _kind(location):
    """Which registrar an ImageLocation is for."""
    if location.endswith('.manifest.xml'):
        return 'bundle'
    if '://' in location:
        return 'url'
    if location.partition('-')[0] in ids.IMAGE_PREFIXES:
        return 'copy'
    try:
        uuid_lib.UUID(location)
    except ValueError:
        raise faults.invalid_value('ImageLocation', location, _('Give an image id, a URL or '
                                     'bucket/name.manifest.xml.')) from None
    return 'copy'


REGISTRARS = {'bundle': _register_bundle, 'url': _register_url, 'copy': _register_copy}


@action('RegisterImage', MEMBER)
def register_image(call):
    params = call.params
    location = params.get('ImageLocation')
    if not location:
        raise faults.unsupported(_('Register an image with an ImageLocation: images from '
                                   'volume snapshots come with the volume work.'))
    properties = {'image_location': location}
    for name, prop in (('Description', 'description'), ('Architecture', 'architecture'),
                       ('RootDeviceName', 'root_device_name')):
        if params.get(name):
            properties[prop] = params.get(name)
    for name, prop in (('KernelId', 'kernel_id'), ('RamdiskId', 'ramdisk_id')):
        if params.get(name):
            properties[prop] = ids.image_uuid(call.context, params.get(name))
    values = {'name': params.get('Name') or location, 'properties': properties}
    image = REGISTRARS[_kind(location)](call, location, values)
    return {'imageId': ids.ec2_id(call.context, ids.image_prefix(image), image['id'])}


@action('DeregisterImage', MEMBER)
def deregister_image(call):
    call.apis.images.delete(call.context, ids.image_uuid(call.context,
                                                         call.params.required('ImageId')))
    return {'return': True}


@action('CreateImage', 'os_compute_api:servers:create_image')
def create_image(call):
    instance = requested_instances(call, [call.params.required('InstanceId')])[0]
    extra = {}
    if call.params.get('Description'):
        extra['description'] = call.params.get('Description')
    image = call.apis.compute.snapshot(call.context, instance, call.params.required('Name'),
                                       extra_properties=extra)
    return {'imageId': ids.ec2_id(call.context, 'ami', image['id'])}


# ------------------------------------------------------------------ attributes

def _image(call):
    ec2_id = call.params.required('ImageId')
    return ec2_id, call.apis.images.show(call.context, ids.image_uuid(call.context, ec2_id))


def _launch_permission(call, image):
    permissions = [{'group': 'all'}] if image['visibility'] == 'public' else []
    if image['visibility'] == 'shared' and image['owner'] == call.context.project_id:
        permissions += [{'userId': m['member_id']}
                        for m in call.apis.images.list_members(call.context, image['id'])]
    return permissions


@action('DescribeImageAttribute', READER)
def describe_image_attribute(call):
    ec2_id, image = _image(call)
    name = call.params.required('Attribute')
    props = image['properties']
    body = {'imageId': ec2_id}
    if name == 'launchPermission':
        body['launchPermission'] = _launch_permission(call, image)
    elif name == 'description':
        body['description'] = {'value': props.get('description')}
    elif name in ('kernel', 'ramdisk'):
        prefix = 'aki' if name == 'kernel' else 'ari'
        body[name] = {'value': ids.ec2_id(call.context, prefix, props.get(name + '_id'))}
    elif name in ('blockDeviceMapping', 'productCodes'):
        body[name] = []
    else:
        raise faults.invalid_value('Attribute', name, _('Unknown image attribute.'))
    return body


def _permission_changes(params):
    """(groups to add, users to add, groups to remove, users to remove)."""
    changes = {op: ([], []) for op in ('Add', 'Remove')}
    for op in changes:
        for item in params.dicts('LaunchPermission.%s' % op):
            if item.get('Group'):
                changes[op][0].append(item.get('Group'))
            if item.get('UserId'):
                changes[op][1].append(item.get('UserId'))
    if params.get('Attribute') == 'launchPermission' or params.get('OperationType'):
        op = {'add': 'Add', 'remove': 'Remove'}.get(params.get('OperationType', ''))
        if op is None:
            raise faults.invalid_value('OperationType', params.get('OperationType'),
                                       _('add or remove is expected.'))
        changes[op][0].extend(params.strings('UserGroup'))
        changes[op][1].extend(params.strings('UserId'))
    for group in changes['Add'][0] + changes['Remove'][0]:
        if group != 'all':
            raise faults.invalid_value('Group', group, _('Only the group all exists.'))
    return changes['Add'] + changes['Remove']


@action('ModifyImageAttribute', MEMBER)
def modify_image_attribute(call):
    _image_id, image = _image(call)
    images, context, uuid = call.apis.images, call.context, image['id']
    add_groups, add_users, remove_groups, remove_users = _permission_changes(call.params)
    description = call.params.get('Description.Value')
    if not (add_groups or add_users or remove_groups or remove_users or
            description is not None):
        raise faults.missing('LaunchPermission')
    if description is not None:
        images.update(context, uuid, {'properties': {'description': description}})
    if (add_users or remove_users) and image['visibility'] == 'private':
        image = images.update(context, uuid, {'visibility': 'shared'})
    for project_id in add_users:
        try:
            images.add_member(context, uuid, project_id)
        except exception.ImageMemberExists:
            pass
        images.update_member(context.elevated(), uuid, project_id, 'accepted')
    for project_id in remove_users:
        images.remove_member(context, uuid, project_id)
    if add_groups:
        images.update(context, uuid, {'visibility': 'public'})
    elif remove_groups and image['visibility'] == 'public':
        images.update(context, uuid, {'visibility': 'shared'})
    return {'return': True}
