"""XenAPI's object model, the part Nova's XenAPI driver touches: classes, fields, refs.

Field types follow the XenAPI reference and its XML-RPC mapping: ``int`` is
64-bit and travels as a string of decimal digits, ``float`` as <double>,
``datetime`` as dateTime.iso8601, refs as opaque strings (``OpaqueRef:<uuid>``,
``OpaqueRef:NULL`` for none), sets as arrays, maps as structs with string keys.
Each field has XAPI's qualifier: RO_RUN (the server keeps it), RO_INS (given to
``create``, read-only after) or RW (``set_<field>``; maps also
``add_to_<field>``/``remove_from_<field>``).
"""
import datetime
import uuid
import xmlrpc.client

from tests.harness.xapi.errors import XapiError

NULL = 'OpaqueRef:NULL'
RO_RUN, RO_INS, RW = 'RO_RUN', 'RO_INS', 'RW'

def _f(kind, access=RW, default=None):
    return (kind, access, default)


def _common(**fields):
    return dict({'uuid': _f('string', RO_RUN, ''), 'other_config': _f('map', RW, {})},
                **fields)


VM_POWER_STATES = ('Halted', 'Paused', 'Running', 'Suspended')
ON_NORMAL_EXIT = ('destroy', 'restart')
ON_CRASH = ('destroy', 'coredump_and_destroy', 'restart', 'coredump_and_restart',
            'preserve', 'rename_restart')
VDI_TYPES = ('system', 'user', 'ephemeral', 'suspend', 'crashdump', 'ha_statefile',
             'metadata', 'redo_log', 'rrd', 'pvs_cache', 'cbt_metadata')
TASK_STATUSES = ('pending', 'success', 'failure', 'cancelling', 'cancelled')

