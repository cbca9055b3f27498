"""/v3/roles, role grants on projects and /v3/role_assignments.

Roles are global (no domain-specific roles). A grant is one role of one user
on one project; only project grants exist (no domain, system or group ones),
so asking for those lists nothing.
"""
from nova import context as nova_context
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.auth import manager
from nova.auth import roles as auth_roles


def _admin():
    return nova_context.get_admin_context()


# ------------------------------------------------------------------- roles

def list_roles(req):
    """GET /v3/roles[?name=]."""
    faults.authorize(req, 'identity:list_roles')
    name = req.GET.get('name')
    found = [r for r in manager.list_roles(_admin()) if name is None or r.name == name]
    return faults.listing(req, 'roles', [views.role(req, r) for r in found], '/v3/roles')


def show_role(req, role_id):
    faults.authorize(req, 'identity:get_role')
    return faults.json_response({'role': views.role(req, manager.get_role(_admin(), role_id))})


def create_role(req):
    """POST /v3/roles: 201; a taken name is 409."""
    faults.authorize(req, 'identity:create_role')
    fields = faults.entity(faults.body_json(req), 'role')
    if fields.get('domain_id') is not None:
        faults.check_domain({'domain_id': None})
    role = manager.create_role(_admin(), faults.text(fields, 'name', required=True))
    return faults.json_response({'role': views.role(req, role)}, 201)


def delete_role(req, role_id):
    """DELETE /v3/roles/{id}: 204 with its assignments; built-in roles are 403."""
    faults.authorize(req, 'identity:delete_role')
    manager.delete_role(_admin(), role_id)
    return faults.empty_response(204)


# ------------------------------------------------------------------ grants

def _grant_parts(project_id, user_id, role_id=None):
    """(project, user, role) rows of a grant URL; 404 naming the first unknown one."""
    ctxt = _admin()
    project = manager.get_project(ctxt, project_id)
    user = manager.get_user(ctxt, user_id)
    role = manager.get_role(ctxt, role_id) if role_id is not None else None
    return project, user, role


def list_grants(req, project_id, user_id):
    """GET /v3/projects/{p}/users/{u}/roles: the roles assigned (not the implied ones)."""
    faults.authorize(req, 'identity:list_grants')
    project, user, _role = _grant_parts(project_id, user_id)
    found = manager.get_roles(_admin(), user.id, project.id)
    return faults.listing(req, 'roles', [views.role(req, r) for r in found],
                          '/v3/projects/%s/users/%s/roles' % (project.id, user.id))


def grant(req, project_id, user_id, role_id):
    """PUT /v3/projects/{p}/users/{u}/roles/{r}: 204 (granting twice changes nothing)."""
    faults.authorize(req, 'identity:create_grant')
    project, user, role = _grant_parts(project_id, user_id, role_id)
    manager.add_role(_admin(), user.id, project.id, role.name)
    return faults.empty_response(204)


def check_grant(req, project_id, user_id, role_id):
    """GET/HEAD of a grant: 204 when assigned, else 404."""
    faults.authorize(req, 'identity:check_grant')
    project, user, role = _grant_parts(project_id, user_id, role_id)
    if role.id not in {r.id for r in manager.get_roles(_admin(), user.id, project.id)}:
        raise exception.RoleAssignmentNotFound(
            user_id=user.id, project_id=project.id, role_id=role.id)
    return faults.empty_response(204)


def revoke(req, project_id, user_id, role_id):
    """DELETE of a grant: 204; the user's tokens on the project are revoked; 404 if absent."""
    faults.authorize(req, 'identity:revoke_grant')
    project, user, role = _grant_parts(project_id, user_id, role_id)
    manager.remove_role(_admin(), user.id, project.id, role.name)
    return faults.empty_response(204)


# --------------------------------------------------------- role assignments

_UNSERVED_SCOPES = ('scope.domain.id', 'scope.system', 'group.id',
                    'scope.OS-INHERIT:inherited_to')


def list_role_assignments(req):
    """GET /v3/role_assignments: filters user.id, scope.project.id, role.id; effective
    adds the implied roles; include_names adds names. Administrators see all, a user
    its own (user.id=self)."""
    user_id = req.GET.get('user.id')
    faults.authorize(req, 'identity:list_role_assignments', {'user_id': user_id})
    if any(key in req.GET for key in _UNSERVED_SCOPES):
        rows = []  # only project grants of users exist
    else:
        rows = manager.list_role_assignments(_admin(), user_id=user_id,
                                             project_id=req.GET.get('scope.project.id'),
                                             role_id=None)
        if 'effective' in req.GET:
            rows = _with_implied(rows)
        if req.GET.get('role.id'):
            rows = [row for row in rows if row[0].role_id == req.GET['role.id']]
    names = req.GET.get('include_names', 'false').lower() not in ('0', 'false', 'no', 'off')
    return faults.listing(req, 'role_assignments',
                          [views.role_assignment(req, row, names) for row in rows],
                          '/v3/role_assignments')


def _with_implied(rows):
    """The assignments plus one for each role an assigned role implies, as Keystone's
    effective listing shows them."""
    roles = {r.name: r for r in manager.list_roles(_admin())}
    found, seen = [], set()
    for grant_row, user_name, project_name, role_name in rows:
        for name in auth_roles.effective_roles([role_name]):
            key = (grant_row.user_id, grant_row.project_id, name)
            if key in seen or name not in roles:
                continue
            seen.add(key)
            implied = views.Grant(grant_row.user_id, grant_row.project_id, roles[name].id)
            found.append((implied, user_name, project_name, name))
    return found
