"""Admin actions of classic Nova's EC2 admin API, behind the admin role: the
compute hosts (DescribeHosts), users and projects (describe, register,
deregister) and project membership, all through the auth manager.

Users and projects are named by name or id, as nova-manage names them.
Registered users have no password: they act with EC2 credentials
(nova-manage credentials create) or get one from nova-manage user modify.
"""
from nova import exception
from nova.api.ec2 import faults, filters
from nova.api.ec2.actions import ADMIN, action
from nova.auth import manager
from nova.i18n import _


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


# ----------------------------------------------------------------------- users

def _user_item(user):
    return {'username': user.name, 'userId': user.id, 'email': user.email,
            'enabled': user.enabled}


def _user(call, name='Name'):
    return manager.find_user(call.context, call.params.required(name))


@action('DescribeUsers', ADMIN)
def describe_users(call):
    return {'userSet': [_user_item(u) for u in manager.list_users(call.context)]}


@action('DescribeUser', ADMIN)
def describe_user(call):
    return _user_item(_user(call))


@action('RegisterUser', ADMIN)
def register_user(call):
    return _user_item(manager.create_user(call.context, call.params.required('Name'),
                                          email=call.params.get('Email')))


@action('DeregisterUser', ADMIN)
def deregister_user(call):
    manager.delete_user(call.context, _user(call).id)
    return {'return': True}


# -------------------------------------------------------------------- projects

def _project_item(project, manager_id=None):
    return {'projectname': project.name, 'projectId': project.id,
            'projectManagerId': manager_id, 'description': project.description,
            'enabled': project.enabled}


def _project(call, name='Name'):
    return manager.find_project(call.context, call.params.required(name))


@action('DescribeProjects', ADMIN)
def describe_projects(call):
    return {'projectSet': [_project_item(p) for p in manager.list_projects(call.context)]}


@action('DescribeProject', ADMIN)
def describe_project(call):
    return _project_item(_project(call))


@action('RegisterProject', ADMIN)
def register_project(call):
    """A project whose manager (and members) get the member role; all or nothing."""
    context, params = call.context, call.params
    users = [manager.find_user(context, params.required('ManagerUser'))] + [
        manager.find_user(context, name) for name in params.strings('MemberUsers')]
    project = manager.create_project(context, params.required('Name'),
                                     params.get('Description'))
    try:
        for user in users:
            manager.add_user_to_project(context, user.id, project.id)
    except BaseException:
        manager.delete_project(context, project.id)
        raise
    return _project_item(project, users[0].id)


@action('DeregisterProject', ADMIN)
def deregister_project(call):
    manager.delete_project(call.context, _project(call).id)
    return {'return': True}


@action('ModifyProjectMember', ADMIN)
def modify_project_member(call):
    """Operation add (the member role) or remove (every role on the project)."""
    user, project = _user(call, 'User'), _project(call, 'Project')
    operation = call.params.required('Operation')
    if operation == 'add':
        manager.add_user_to_project(call.context, user.id, project.id)
    elif operation == 'remove':
        try:
            manager.remove_user_from_project(call.context, user.id, project.id)
        except exception.RoleAssignmentNotFound:
            raise faults.invalid_value('User', user.name, _('The user is not a member of '
                                         'project %s.') % project.name) from None
    else:
        raise faults.invalid_value('Operation', operation, _('add or remove is expected.'))
    return {'return': True}