CLASSES = {
    'pool': _common(
        name_label=_f('string'), name_description=_f('string'),
        master=_f('ref:host', RO_RUN, NULL), default_SR=_f('ref:SR', RW, NULL),
        suspend_image_SR=_f('ref:SR', RW, NULL)),
    'host': _common(
        name_label=_f('string'), name_description=_f('string'),
        hostname=_f('string', RO_RUN, ''), address=_f('string', RO_RUN, ''),
        API_version_major=_f('int', RO_RUN, 2), API_version_minor=_f('int', RO_RUN, 21),
        API_version_vendor=_f('string', RO_RUN, 'XenSource'),
        software_version=_f('map', RO_RUN, {}), cpu_info=_f('map', RO_RUN, {}),
        host_CPUs=_f('set:ref:host_cpu', RO_RUN, []), metrics=_f('ref:host_metrics', RO_RUN, NULL),
        resident_VMs=_f('set:ref:VM', RO_RUN, []), PBDs=_f('set:ref:PBD', RO_RUN, []),
        enabled=_f('bool', RO_RUN, True), memory_overhead=_f('int', RO_RUN, 0)),
    'host_metrics': _common(
        memory_total=_f('int', RO_RUN, 0), memory_free=_f('int', RO_RUN, 0),
        live=_f('bool', RO_RUN, True), last_updated=_f('datetime', RO_RUN, None)),
    'host_cpu': _common(
        host=_f('ref:host', RO_RUN, NULL), number=_f('int', RO_RUN, 0),
        vendor=_f('string', RO_RUN, ''), speed=_f('int', RO_RUN, 0),
        modelname=_f('string', RO_RUN, ''), family=_f('int', RO_RUN, 0),
        model=_f('int', RO_RUN, 0), flags=_f('string', RO_RUN, ''),
        utilisation=_f('float', RO_RUN, 0.0)),
    'VM': _common(
        power_state=_f('enum:' + '|'.join(VM_POWER_STATES), RO_RUN, 'Halted'),
        name_label=_f('string'), name_description=_f('string', RW, ''),
        user_version=_f('int', RW, 1), is_a_template=_f('bool', RW, False),
        is_a_snapshot=_f('bool', RO_RUN, False), snapshot_of=_f('ref:VM', RO_RUN, NULL),
        snapshots=_f('set:ref:VM', RO_RUN, []), suspend_VDI=_f('ref:VDI', RO_RUN, NULL),
        resident_on=_f('ref:host', RO_RUN, NULL), affinity=_f('ref:host', RW, NULL),
        memory_overhead=_f('int', RO_RUN, 0),
        memory_static_max=_f('int'), memory_dynamic_max=_f('int'),
        memory_dynamic_min=_f('int'), memory_static_min=_f('int'),
        VCPUs_params=_f('map', RW, {}), VCPUs_max=_f('int'), VCPUs_at_startup=_f('int'),
        actions_after_shutdown=_f('enum:' + '|'.join(ON_NORMAL_EXIT), RW, 'destroy'),
        actions_after_reboot=_f('enum:' + '|'.join(ON_NORMAL_EXIT), RW, 'restart'),
        actions_after_crash=_f('enum:' + '|'.join(ON_CRASH), RW, 'destroy'),
        consoles=_f('set:ref:console', RO_RUN, []), VIFs=_f('set:ref:VIF', RO_RUN, []),
        VBDs=_f('set:ref:VBD', RO_RUN, []),
        PV_bootloader=_f('string', RW, ''), PV_kernel=_f('string', RW, ''),
        PV_ramdisk=_f('string', RW, ''), PV_args=_f('string', RW, ''),
        PV_bootloader_args=_f('string', RW, ''), PV_legacy_args=_f('string', RW, ''),
        HVM_boot_policy=_f('string', RW, ''), HVM_boot_params=_f('map', RW, {}),
        HVM_shadow_multiplier=_f('float', RW, 1.0), platform=_f('map', RW, {}),
        PCI_bus=_f('string', RW, ''), domid=_f('int', RO_RUN, -1),
        domarch=_f('string', RO_RUN, ''), is_control_domain=_f('bool', RO_RUN, False),
        metrics=_f('ref:VM_metrics', RO_RUN, NULL),
        guest_metrics=_f('ref:VM_guest_metrics', RO_RUN, NULL),
        recommendations=_f('string', RW, ''), xenstore_data=_f('map', RW, {}),
        blocked_operations=_f('map', RW, {}), tags=_f('set:string', RW, [])),
    'VM_metrics': _common(
        memory_actual=_f('int', RO_RUN, 0), VCPUs_number=_f('int', RO_RUN, 0),
        VCPUs_utilisation=_f('fmap', RO_RUN, {}), start_time=_f('datetime', RO_RUN, None),
        install_time=_f('datetime', RO_RUN, None), last_updated=_f('datetime', RO_RUN, None),
        state=_f('set:string', RO_RUN, [])),
    'VM_guest_metrics': _common(
        os_version=_f('map', RO_RUN, {}), PV_drivers_version=_f('map', RO_RUN, {}),
        PV_drivers_up_to_date=_f('bool', RO_RUN, True), memory=_f('map', RO_RUN, {}),
        disks=_f('map', RO_RUN, {}), networks=_f('map', RO_RUN, {}),
        other=_f('map', RO_RUN, {}), last_updated=_f('datetime', RO_RUN, None),
        live=_f('bool', RO_RUN, True)),
    'VBD': _common(
        VM=_f('ref:VM', RO_INS), VDI=_f('ref:VDI', RO_INS, NULL),
        device=_f('string', RO_RUN, ''), userdevice=_f('string'),
        bootable=_f('bool', RW, False), mode=_f('enum:RO|RW', RW, 'RW'),
        type=_f('enum:CD|Disk|Floppy', RW, 'Disk'), unpluggable=_f('bool', RW, True),
        storage_lock=_f('bool', RO_RUN, False), empty=_f('bool', RO_INS, False),
        currently_attached=_f('bool', RO_RUN, False), status_code=_f('int', RO_RUN, 0),
        status_detail=_f('string', RO_RUN, ''), runtime_properties=_f('map', RO_RUN, {}),
        qos_algorithm_type=_f('string', RW, ''), qos_algorithm_params=_f('map', RW, {}),
        qos_supported_algorithms=_f('set:string', RO_RUN, [])),
    'VDI': _common(
        name_label=_f('string'), name_description=_f('string', RW, ''),
        SR=_f('ref:SR', RO_INS), VBDs=_f('set:ref:VBD', RO_RUN, []),
        virtual_size=_f('int', RO_INS), physical_utilisation=_f('int', RO_RUN, 0),
        type=_f('enum:' + '|'.join(VDI_TYPES), RO_INS),
        sharable=_f('bool', RO_INS, False), read_only=_f('bool', RO_INS, False),
        storage_lock=_f('bool', RO_RUN, False), location=_f('string', RO_RUN, ''),
        managed=_f('bool', RO_RUN, True), missing=_f('bool', RO_RUN, False),
        xenstore_data=_f('map', RO_INS, {}), sm_config=_f('map', RO_INS, {}),
        is_a_snapshot=_f('bool', RO_RUN, False), snapshot_of=_f('ref:VDI', RO_RUN, NULL),
        snapshots=_f('set:ref:VDI', RO_RUN, []), snapshot_time=_f('datetime', RO_RUN, None),
        tags=_f('set:string', RW, [])),
    'VIF': _common(
        device=_f('string', RO_INS), network=_f('ref:network', RO_INS), VM=_f('ref:VM', RO_INS),
        MAC=_f('string', RO_INS, ''), MTU=_f('int', RO_INS, 1500),
        currently_attached=_f('bool', RO_RUN, False), status_code=_f('int', RO_RUN, 0),
        status_detail=_f('string', RO_RUN, ''), runtime_properties=_f('map', RO_RUN, {}),
        qos_algorithm_type=_f('string', RW, ''), qos_algorithm_params=_f('map', RW, {}),
        MAC_autogenerated=_f('bool', RO_RUN, False),
        locking_mode=_f('enum:network_default|locked|unlocked|disabled', RW,
                        'network_default')),
    'network': _common(
        name_label=_f('string'), name_description=_f('string', RW, ''),
        VIFs=_f('set:ref:VIF', RO_RUN, []), PIFs=_f('set:ref:PIF', RO_RUN, []),
        MTU=_f('int', RW, 1500), bridge=_f('string', RO_INS, ''),
        managed=_f('bool', RO_INS, True), tags=_f('set:string', RW, [])),
    'SR': _common(
        name_label=_f('string'), name_description=_f('string', RW, ''),
        VDIs=_f('set:ref:VDI', RO_RUN, []), PBDs=_f('set:ref:PBD', RO_RUN, []),
        virtual_allocation=_f('int', RO_RUN, 0), physical_utilisation=_f('int', RO_RUN, 0),
        physical_size=_f('int', RO_RUN, 0), type=_f('string', RO_RUN, ''),
        content_type=_f('string', RO_RUN, ''), shared=_f('bool', RW, False),
        sm_config=_f('map', RW, {}), tags=_f('set:string', RW, [])),
    'PBD': _common(
        host=_f('ref:host', RO_INS), SR=_f('ref:SR', RO_INS),
        device_config=_f('map', RO_INS, {}), currently_attached=_f('bool', RO_RUN, False)),
    'task': _common(
        name_label=_f('string', RO_RUN, ''), name_description=_f('string', RO_RUN, ''),
        created=_f('datetime', RO_RUN, None), finished=_f('datetime', RO_RUN, None),
        status=_f('enum:' + '|'.join(TASK_STATUSES), RO_RUN, 'pending'),
        resident_on=_f('ref:host', RO_RUN, NULL), progress=_f('float', RO_RUN, 0.0),
        type=_f('string', RO_RUN, ''), result=_f('string', RO_RUN, ''),
        error_info=_f('set:string', RO_RUN, []), subtask_of=_f('ref:task', RO_RUN, NULL)),
}

