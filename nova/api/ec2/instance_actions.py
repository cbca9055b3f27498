"""Actions on named instances: terminate, reboot, stop, start, console output,
and their attributes.

As on AWS, stopping a stopped (or stopping) instance and starting a running
one succeed without doing anything; the compute API refuses every other
state it does not allow (IncorrectInstanceState).
"""
import base64
import time

import eventlet

from nova import context as nova_context
from nova import utils
from nova.api.ec2 import faults, ids
from nova.api.ec2 import instance_views as views
from nova.api.ec2.actions import action
from nova.api.ec2.instances import get_flavor, requested_instances
from nova.compute import vm_states
from nova.i18n import _

RESIZE_WAIT_SECONDS = 120  # a stopped instance's disk is copied on a real hypervisor


def _instances(call):
    ec2_ids = list(dict.fromkeys(call.params.strings('InstanceId')))  # each one once
    if not ec2_ids:
        raise faults.missing('InstanceId')
    return ec2_ids, requested_instances(call, ec2_ids)


def _reread(call, instance):
    """The instance as it is now, deleted or not."""
    context = nova_context.RequestContext.from_dict(
        dict(call.context.to_dict(), read_deleted='yes'), overwrite=False)
    return call.apis.compute.get(context, instance.uuid)


def _state_changes(call, method, skip):
    """Run method on each instance (unless its state is in skip); previous/current states."""
    ec2_ids, instances = _instances(call)
    by_uuid = {i.uuid: i for i in instances}
    changes = []
    for ec2_id in ec2_ids:
        instance = by_uuid[ids.instance_uuid(call.context, ec2_id)]
        before = views.state(instance)
        if before not in skip:
            getattr(call.apis.compute, method)(call.context, instance)
            instance = _reread(call, instance)
        changes.append({'instanceId': ec2_id,
                        'currentState': views.state_xml(views.state(instance)),
                        'previousState': views.state_xml(before)})
    return {'instancesSet': changes}


@action('TerminateInstances', 'os_compute_api:servers:delete')
def terminate_instances(call):
    return _state_changes(call, 'delete', (views.TERMINATED, views.SHUTTING_DOWN))


@action('StopInstances', 'os_compute_api:servers:stop')
def stop_instances(call):
    return _state_changes(call, 'stop', (views.STOPPED, views.STOPPING))


@action('StartInstances', 'os_compute_api:servers:start')
def start_instances(call):
    return _state_changes(call, 'start', (views.RUNNING, views.PENDING))


@action('RebootInstances', 'os_compute_api:servers:reboot')
def reboot_instances(call):
    for instance in _instances(call)[1]:
        call.apis.compute.reboot(call.context, instance, 'SOFT')
    return {'return': True}


def _one_instance(call):
    ec2_id = call.params.required('InstanceId')
    return ec2_id, requested_instances(call, [ec2_id])[0]


@action('GetConsoleOutput', 'os_compute_api:os-console-output')
def get_console_output(call):
    ec2_id, instance = _one_instance(call)
    output = call.apis.compute.get_console_output(call.context, instance)
    if isinstance(output, str):
        output = output.encode('utf-8', 'replace')
    return {'instanceId': ec2_id, 'timestamp': utils.utcnow(),
            'output': base64.b64encode(output or b'').decode('ascii')}


# attribute -> its value for an instance row
ATTRIBUTES = {
    'instanceType': views.instance_type,
    'kernel': lambda i: i.kernel_id,
    'ramdisk': lambda i: i.ramdisk_id,
    'userData': lambda i: i.user_data,
    'disableApiTermination': lambda i: bool(i.disable_terminate),
    'instanceInitiatedShutdownBehavior': lambda i: 'terminate' if i.shutdown_terminate
    else 'stop',
    'rootDeviceName': lambda i: i.root_device_name or '/dev/vda',
    # what this cloud's instances are without the features AWS names
    'ebsOptimized': lambda i: False,
    'enaSupport': lambda i: False,
    'sourceDestCheck': lambda i: True,
    'disableApiStop': lambda i: False,
}
LIST_ATTRIBUTES = ('blockDeviceMapping', 'productCodes')
ID_ATTRIBUTES = {'kernel': 'aki', 'ramdisk': 'ari'}


@action('DescribeInstanceAttribute', 'os_compute_api:servers:show')
def describe_instance_attribute(call):
    ec2_id, instance = _one_instance(call)
    name = call.params.required('Attribute')
    body = {'instanceId': ec2_id}
    if name == 'groupSet':
        body['groupSet'] = views.Renderer(call, [instance]).group_set(instance)
    elif name in LIST_ATTRIBUTES:
        body[name] = []
    elif name in ATTRIBUTES:
        value = ATTRIBUTES[name](instance)
        if name in ID_ATTRIBUTES:
            value = ids.ec2_id(call.context, ID_ATTRIBUTES[name], value)
        body[name] = {'value': value} if value is not None else {}
    else:
        raise faults.invalid_value('Attribute', name, _('Unknown instance attribute.'))
    return body


def _wait_until(call, instance, done, what):
    """The instance once done(instance); an error if its task ends otherwise (or hangs)."""
    deadline = time.monotonic() + RESIZE_WAIT_SECONDS
    while True:
        instance = _reread(call, instance)
        if done(instance):
            return instance
        if instance.task_state is None or instance.vm_state == vm_states.ERROR or \
                instance.deleted:
            raise faults.Ec2Error('IncorrectInstanceState', _('The instance failed to %s.')
                                  % what)
        if time.monotonic() > deadline:
            raise faults.Ec2Error('IncorrectState', _('The instance did not %s within %ds; '
                                    'it goes on in the background.') % (what,
                                                                     RESIZE_WAIT_SECONDS))
        eventlet.sleep(0.1)


def _change_type(call, instance, flavor):
    """EC2 changes the type in place, with no confirm step: resize, then confirm."""
    compute = call.apis.compute
    compute.resize(call.context, instance, flavor)
    instance = _wait_until(call, instance, lambda i: i.vm_state == vm_states.RESIZED and
                           i.task_state is None, 'change its type')
    compute.confirm_resize(call.context, instance)
    _wait_until(call, instance, lambda i: i.vm_state == vm_states.STOPPED and
                i.task_state is None, 'confirm its new type')


@action('ModifyInstanceAttribute', 'os_compute_api:servers:resize')
def modify_instance_attribute(call):
    """instanceType only: a resize (and its confirmation) of a stopped instance."""
    _ec2_id, instance = _one_instance(call)
    params = call.params
    new_type = params.get('InstanceType.Value')
    if new_type is None and params.get('Attribute') == 'instanceType':
        new_type = params.get('Value')
    if new_type is None:
        raise faults.unsupported(_('Only the instanceType attribute can be modified.'))
    if views.state(instance) != views.STOPPED or instance.vm_state != vm_states.STOPPED:
        raise faults.Ec2Error('IncorrectInstanceState', _('The instance must be stopped to '
                                'change its instance type.'))
    _change_type(call, instance, get_flavor(call.context, new_type))
    return {'return': True}
