"""EC2 ids: 'i-0000001a' is number 0x1a of kind 'i' (nova.compute.ec2 maps it to a uuid).

Ids are rendered with 8 hex digits (more once they outgrow them) and read
with 8 or 17, as AWS's long ids. Images share one mapping (kind 'ami') and
are shown with the prefix of their type: ami (machine), aki (kernel), ari
(ramdisk).
"""
import re

from nova import exception
from nova.api.ec2 import faults
from nova.compute import ec2 as ec2_api
from nova.i18n import _

_ID = re.compile(r'^([a-z]+)-([0-9a-f]{8}|[0-9a-f]{17})$')
IMAGE_PREFIXES = ('ami', 'aki', 'ari')
# prefix -> (mapping kind, code stem of its errors: <stem>.Malformed / .NotFound)
KINDS = {
    'i': ('i', 'InvalidInstanceID'),
    'ami': ('ami', 'InvalidAMIID'), 'aki': ('ami', 'InvalidAMIID'),
    'ari': ('ami', 'InvalidAMIID'),
    'sg': ('sg', 'InvalidGroupId'),
    'vol': ('vol', 'InvalidVolumeID'),
    'snap': ('snap', 'InvalidSnapshotID'),
    'eipalloc': ('eipalloc', 'InvalidAllocationID'),
}
# what a missing resource is called, when it differs from the malformed stem
NOT_FOUND = {'sg': 'InvalidGroup.NotFound', 'vol': 'InvalidVolume.NotFound',
             'snap': 'InvalidSnapshot.NotFound'}


def image_prefix(image):
    """ami, aki or ari from an image dict's formats."""
    for prefix in ('aki', 'ari'):
        if prefix in (image.get('disk_format'), image.get('container_format')):
            return prefix
    return 'ami'


# the ids are made below the API (the metadata a config drive carries shows them too)
format_id = ec2_api.format_id
ec2_ids = ec2_api.ec2_ids
ec2_id = ec2_api.ec2_id


def not_found(prefix, ec2_id):
    stem = KINDS[prefix][1]
    code = NOT_FOUND.get(prefix, stem + '.NotFound')
    return faults.Ec2Error(code, _("The ID '%s' does not exist") % ec2_id)


def to_uuid(context, ec2_id, prefixes):
    """The uuid an EC2 id of one of prefixes stands for (Malformed / NotFound errors)."""
    match = _ID.match(ec2_id or '')
    prefix = match.group(1) if match else (ec2_id or '').partition('-')[0]
    if not match or prefix not in prefixes:
        stem = KINDS[prefixes[0]][1]
        raise faults.Ec2Error(stem + '.Malformed', _('Invalid id: "%s" (expecting "%s-...")') % (
            ec2_id, prefixes[0]))
    try:
        return ec2_api.uuid_for(context, KINDS[prefix][0], int(match.group(2), 16))
    except exception.NotFound:
        raise not_found(prefix, ec2_id) from None


def instance_uuid(context, ec2_id):
    return to_uuid(context, ec2_id, ('i',))


def image_uuid(context, ec2_id):
    return to_uuid(context, ec2_id, IMAGE_PREFIXES)
