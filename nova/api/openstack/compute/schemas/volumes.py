"""Request bodies of os-volume_attachments and the os-volumes/os-snapshots proxies."""
import copy

from nova.api.openstack import parameter_types as types

_device = {'type': ['string', 'null'], 'pattern': '^(/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'}

attach = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': {'volumeId': types.uuid, 'device': _device},
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}
attach_v249 = types.extended(attach, ['volumeAttachment'], tag=types.tag)
attach_v279 = types.extended(attach_v249, ['volumeAttachment'],
                             delete_on_termination=types.boolean)

update = copy.deepcopy(attach)
del update['properties']['volumeAttachment']['properties']['device']
update_v285 = types.extended(update, ['volumeAttachment'], id=types.uuid,
                             serverId=types.uuid, device=_device, tag=types.tag,
                             delete_on_termination=types.boolean)

create_volume = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'volume_type': {'type': ['string', 'null']},
                'metadata': {'type': ['object', 'null']},
                'snapshot_id': {'type': ['string', 'null'], 'format': 'uuid'},
                'size': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1},
                'availability_zone': {'type': ['string', 'null']},
                'display_name': {'type': ['string', 'null'], 'maxLength': 255},
                'display_description': {'type': ['string', 'null'], 'maxLength': 255},
            },
            'required': ['size'],
            'additionalProperties': False,
        },
    },
    'required': ['volume'],
    'additionalProperties': False,
}

create_snapshot = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {
                'volume_id': types.uuid, 'force': types.boolean,
                'display_name': {'type': ['string', 'null'], 'maxLength': 255},
                'display_description': {'type': ['string', 'null'], 'maxLength': 255},
            },
            'required': ['volume_id'],
            'additionalProperties': False,
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}
