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


def _times(values):
    return {key: _time(value) if key.endswith('_at') else value
            for key, value in values.items()}


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
    data.update(_times(overrides))
    return data


def instance_action(instance, fault=None, **overrides):
    """InstanceActionPayload 1.0: an instance at one step of an action; ``fault``
    (an exception) says why the action failed."""
    data = _instance_data(instance, overrides)
    data['fault'] = _fault(fault)
    return versioned('InstanceActionPayload', '1.0', data)


def instance_exists(instance, begin, end, **overrides):
    """InstanceExistsPayload 1.0: the instance lived on this host during the audit
    period [begin, end] (what usage billing counts)."""
    data = _instance_data(instance, overrides)
    data['audit_period'] = versioned('AuditPeriodPayload', '1.0', {
        'audit_period_beginning': _time(begin), 'audit_period_ending': _time(end)})
    return versioned('InstanceExistsPayload', '1.0', data)


def _fault(fault):
    return None if fault is None else versioned('ExceptionPayload', '1.0', {
        'exception': type(fault).__name__, 'exception_message': str(fault)})


def volume(row, fault=None, **overrides):
    """VolumePayload 1.0: a volume at one step of an operation on it."""
    data = {
        'volume_id': row.uuid, 'display_name': row.display_name,
        'display_description': row.display_description, 'size': row.size,
        'status': row.status, 'attach_status': row.attach_status,
        'tenant_id': row.project_id, 'user_id': row.user_id,
        'availability_zone': row.availability_zone, 'host': row.host,
        'volume_type_id': row.volume_type_id, 'snapshot_id': row.snapshot_id,
        'source_volid': row.source_volid, 'image_id': row.image_id,
        'created_at': _time(row.created_at), 'launched_at': _time(row.launched_at),
        'fault': _fault(fault)}
    data.update(_times(overrides))
    return versioned('VolumePayload', '1.0', data)


def snapshot(row, fault=None, **overrides):
    """SnapshotPayload 1.0: a volume snapshot at one step of an operation on it."""
    data = {
        'snapshot_id': row.uuid, 'volume_id': row.volume_id, 'volume_size': row.volume_size,
        'display_name': row.display_name, 'display_description': row.display_description,
        'status': row.status, 'tenant_id': row.project_id, 'user_id': row.user_id,
        'created_at': _time(row.created_at), 'fault': _fault(fault)}
    data.update(_times(overrides))
    return versioned('SnapshotPayload', '1.0', data)


def image(image_dict, fault=None):
    """ImagePayload 1.0: an image (as the image service returns it) after a change."""
    data = {key: image_dict.get(key) for key in (
        'id', 'name', 'status', 'visibility', 'owner', 'size', 'disk_format',
        'container_format', 'checksum', 'min_disk', 'min_ram', 'protected')}
    data.update(created_at=_time(image_dict.get('created_at')),
                updated_at=_time(image_dict.get('updated_at')),
                properties=dict(image_dict.get('properties') or {}), fault=_fault(fault))
    return versioned('ImagePayload', '1.0', data)
