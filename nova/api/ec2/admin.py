"""Admin actions of classic Nova's EC2 admin API, behind the admin role: the
compute hosts (DescribeHosts) and, read-only, the users and projects."""
from nova.api.ec2 import filters
from nova.api.ec2.actions import ADMIN, action
from nova.auth import manager


@action('DescribeHosts', ADMIN)
def describe_hosts(call):
    services = call.apis.hosts.service_get_all(call.context, binary='nova-compute')
    hosts = [{'hostId': svc.host, 'availabilityZone': zone,
              'state': 'available' if is_up and not svc.disabled else
              'under-assessment' if is_up else 'permanent-failure'}
             for svc, zone, is_up in services]
    names = call.params.strings('HostId')
    match = filters.matcher(call.params.filters(), {
        'availability-zone': lambda h: h['availabilityZone'], 'state': lambda h: h['state']})
    return {'hostSet': [h for h in hosts if match(h) and (not names or h['hostId'] in names)]}


@action('DescribeUsers', ADMIN)
def describe_users(call):
    return {'userSet': [{'userId': u.id, 'userName': u.name, 'enabled': u.enabled,
                         'email': u.email} for u in manager.list_users(call.context)]}


@action('DescribeProjects', ADMIN)
def describe_projects(call):
    return {'projectSet': [{'projectId': p.id, 'projectName': p.name,
                            'description': p.description, 'enabled': p.enabled}
                           for p in manager.list_projects(call.context)]}