# the classes whose records a client creates with <Class>.create(record)
CREATABLE = ('VM', 'VBD', 'VDI', 'VIF', 'network', 'PBD')


def new_ref():
    return 'OpaqueRef:%s' % uuid.uuid4()


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def wire_datetime(value):
    stamp = (value or datetime.datetime(1970, 1, 1)).strftime('%Y%m%dT%H:%M:%SZ')
    return xmlrpc.client.DateTime(stamp)


def to_wire(kind, value):
    """A field's value as XenAPI sends it over XML-RPC."""
    if kind == 'int':
        return str(int(value))
    if kind == 'datetime':
        return wire_datetime(value)
    if kind == 'fmap':  # map (int -> float), e.g. VCPUs_utilisation
        return {str(k): float(v) for k, v in value.items()}
    if kind == 'map':
        return dict(value)
    if kind.startswith('set:'):
        return list(value)
    return value


def record_to_wire(cls, record):
    fields = CLASSES[cls]
    return {name: to_wire(fields[name][0], record[name]) for name in fields}


def from_wire(cls, name, kind, value):
    """A client-given value of field ``name`` checked against its type (FIELD_TYPE_ERROR)."""
    def bad():
        return XapiError('FIELD_TYPE_ERROR', name)
    if kind == 'int':
        if isinstance(value, str) and value.lstrip('-').isdigit():
            return int(value)
        raise bad()
    if kind == 'float':
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise bad()
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        raise bad()
    if kind in ('map', 'fmap'):
        if isinstance(value, dict) and all(isinstance(k, str) for k in value) and (
                kind == 'fmap' or all(isinstance(v, str) for v in value.values())):
            return dict(value)
        raise bad()
    if kind.startswith('set:'):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise bad()
    if kind.startswith('enum:'):
        if value in kind[5:].split('|'):
            return value
        raise XapiError('INVALID_VALUE', name, str(value))
    if not isinstance(value, str):  # string, ref
        raise bad()
    return value


_EMPTY = {'string': '', 'int': 0, 'float': 0.0, 'bool': False, 'map': {}, 'fmap': {}}


def objects_null(kind):
    if kind.startswith('ref:'):
        return NULL
    if kind.startswith('set:'):
        return []
    if kind.startswith('enum:'):
        return kind[5:].split('|')[0]
    return None


def default_record(cls):
    record = {}
    for name, (kind, _access, default) in CLASSES[cls].items():
        if isinstance(default, (dict, list)):
            default = type(default)(default)
        if default is None:  # a field create() requires: its type's empty value meanwhile
            default = _EMPTY.get(kind, objects_null(kind))
        record[name] = default
    return record
