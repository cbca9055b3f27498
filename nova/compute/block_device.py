"""Block device mappings as the API takes them (block_device_mapping_v2), checked.

A server boots from its image (imageRef, or a mapping image -> local with
boot_index 0) or from a volume (a mapping with destination volume and
boot_index 0: an existing volume, or one made from an image, a snapshot or
blank). Other volume mappings are attached at boot. Device names follow the
root's prefix (/dev/vda, then vdb, vdc...). What the rules refuse is a 400
naming the mapping, as Nova words it.
"""
import re
import string

from nova import exception
from nova.i18n import _LE

SOURCES = ('image', 'volume', 'snapshot', 'blank')
DESTINATIONS = ('volume', 'local')
ROOT_DEVICE = '/dev/vda'
_DEVICE = re.compile(r'^(/dev/)?([a-z]+?)([a-z])$')


def _invalid(reason):
    return exception.InvalidInput(reason='Block Device Mapping is Invalid: %s' % reason)


def _int(value, name):
    if value is None or value == '':
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _invalid('%s %r is not an integer' % (name, value)) from None


def normalize(mappings, image_ref):
    """(bdm values for volumes, whether the server boots from a volume).

    ``mappings``: block_device_mapping_v2 entries (dicts). The image -> local
    root mapping is the imageRef; it is not stored.
    """
    volumes, roots = [], []
    for index, mapping in enumerate(mappings or ()):
        source = mapping.get('source_type') or 'volume'
        destination = mapping.get('destination_type') or (
            'local' if source == 'image' and not mapping.get('volume_size') else 'volume')
        if source not in SOURCES or destination not in DESTINATIONS:
            raise _invalid('mapping %d: source_type %s to destination_type %s' % (
                index, source, destination))
        boot_index = _int(mapping.get('boot_index'), 'boot_index')
        if boot_index is not None and boot_index < 0:
            boot_index = None  # Nova: a negative boot index means "do not boot from it"
        if destination == 'local':
            if source != 'image' or boot_index != 0:
                raise _invalid('mapping %d: only the image may be local (ephemeral and '
                               'swap disks are not supported)' % index)
            roots.append('image')
            continue
        values = {'source_type': source, 'destination_type': 'volume',
                  'boot_index': boot_index,
                  'delete_on_termination': bool(mapping.get('delete_on_termination')),
                  'device_name': mapping.get('device_name') or None,
                  'disk_bus': mapping.get('disk_bus'), 'device_type': mapping.get('device_type'),
                  'guest_format': mapping.get('guest_format'), 'tag': mapping.get('tag'),
                  'volume_type': mapping.get('volume_type'),
                  'volume_size': _int(mapping.get('volume_size'), 'volume_size')}
        uuid = mapping.get('uuid')
        if source in ('image', 'volume', 'snapshot') and not uuid:
            raise _invalid('mapping %d: a %s source needs its uuid' % (index, source))
        if source == 'image':
            values['image_id'] = uuid
        elif source == 'volume':
            values['volume_id'] = uuid
        elif source == 'snapshot':
            values['snapshot_id'] = uuid
        if source in ('image', 'blank') and not values['volume_size']:
            if source == 'blank':
                raise _invalid('mapping %d: a blank volume needs volume_size' % index)
        if values['volume_size'] is not None and values['volume_size'] <= 0:
            raise _invalid('mapping %d: volume_size must be greater than 0' % index)
        if boot_index == 0:
            if source == 'blank':
                raise _invalid('mapping %d: a blank volume cannot be booted from' % index)
            roots.append('volume')
        volumes.append(values)
    if len(roots) > 1:
        raise _invalid('Boot sequence for the instance and image/block device mapping '
                       'combination is not valid.')
    boot_from_volume = roots == ['volume']
    if not image_ref and not boot_from_volume:
        raise exception.InvalidInput(reason='Block Device Mapping is Invalid: Boot sequence '
                                            'for the instance and image/block device mapping '
                                            'combination is not valid.')
    if boot_from_volume and image_ref:
        raise _invalid('give either imageRef or a volume to boot from, not both')
    return volumes, boot_from_volume


def device_names(volumes, used, root=ROOT_DEVICE):
    """Give each mapping without a device name the next free one after the root's
    prefix (the root volume gets the root's own name); refuse names in use."""
    taken = set(used) | {root}
    prefix = _prefix(root)
    for values in volumes:
        if values['boot_index'] == 0:
            values['device_name'] = root
            continue
        if values['device_name']:
            name = check_device_name(values['device_name'])
            if name in taken:
                raise exception.DevicePathInUse(path=name)
            values['device_name'] = name
        else:
            values['device_name'] = next_device_name(prefix, taken)
        taken.add(values['device_name'])
    return volumes


def _prefix(device_name):
    match = _DEVICE.match(device_name or ROOT_DEVICE)
    return '/dev/' + (match.group(2) if match else 'vd')


def check_device_name(name):
    """'/dev/vdb' (or 'vdb'): a whole disk's name; 400 otherwise."""
    if not isinstance(name, str) or not _DEVICE.match(name):
        raise exception.InvalidDevicePath(path=name)
    return name if name.startswith('/dev/') else '/dev/' + name


def next_device_name(prefix, taken):
    for letter in string.ascii_lowercase[1:]:
        name = prefix + letter
        if name not in taken:
            return name
    raise exception.InvalidInput(reason='no free device name after %sz' % prefix)


def release_volumes(context, volume_api, instance_uuid, log, bdms=None):
    """The instance is gone (or going): every volume is detached, those marked
    delete_on_termination deleted, the mappings removed. One volume failing does
    not stop the others. Used by the compute host and by the API's local delete;
    bdms: the instance's mappings when the caller has read them already."""
    from nova.db import api as db
    admin = context.elevated()
    if bdms is None:
        bdms = db.block_device_mapping_get_all_by_instance(context, instance_uuid)
    for bdm in bdms:
        if bdm.destination_type != 'volume':
            continue
        try:
            if bdm.attachment_id:
                try:
                    volume_api.detach(admin, bdm.attachment_id)
                except exception.NotFound:
                    pass
            if bdm.volume_id and bdm.delete_on_termination:
                volume_api.delete(admin, volume_api.get(admin, bdm.volume_id))
        except exception.NotFound:
            pass
        except Exception:
            log.exception(_LE('Could not release volume %s of instance %s'), bdm.volume_id,
                          instance_uuid)
    if bdms:  # read under the instance's lock: a deleting instance gets no new ones
        db.block_device_mapping_destroy_by_instance(context, instance_uuid)
