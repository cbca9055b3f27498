"""Request schemas of POST /servers/{id}/action, one per action and version."""
import copy

from nova.api.openstack import parameter_types as types


def _action(name, body, required=True):
    return {'type': 'object', 'properties': {name: body}, 'required': [name] if required else [],
            'additionalProperties': False}


def _no_args(name):
    """An action without arguments: {"name": null} (or an empty object)."""
    return _action(name, {'oneOf': [{'type': 'null'},
                                    {'type': 'object', 'maxProperties': 0}]})


def _object(properties, required=(), nullable=False):
    schema = {'type': ['object', 'null'] if nullable else 'object', 'properties': properties,
              'additionalProperties': False}
    if required:
        schema['required'] = list(required)
    return schema


reboot = _action('reboot', _object({'type': {
    'type': 'string', 'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}}, ['type']))
stop, start = _no_args('os-stop'), _no_args('os-start')
pause, unpause = _no_args('pause'), _no_args('unpause')
suspend, resume = _no_args('suspend'), _no_args('resume')
unrescue = _no_args('unrescue')
force_delete, restore = _no_args('forceDelete'), _no_args('restore')
confirm_resize, revert_resize = _no_args('confirmResize'), _no_args('revertResize')
shelve, shelve_offload = _no_args('shelve'), _no_args('shelveOffload')
unlock = _no_args('unlock')
unshelve = _no_args('unshelve')
migrate = _no_args('migrate')

rescue = _action('rescue', _object({'adminPass': types.admin_password,
                                    'rescue_image_ref': types.image_id}, nullable=True))

lock = _action('lock', {'type': ['object', 'null']})
lock_v273 = _action('lock', _object({'locked_reason': {
    'type': 'string', 'minLength': 1, 'maxLength': 255}}, nullable=True))

console_output = _action('os-getConsoleOutput', _object({'length': {
    'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$', 'minimum': -1}}))

resize = _action('resize', _object({'flavorRef': types.flavor_ref,
                                    'OS-DCF:diskConfig': types.disk_config}, ['flavorRef']))

create_image = _action('createImage', _object({'name': types.name,
                                               'metadata': types.metadata}, ['name']))
create_backup = _action('createBackup', _object({
    'name': types.name, 'backup_type': {'type': 'string'},
    'rotation': types.non_negative_integer, 'metadata': types.metadata,
}, ['name', 'backup_type', 'rotation']))

migrate_v256 = _action('migrate', _object({'host': {'type': ['string', 'null']}},
                                          nullable=True))

_host = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}
migrate_live = _action('os-migrateLive', _object({
    'block_migration': types.boolean, 'disk_over_commit': types.boolean, 'host': _host,
}, ['block_migration', 'disk_over_commit', 'host']))
_auto = {'oneOf': [types.boolean, {'type': 'string', 'enum': ['auto']}]}
migrate_live_v225 = _action('os-migrateLive', _object(
    {'block_migration': _auto, 'host': _host}, ['block_migration', 'host']))
migrate_live_v230 = _action('os-migrateLive', _object(
    {'block_migration': _auto, 'host': _host, 'force': types.boolean},
    ['block_migration', 'host']))

evacuate = _action('evacuate', _object({
    'host': types.hostname, 'onSharedStorage': types.boolean,
    'adminPass': types.admin_password}, ['onSharedStorage']))
evacuate_v214 = _action('evacuate', _object({
    'host': types.hostname, 'adminPass': types.admin_password}))
evacuate_v229 = _action('evacuate', _object({
    'host': types.hostname, 'adminPass': types.admin_password, 'force': types.boolean}))
trigger_crash_dump = _action('trigger_crash_dump', {'type': 'null'})

unshelve_v277 = _action('unshelve', _object({'availability_zone': types.name},
                                            nullable=True))
unshelve_v291 = _action('unshelve', _object({
    'availability_zone': {'oneOf': [types.name, {'type': 'null'}]},
    'host': types.hostname}, nullable=True))

_rebuild = {
    'name': types.name, 'imageRef': types.image_id, 'adminPass': types.admin_password,
    'metadata': types.metadata, 'preserve_ephemeral': types.boolean,
    'OS-DCF:diskConfig': types.disk_config, 'accessIPv4': types.accessIPv4,
    'accessIPv6': types.accessIPv6, 'personality': types.personality,
}


def _rebuild_schema(**changes):
    properties = copy.deepcopy(_rebuild)
    for key, value in changes.items():
        if value is None:
            properties.pop(key)
        else:
            properties[key] = value
    return _action('rebuild', _object(properties, ['imageRef']))


_key_name = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}
_v257 = {'description': types.description, 'key_name': _key_name,
         'user_data': types.user_data_or_null, 'personality': None}
_v263 = dict(_v257, trusted_image_certificates=types.trusted_certs)

rebuild = _rebuild_schema()
rebuild_v219 = _rebuild_schema(description=types.description)
rebuild_v254 = _rebuild_schema(description=types.description, key_name=_key_name)
rebuild_v257 = _rebuild_schema(**_v257)
rebuild_v263 = _rebuild_schema(**_v263)
rebuild_v290 = _rebuild_schema(**_v263, hostname=types.hostname)
rebuild_v294 = _rebuild_schema(**_v263, hostname=types.fqdn)


def security_group_action(name):
    """addSecurityGroup / removeSecurityGroup: {"name": group name}."""
    return _action(name, _object({'name': {'type': 'string', 'minLength': 1,
                                           'maxLength': 255}}, ['name']))

# administrators' actions and the guest's password
reset_state = _action('os-resetState', _object(
    {'state': {'type': 'string', 'enum': ['active', 'error']}}, ['state']))
inject_network_info = _no_args('injectNetworkInfo')
reset_network = _no_args('resetNetwork')
change_password = _action('changePassword', _object({'adminPass': types.admin_password},
                                                    ['adminPass']))
