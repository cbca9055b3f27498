"""EC2 MonitorInstances / UnmonitorInstances: switch the instance monitor's sampling
of the named instances (their Monitoring.State in DescribeInstances).

As on AWS the answer shows the transition (pending, disabling); the switch
itself is immediate, so DescribeInstances shows enabled or disabled at once.
"""
from nova.api.ec2 import faults
from nova.api.ec2.actions import MEMBER, action
from nova.api.ec2.instances import requested_instances


def _switch(call, enabled):
    ec2_ids = list(dict.fromkeys(call.params.strings('InstanceId')))
    if not ec2_ids:
        raise faults.missing('InstanceId')
    instances = requested_instances(call, ec2_ids)
    call.apis.monitor.set_monitoring(call.context, [i.uuid for i in instances], enabled)
    state = 'pending' if enabled else 'disabling'
    return {'instancesSet': [{'instanceId': ec2_id, 'monitoring': {'state': state}}
                             for ec2_id in ec2_ids]}


@action('MonitorInstances', MEMBER)
def monitor_instances(call):
    return _switch(call, True)


@action('UnmonitorInstances', MEMBER)
def unmonitor_instances(call):
    return _switch(call, False)
