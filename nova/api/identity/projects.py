"""/v3/projects: administrators create, change and delete projects; members read
the projects their token is scoped to (GET /v3/projects lists a non-admin's own).

A project's resources (instances, images, volumes) are not touched when it is
deleted, as with Keystone: the services keep them for an administrator.
"""
from nova import context as nova_context
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.auth import manager
from nova.i18n import _

_FIELDS = ('name', 'description', 'domain_id', 'enabled', 'parent_id', 'is_domain', 'tags',
           'options')


def _admin():
    return nova_context.get_admin_context()


def _body(req, required_name):
    fields = faults.entity(faults.body_json(req), 'project')
    faults.check_domain(fields)
    faults.check_domain(fields, 'parent_id')  # projects sit directly in the Default domain
    if fields.get('is_domain'):
        raise exception.Invalid(reason=_('projects acting as domains are not supported'))
    return {'name': faults.text(fields, 'name', required=required_name, maximum=64),
            'description': faults.text(fields, 'description', maximum=65535, blank=True),
            'enabled': faults.boolean(fields, 'enabled')}


def _show(req, project, status=200):
    return faults.json_response({'project': views.project(req, project)}, status)


def list_projects(req):
    """GET /v3/projects[?name=&domain_id=&enabled=]: all for administrators, else the
    caller's own."""
    info = faults.caller(req)
    name = req.GET.get('name')
    if faults.allowed(info, 'identity:list_projects', {}):
        found = manager.list_projects(_admin(), name=name)
    else:
        found = [p for p in manager.list_user_projects(_admin(), info.user_id)
                 if name is None or p.name == name]
    if req.GET.get('domain_id', views.DOMAIN_ID) != views.DOMAIN_ID:
        found = []
    if 'enabled' in req.GET:
        enabled = req.GET['enabled'].lower() not in ('0', 'false', 'no', 'off')
        found = [p for p in found if p.enabled == enabled]
    return faults.listing(req, 'projects', [views.project(req, p) for p in found],
                          '/v3/projects')


def show_project(req, project_id):
    """GET /v3/projects/{id}: an unknown id is 404 before policy is asked (clients look
    a name up as an id first)."""
    faults.caller(req)
    project = manager.get_project(_admin(), project_id)
    faults.authorize(req, 'identity:get_project', {'project_id': project.id})
    return _show(req, project)


def create_project(req):
    """POST /v3/projects: 201; a taken name is 409."""
    faults.authorize(req, 'identity:create_project')
    values = _body(req, required_name=True)
    project = manager.create_project(_admin(), values['name'], values['description'],
                                     enabled=values['enabled'] is not False)
    return _show(req, project, 201)


def update_project(req, project_id):
    """PATCH /v3/projects/{id}: name, description, enabled (disabling revokes its tokens)."""
    faults.authorize(req, 'identity:update_project')
    values = _body(req, required_name=False)
    project = manager.update_project(_admin(), project_id, **values)
    return _show(req, project)


def delete_project(req, project_id):
    """DELETE /v3/projects/{id}: 204, with its role assignments and tokens."""
    faults.authorize(req, 'identity:delete_project')
    manager.delete_project(_admin(), project_id)
    return faults.empty_response(204)
