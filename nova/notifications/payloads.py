"""Payloads as versioned objects: what a consumer of a notification reads.

Each payload is ``{"nova_object.name", "nova_object.namespace",
"nova_object.version", "nova_object.data"}`` as Nova's versioned
notifications carry them: a consumer checks name and major version before
reading the fields. A field is added with a minor version bump; a field is
never removed or changed in meaning without a major one. Times are ISO 8601
UTC with a trailing Z; absent values are null, never invented.
"""
from nova.compute import power_state

NAMESPACE = 'nova'


def versioned(name, version, data):
    return {'nova_object.name': name, 'nova_object.namespace': NAMESPACE,
            'nova_object.version': version, 'nova_object.data': data}


def _time(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.replace(microsecond=0).isoformat() + 'Z'


def flavor_payload(instance):
    """FlavorPayload 1.0: the flavor the instance runs with (its own copy)."""
    flavor = ((getattr(instance, 'flavor', None) or {}).get('cur')) or {}
    return versioned('FlavorPayload', '1.0', {
        'flavorid': flavor.get('flavorid'), 'name': flavor.get('name'),
        'memory_mb': instance.memory_mb, 'vcpus': instance.vcpus,
        'root_gb': instance.root_gb, 'ephemeral_gb': instance.ephemeral_gb,
        'swap': flavor.get('swap'), 'rxtx_factor': flavor.get('rxtx_factor'),
        'is_public': flavor.get('is_public'), 'extra_specs': flavor.get('extra_specs') or {}})


def _instance_data(instance, overrides):
    data = {
        'uuid': instance.uuid, 'user_id': instance.user_id,
        'tenant_id': instance.project_id, 'reservation_id': instance.reservation_id,
        'display_name': instance.display_name,
        'display_description': instance.display_description,
        'host_name': instance.hostname, 'host': instance.host, 'node': instance.node,
        'os_type': instance.os_type, 'architecture': instance.architecture,
        'availability_zone': instance.availability_zone,
        'flavor': flavor_payload(instance), 'image_uuid': instance.image_ref,
        'key_name': instance.key_name, 'kernel_id': instance.kernel_id,
        'ramdisk_id': instance.ramdisk_id,
        'created_at': _time(instance.created_at), 'launched_at': _time(instance.launched_at),
        'terminated_at': _time(instance.terminated_at),
        'deleted_at': _time(instance.deleted_at), 'updated_at': _time(instance.updated_at),
        'state': instance.vm_state, 'task_state': instance.task_state,
        'power_state': power_state.STATE_MAP.get(instance.power_state or 0, 'pending'),
        'progress': instance.progress, 'locked': bool(instance.locked),
        'auto_disk_config': 'AUTO' if instance.auto_disk_config else 'MANUAL',
        'metadata': dict(getattr(instance, 'metadata_dict', None) or {}),
    }
    for key, value in overrides.items():
        data[key] = _time(value) if key.endswith('_at') else value
    return data


def instance_action(instance, fault=None, **overrides):
    """InstanceActionPayload 1.0: an instance at one step of an action; ``fault``
    (an exception) says why the action failed."""
    data = _instance_data(instance, overrides)
    data['fault'] = None if fault is None else versioned('ExceptionPayload', '1.0', {
        'exception': type(fault).__name__, 'exception_message': str(fault)})
    return versioned('InstanceActionPayload', '1.0', data)


def instance_exists(instance, begin, end, **overrides):
    """InstanceExistsPayload 1.0: the instance lived on this host during the audit
    period [begin, end] (what usage billing counts)."""
    data = _instance_data(instance, overrides)
    data['audit_period'] = versioned('AuditPeriodPayload', '1.0', {
        'audit_period_beginning': _time(begin), 'audit_period_ending': _time(end)})
    return versioned('InstanceExistsPayload', '1.0', data)
