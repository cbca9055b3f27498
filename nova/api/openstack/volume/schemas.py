"""Request bodies of the block-storage API (Cinder's accepted shapes)."""
from nova.api.openstack import parameter_types as types

_size = {'type': ['integer', 'string', 'null'], 'pattern': '^[0-9]+$', 'minimum': 1}
_text = {'type': ['string', 'null'], 'maxLength': 255}
_metadata = {'type': 'object', 'additionalProperties': {'type': ['string'], 'maxLength': 255},
             'propertyNames': {'minLength': 1, 'maxLength': 255}}
# clients (openstacksdk) send every attribute they know, unset ones as null
_nullable_metadata = dict(_metadata, type=['object', 'null'])
_uuid = {'type': ['string', 'null'], 'format': 'uuid'}
_flag = {'oneOf': [types.boolean, {'type': 'null'}]}

create_volume = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'size': _size, 'name': _text, 'description': _text,
                'display_name': _text, 'display_description': _text,
                'availability_zone': _text, 'source_volid': _uuid,
                'snapshot_id': _uuid, 'imageRef': {'type': ['string', 'null']},
                'image_id': {'type': ['string', 'null']}, 'volume_type': _text,
                'metadata': _nullable_metadata, 'multiattach': _flag,
                'consistencygroup_id': {'type': 'null'}, 'group_id': {'type': 'null'},
                'backup_id': {'type': 'null'},
                'scheduler_hints': {'type': ['object', 'null']},
            },
            'additionalProperties': False,
        },
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']},
    },
    'required': ['volume'],
    'additionalProperties': False,
}

update_volume = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {'name': _text, 'description': _text, 'display_name': _text,
                           'display_description': _text, 'metadata': _metadata},
            'additionalProperties': False,
        },
    },
    'required': ['volume'],
    'additionalProperties': False,
}

metadata = {'type': 'object', 'properties': {'metadata': _metadata},
            'required': ['metadata'], 'additionalProperties': False}

metadata_item = {'type': 'object', 'properties': {'meta': _metadata},
                 'required': ['meta'], 'additionalProperties': False}


def _action(name, properties=None, required=(), nullable=False):
    inner = {'type': ['object', 'null'] if nullable else 'object',
             'properties': dict(properties or {}), 'additionalProperties': False}
    if required:
        inner['required'] = list(required)
    return {'type': 'object', 'properties': {name: inner}, 'required': [name],
            'additionalProperties': False}


extend = _action('os-extend', {'new_size': {'type': ['integer', 'string'],
                                            'pattern': '^[0-9]+$', 'minimum': 1}},
                 ['new_size'])
reset_status = _action('os-reset_status', {
    'status': {'type': 'string'}, 'attach_status': {'type': 'string'},
    'migration_status': {'type': 'string'}})
snapshot_reset_status = _action('os-reset_status', {'status': {'type': 'string'}},
                                ['status'])
force_delete = _action('os-force_delete', nullable=True)
set_bootable = _action('os-set_bootable', {'bootable': types.boolean}, ['bootable'])
upload_image = _action('os-volume_upload_image', {
    'image_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'disk_format': {'type': 'string', 'enum': ['raw', 'qcow2']},
    'container_format': {'type': 'string', 'enum': ['bare']},
    'force': types.boolean, 'visibility': {'type': 'string'},
    'protected': types.boolean}, ['image_name'])
connector = {'type': 'object'}
initialize_connection = _action('os-initialize_connection', {'connector': connector},
                                ['connector'])
terminate_connection = _action('os-terminate_connection', {'connector': connector},
                               ['connector'])
attach = _action('os-attach', {'instance_uuid': types.uuid, 'mountpoint': {'type': 'string'},
                               'host_name': {'type': 'string'},
                               'mode': {'type': 'string', 'enum': ['rw', 'ro']}},
                 ['mountpoint'])
detach = _action('os-detach', {'attachment_id': types.uuid}, nullable=True)
reserve = _action('os-reserve', nullable=True)
unreserve = _action('os-unreserve', nullable=True)
begin_detaching = _action('os-begin_detaching', nullable=True)
roll_detaching = _action('os-roll_detaching', nullable=True)

create_snapshot = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {'volume_id': types.uuid, 'force': _flag,
                           'name': _text, 'description': _text, 'display_name': _text,
                           'display_description': _text, 'metadata': _nullable_metadata},
            'required': ['volume_id'],
            'additionalProperties': False,
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}

update_snapshot = {
    'type': 'object',
    'properties': {
        'snapshot': {
            'type': 'object',
            'properties': {'name': _text, 'description': _text, 'display_name': _text,
                           'display_description': _text},
            'additionalProperties': False,
        },
    },
    'required': ['snapshot'],
    'additionalProperties': False,
}

_extra_specs = {'type': 'object', 'additionalProperties': {'type': 'string', 'maxLength': 255},
                'propertyNames': {'minLength': 1, 'maxLength': 255}}

create_type = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                           'description': _text, 'extra_specs': _extra_specs,
                           'os-volume-type-access:is_public': types.boolean},
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

update_type = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                           'description': _text, 'is_public': types.boolean},
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

extra_specs = {'type': 'object', 'properties': {'extra_specs': _extra_specs},
               'required': ['extra_specs'], 'additionalProperties': False}

quota_set = {
    'type': 'object',
    'properties': {
        'quota_set': {
            'type': 'object',
            'properties': {name: {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$',
                                  'minimum': -1}
                           for name in ('volumes', 'snapshots', 'gigabytes',
                                        'per_volume_gigabytes')},
            'additionalProperties': False,
        },
    },
    'required': ['quota_set'],
    'additionalProperties': False,
}

create_attachment = {
    'type': 'object',
    'properties': {
        'attachment': {
            'type': 'object',
            'properties': {'volume_uuid': types.uuid, 'instance_uuid': types.uuid,
                           'connector': {'type': ['object', 'null']},
                           'mode': {'type': 'string', 'enum': ['rw', 'ro']}},
            'required': ['volume_uuid'],
            'additionalProperties': False,
        },
    },
    'required': ['attachment'],
    'additionalProperties': False,
}

update_attachment = {
    'type': 'object',
    'properties': {
        'attachment': {
            'type': 'object',
            'properties': {'connector': {'type': 'object'}},
            'required': ['connector'],
            'additionalProperties': False,
        },
    },
    'required': ['attachment'],
    'additionalProperties': False,
}

complete_attachment = _action('os-complete', nullable=True)
