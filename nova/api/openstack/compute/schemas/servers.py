"""Request schemas of /servers (create, update, list query), per microversion."""
from nova.api.openstack import parameter_types as types

_hints = {
    'type': 'object',
    'properties': {
        'group': {'type': 'string', 'format': 'uuid'},
        'different_host': {'oneOf': [{'type': 'string', 'format': 'uuid'},
                                     {'type': 'array', 'items': types.uuid}]},
        'same_host': {'oneOf': [{'type': 'string', 'format': 'uuid'},
                                {'type': 'array', 'items': types.uuid}]},
        'query': {'type': ['string', 'object']},
        'target_cell': types.name,
        'different_cell': {'type': ['string', 'array'], 'items': {'type': 'string'}},
        'build_near_host_ip': types.ip_address,
        'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
    },
    'additionalProperties': True,  # a scheduler filter may read hints Nova does not know
}

_network = {
    'type': 'object',
    'properties': {
        'fixed_ip': types.ip_address,
        'port': {'oneOf': [{'type': 'string', 'format': 'uuid'}, {'type': 'null'}]},
        'uuid': {'type': 'string'},
    },
    'additionalProperties': False,
}

# the legacy block_device_mapping: volumes (or snapshots) by device name
_bdm = {'type': 'array', 'items': {
    'type': 'object',
    'properties': {
        'device_name': {'type': 'string', 'maxLength': 255},
        'volume_id': types.uuid, 'snapshot_id': types.uuid,
        'volume_size': {'type': ['integer', 'string', 'null'], 'pattern': '^[0-9]+$'},
        'delete_on_termination': types.boolean, 'no_device': {},
        'virtual_name': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False}}
# Nova's block_device_mapping_v2 item (nova.compute.block_device checks the combinations)
_bdm_v2_item = {
    'type': 'object',
    'properties': {
        'source_type': {'type': 'string', 'enum': ['volume', 'image', 'snapshot', 'blank']},
        'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
        'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                 'pattern': '^[a-zA-Z0-9._-]*$'},
        'image_id': types.image_id,
        'boot_index': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$'},
        'delete_on_termination': types.boolean,
        'device_name': {'type': ['string', 'null'], 'maxLength': 255},
        'device_type': {'type': ['string', 'null'], 'maxLength': 255},
        'disk_bus': {'type': ['string', 'null'], 'maxLength': 255},
        'guest_format': {'type': ['string', 'null'], 'maxLength': 255},
        'volume_size': {'type': ['integer', 'string', 'null'], 'pattern': '^[0-9]+$'},
        'no_device': {}, 'tag': types.tag,
        'volume_type': {'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255},
    },
    'additionalProperties': False,
}
_bdm_v2 = {'type': 'array', 'items': _bdm_v2_item}

create = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'imageRef': types.image_id_or_empty_string,
                'flavorRef': types.flavor_ref,
                'adminPass': types.admin_password,
                'metadata': types.metadata,
                'networks': {'type': 'array', 'items': _network},
                'OS-DCF:diskConfig': types.disk_config,
                'accessIPv4': types.accessIPv4,
                'accessIPv6': types.accessIPv6,
                'personality': types.personality,
                'availability_zone': types.name,
                'block_device_mapping': _bdm,
                'block_device_mapping_v2': _bdm_v2,
                'config_drive': types.boolean,
                'key_name': types.name,
                'min_count': types.positive_integer,
                'max_count': types.positive_integer,
                'return_reservation_id': types.boolean,
                'security_groups': {
                    'type': 'array',
                    'items': {'type': 'object', 'properties': {'name': types.name},
                              'additionalProperties': False},
                },
                'user_data': types.user_data,
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
        'os:scheduler_hints': _hints,
        'OS-SCH-HNT:scheduler_hints': _hints,
    },
    'required': ['server'],
    'additionalProperties': False,
}

_S = ('server',)
create_v219 = types.extended(create, _S, description=types.description)
_tagged_network = dict(_network, properties=dict(_network['properties'], tag=types.tag))
create_v232 = types.extended(create_v219, _S, networks={'type': 'array',
                                                        'items': _tagged_network})

_uuid_network = dict(_network, properties=dict(_network['properties'], uuid=types.uuid))
create_v237 = types.extended(create_v219, _S, networks={'oneOf': [
    {'type': 'array', 'items': _uuid_network},
    {'type': 'string', 'enum': ['none', 'auto']},
]})
create_v237['properties']['server']['required'].append('networks')
create_v242 = types.extended(create_v237, _S, networks={'oneOf': [
    {'type': 'array', 'items': dict(_uuid_network, properties=dict(
        _uuid_network['properties'], tag=types.tag))},
    {'type': 'string', 'enum': ['none', 'auto']},
]})
create_v252 = types.extended(create_v242, _S, tags=types.tags)
create_v257 = types.without(create_v252, _S, 'personality')
create_v263 = types.extended(create_v257, _S, trusted_image_certificates=types.trusted_certs)
create_v274 = types.extended(create_v263, _S, host=types.name, hypervisor_hostname=types.name)
create_v290 = types.extended(create_v274, _S, hostname=types.hostname)
create_v294 = types.extended(create_v290, _S, hostname=types.fqdn)

update = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'OS-DCF:diskConfig': types.disk_config,
                'accessIPv4': types.accessIPv4,
                'accessIPv6': types.accessIPv6,
            },
            'additionalProperties': False,
        },
    },
    'required': ['server'],
    'additionalProperties': False,
}
update_v219 = types.extended(update, _S, description=types.description)
update_v290 = types.extended(update_v219, _S, hostname=types.hostname)
update_v294 = types.extended(update_v290, _S, hostname=types.fqdn)

# ------------------------------------------------------------------ GET /servers
_string = {'type': 'string'}
_many = types.multi_params(_string)
# what any project member may filter by; the rest needs allow_all_filters
USER_FILTERS = ('reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since',
                'all_tenants')
USER_FILTERS_V25 = USER_FILTERS + ('ip6',)
USER_FILTERS_V226 = USER_FILTERS_V25 + ('tags', 'tags-any', 'not-tags', 'not-tags-any')
USER_FILTERS_V266 = USER_FILTERS_V226 + ('changes-before',)
USER_FILTERS_V273 = USER_FILTERS_V266 + ('locked',)
USER_FILTERS_V283 = USER_FILTERS_V273 + (
    'availability_zone', 'config_drive', 'key_name', 'created_at', 'launched_at',
    'terminated_at', 'power_state', 'task_state', 'vm_state', 'progress', 'user_id')

SORT_KEYS = ['access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone',
             'config_drive', 'created_at', 'display_description', 'display_name', 'host',
             'hostname', 'image_ref', 'instance_type_id', 'kernel_id', 'key_name',
             'launch_index', 'launched_at', 'locked_by', 'node', 'power_state', 'progress',
             'project_id', 'ramdisk_id', 'root_device_name', 'task_state', 'terminated_at',
             'updated_at', 'user_id', 'uuid', 'vm_state']
# accepted but ignored, as Nova ignores them ('locked' sorts from 2.73)
IGNORED_SORT_KEYS = ['architecture', 'cell_name', 'cleaned', 'default_ephemeral_device',
                     'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate',
                     'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on',
                     'locked', 'memory_mb', 'os_type', 'reservation_id', 'root_gb',
                     'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode']
ADMIN_SORT_KEYS = ('host', 'node')

query = {
    'type': 'object',
    'properties': {
        'user_id': _many, 'project_id': _many, 'tenant_id': _many, 'launch_index': _many,
        'image_ref': _many, 'image': _many, 'kernel_id': _many, 'ramdisk_id': _many,
        'hostname': _many, 'key_name': _many, 'power_state': _many, 'vm_state': _many,
        'task_state': _many, 'host': _many, 'node': _many, 'flavor': _many,
        'reservation_id': _many, 'launched_at': _many, 'terminated_at': _many,
        'availability_zone': _many, 'name': _many, 'display_name': _many,
        'description': _many, 'display_description': _many, 'locked_by': _many,
        'uuid': _many, 'root_device_name': _many, 'config_drive': _many,
        'access_ip_v4': _many, 'access_ip_v6': _many, 'auto_disk_config': _many,
        'progress': _many, 'sort_key': types.multi_params(
            {'type': 'string', 'enum': SORT_KEYS + IGNORED_SORT_KEYS}),
        'sort_dir': types.multi_params({'type': 'string', 'enum': ['asc', 'desc']}),
        'all_tenants': _many, 'soft_deleted': _many, 'deleted': _many, 'status': _many,
        'changes-since': types.multi_params({'type': 'string', 'format': 'date-time'}),
        'ip': _many, 'ip6': _many, 'created_at': _many, 'block_device_mapping': _many,
        'services': _many, 'metadata': _many, 'system_metadata': _many, 'info_cache': _many,
        'security_groups': _many, 'pci_devices': _many, 'limit': _many, 'marker': _many,
    },
    'additionalProperties': True,  # before 2.75 unknown parameters are ignored
}
query_v226 = types.extended(query, (), **{
    'tags': _many, 'tags-any': _many, 'not-tags': _many, 'not-tags-any': _many})
query_v266 = types.extended(query_v226, (), **{
    'changes-before': types.multi_params({'type': 'string', 'format': 'date-time'})})
query_v273 = types.extended(query_v266, (), locked=_many)
query_v275 = dict(query_v273, additionalProperties=False)
