"""What an instance looks like to EC2: its state (name and code), its item in
DescribeInstances/RunInstances, and reservations of instances.

States come from vm_state and task_state: pending 0, running 16,
shutting-down 32, terminated 48, stopping 64, stopped 80. EC2 knows no
paused, suspended, shelved or error instance: those are 'stopped' (with a
stateReason saying which), rescued and resized ones keep the state they had.
Tags are the instance's metadata (key=value), as EC2 tags are.
"""
from nova.api.ec2 import ids
from nova.compute import hosts as compute_hosts
from nova.compute import task_states, vm_states
from nova.monitor import api as monitor_api
from nova.network import api as network_api
from nova.network import model as network_model

PENDING, RUNNING, SHUTTING_DOWN = ('pending', 0), ('running', 16), ('shutting-down', 32)
TERMINATED, STOPPING, STOPPED = ('terminated', 48), ('stopping', 64), ('stopped', 80)
STATES = dict((PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED))

_BY_VM_STATE = {
    vm_states.BUILDING: PENDING, vm_states.ACTIVE: RUNNING, vm_states.RESCUED: RUNNING,
    vm_states.STOPPED: STOPPED, vm_states.PAUSED: STOPPED, vm_states.SUSPENDED: STOPPED,
    vm_states.SHELVED: STOPPED, vm_states.SHELVED_OFFLOADED: STOPPED,
    vm_states.ERROR: STOPPED, vm_states.SOFT_DELETED: TERMINATED,
    vm_states.DELETED: TERMINATED,
}
_BY_TASK_STATE = {
    task_states.DELETING: SHUTTING_DOWN, task_states.SOFT_DELETING: SHUTTING_DOWN,
    task_states.POWERING_OFF: STOPPING, task_states.SHELVING: STOPPING,
    task_states.POWERING_ON: PENDING, task_states.UNSHELVING: PENDING,
    task_states.RESTORING: PENDING,
}
_REASONS = {
    vm_states.ERROR: ('Server.InternalError', 'Server.InternalError: the instance failed'),
    vm_states.PAUSED: ('Client.UserInitiatedShutdown', 'Client.UserInitiatedShutdown: paused'),
    vm_states.SUSPENDED: ('Client.UserInitiatedShutdown',
                          'Client.UserInitiatedShutdown: suspended'),
}


def state(instance):
    """(name, code) of an instance row."""
    if instance.deleted:
        return TERMINATED
    if instance.task_state in _BY_TASK_STATE:
        return _BY_TASK_STATE[instance.task_state]
    if instance.vm_state == vm_states.RESIZED:
        old = (instance.system_metadata or {}).get('old_vm_state')
        return STOPPED if old == vm_states.STOPPED else RUNNING
    return _BY_VM_STATE.get(instance.vm_state, PENDING)


def state_xml(pair):
    return {'code': pair[1], 'name': pair[0]}


def instance_type(instance):
    return ((instance.flavor or {}).get('cur') or {}).get('name')


zone = compute_hosts.instance_zone


def host_zones(context):
    return compute_hosts.host_zones(context.elevated())


def tags_of(instance):
    return instance.metadata_dict


def tag_set(tags):
    return [{'key': key, 'value': value} for key, value in sorted(tags.items())]


