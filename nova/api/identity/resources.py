"""Read calls clients make after login: projects, users, domains, roles.

Administrators (the admin role in the token's project) see everything; other
users see themselves and the projects they have a role on.
"""
from nova import context as nova_context
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.auth import manager


def _listing(req, key, items, path):
    return faults.json_response({key: items, 'links': faults.links(req, path)})


def list_projects(req):
    """GET /v3/projects[?name=]: all for administrators, else the caller's own."""
    info = faults.caller(req)
    ctxt = nova_context.get_admin_context()
    name = req.GET.get('name')
    if faults.is_admin(info):
        found = manager.list_projects(ctxt, name=name)
    else:
        found = [p for p in manager.list_user_projects(ctxt, info.user_id)
                 if name is None or p.name == name]
    return _listing(req, 'projects', [views.project(req, p) for p in found], '/v3/projects')


def show_project(req, project_id):
    info = faults.caller(req)
    ctxt = nova_context.get_admin_context()
    project = manager.get_project(ctxt, project_id)
    if not faults.is_admin(info) and not manager.get_roles(ctxt, info.user_id, project.id):
        raise faults.forbidden('identity:get_project')
    return faults.json_response({'project': views.project(req, project)})


def list_users(req):
    """GET /v3/users[?name=]: administrators only."""
    info = faults.caller(req)
    if not faults.is_admin(info):
        raise faults.forbidden('identity:list_users')
    name = req.GET.get('name')
    found = [u for u in manager.list_users(nova_context.get_admin_context())
             if name is None or u.name == name]
    return _listing(req, 'users', [views.user(req, u) for u in found], '/v3/users')


def _own_or_admin(req, user_id, action):
    info = faults.caller(req)
    if info.user_id != user_id and not faults.is_admin(info):
        raise faults.forbidden(action)
    return manager.get_user(nova_context.get_admin_context(), user_id)


def show_user(req, user_id):
    user = _own_or_admin(req, user_id, 'identity:get_user')
    return faults.json_response({'user': views.user(req, user)})


def list_user_projects(req, user_id):
    """GET /v3/users/{id}/projects: the projects a user has a role on."""
    user = _own_or_admin(req, user_id, 'identity:list_user_projects')
    found = manager.list_user_projects(nova_context.get_admin_context(), user.id)
    return _listing(req, 'projects', [views.project(req, p) for p in found],
                    '/v3/users/%s/projects' % user.id)


def list_domains(req):
    """GET /v3/domains[?name=]: the one Default domain."""
    faults.caller(req)
    name = req.GET.get('name')
    found = [views.domain(req)] if name in (None, views.DOMAIN_NAME) else []
    return _listing(req, 'domains', found, '/v3/domains')


def show_domain(req, domain_id):
    faults.caller(req)
    if domain_id != views.DOMAIN_ID:
        raise exception.NotFound('Could not find domain: %s.' % domain_id)
    return faults.json_response({'domain': views.domain(req)})


def list_roles(req):
    """GET /v3/roles[?name=]."""
    faults.caller(req)
    name = req.GET.get('name')
    found = [r for r in manager.list_roles(nova_context.get_admin_context())
             if name is None or r.name == name]
    return _listing(req, 'roles', [views.role(req, r) for r in found], '/v3/roles')