class Renderer:
    """Items for a batch of instances, with their EC2 ids made in a few queries."""

    def __init__(self, call, instances):
        ctx = call.context
        self.instance_ids = ids.ec2_ids(ctx, 'i', [i.uuid for i in instances])
        self.image_ids = ids.ec2_ids(ctx, 'ami', [i.image_ref for i in instances])
        self.kernel_ids = ids.ec2_ids(ctx, 'aki', [i.kernel_id for i in instances])
        self.ramdisk_ids = ids.ec2_ids(ctx, 'ari', [i.ramdisk_id for i in instances])
        groups = {g.name: g for g in call.apis.security_groups.list(call.context)}
        self.group_ids = ids.ec2_ids(ctx, 'sg', [g.uuid for g in groups.values()])
        self.groups = {name: g.uuid for name, g in groups.items()}
        self.host_zones = host_zones(ctx)
        self.network_info = network_api.API().get_instances_nw_info(
            ctx, [i.uuid for i in instances])
        self.block_devices = call.apis.compute.volume_mappings(ctx, instances)
        self.volume_ids = ids.ec2_ids(ctx, 'vol', [b.volume_id for bdms in
                                                   self.block_devices.values()
                                                   for b in bdms])

    def private_ip(self, instance):
        """The first fixed IPv4 address (or the access address set by hand)."""
        fixed = network_model.fixed_ips(self.network_info.get(instance.uuid), version=4)
        return fixed[0] if fixed else instance.access_ip_v4

    def public_ip(self, instance):
        """The first floating IP, if the instance has one."""
        floating = network_model.floating_ips(self.network_info.get(instance.uuid))
        return floating[0] if floating else None

    def zone(self, instance):
        return zone(instance, self.host_zones)

    def block_device_mapping(self, instance):
        """The instance's EBS volumes, each with its device and attachment."""
        return [{'deviceName': b.device_name, 'ebs': {
            'volumeId': self.volume_ids.get(b.volume_id),
            'status': 'attached' if b.connection_info else 'attaching',
            'attachTime': b.created_at, 'deleteOnTermination': bool(b.delete_on_termination)}}
            for b in self.block_devices.get(instance.uuid, ())]

    def group_set(self, instance):
        return [{'groupId': self.group_ids.get(self.groups.get(name)), 'groupName': name}
                for name in instance.security_groups or []]

    def item(self, instance):
        name, code = state(instance)
        reason = _REASONS.get(instance.vm_state)
        return {
            'instanceId': self.instance_ids[instance.uuid],
            'imageId': self.image_ids.get(instance.image_ref),
            'instanceState': {'code': code, 'name': name},
            'privateDnsName': instance.hostname or '',
            'dnsName': self.public_ip(instance) or '',
            'reason': reason[1] if reason and name == 'stopped' else '',
            'keyName': instance.key_name,
            'amiLaunchIndex': instance.launch_index or 0,
            'productCodes': [],
            'instanceType': instance_type(instance),
            'launchTime': instance.launched_at or instance.created_at,
            'placement': {'availabilityZone': self.zone(instance),
                          'groupName': '', 'tenancy': 'default'},
            'kernelId': self.kernel_ids.get(instance.kernel_id),
            'ramdiskId': self.ramdisk_ids.get(instance.ramdisk_id),
            'monitoring': {'state': monitor_api.monitoring_state(instance)},
            'privateIpAddress': self.private_ip(instance),
            'ipAddress': self.public_ip(instance),
            'groupSet': self.group_set(instance),
            'stateReason': {'code': reason[0], 'message': reason[1]}
            if reason and name == 'stopped' else None,
            'architecture': instance.architecture,
            'rootDeviceType': 'ebs' if any(b.boot_index == 0 for b in self.block_devices.get(
                instance.uuid, ())) else 'instance-store',
            'rootDeviceName': instance.root_device_name or '/dev/vda',
            'blockDeviceMapping': self.block_device_mapping(instance),
            'virtualizationType': 'hvm',
            'tagSet': tag_set(tags_of(instance)),
            'hypervisor': 'xen',
            'ebsOptimized': False,
        }

    def reservations(self, instances):
        """Reservation items: instances grouped by reservation id, in first-seen order."""
        grouped = {}
        for instance in instances:
            grouped.setdefault(instance.reservation_id, []).append(instance)
        return [self.reservation(members) for members in grouped.values()]

    def reservation(self, members):
        return {'reservationId': members[0].reservation_id,
                'ownerId': members[0].project_id,
                'groupSet': self.group_set(members[0]),
                'instancesSet': [self.item(i) for i in members]}

