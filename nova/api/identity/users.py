"""/v3/users: administrators create, change and delete users; a user reads itself,
lists its projects and changes its own password."""
from nova import context as nova_context
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.auth import manager
from nova.i18n import _

PASSWORD_MAX = 4096


def _admin():
    return nova_context.get_admin_context()


def _password(fields, key='password', required=False):
    value = fields.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > PASSWORD_MAX:
        raise exception.Invalid(reason=_('%s must be a non-empty string of at most %d '
                                  'characters') % (key, PASSWORD_MAX))
    return value


def _body(req, required_name):
    fields = faults.entity(faults.body_json(req), 'user')
    faults.check_domain(fields)
    project_ref = fields.get('default_project_id')
    if project_ref is not None and not isinstance(project_ref, str):
        raise exception.Invalid(reason=_('default_project_id must be a string'))
    return {'name': faults.text(fields, 'name', required=required_name),
            'password': _password(fields),
            'email': faults.text(fields, 'email', blank=True),
            'description': faults.text(fields, 'description', maximum=65535, blank=True),
            'enabled': faults.boolean(fields, 'enabled'),
            'default_project_id': project_ref}


def _show(req, user, status=200):
    return faults.json_response({'user': views.user(req, user)}, status)


def _saved(write, *args, **kwargs):
    """A user write; its missing default project is the body's fault: 400, not 404."""
    try:
        return write(_admin(), *args, **kwargs)
    except exception.ProjectNotFound as e:
        raise exception.Invalid(reason=_('default_project_id: %s') % e.format_message()) from e


def list_users(req):
    """GET /v3/users[?name=&domain_id=&enabled=]: administrators only."""
    faults.authorize(req, 'identity:list_users')
    name = req.GET.get('name')
    found = [u for u in manager.list_users(_admin()) if name is None or u.name == name]
    if req.GET.get('domain_id', views.DOMAIN_ID) != views.DOMAIN_ID:
        found = []
    if 'enabled' in req.GET:
        enabled = req.GET['enabled'].lower() not in ('0', 'false', 'no', 'off')
        found = [u for u in found if u.enabled == enabled]
    return faults.listing(req, 'users', [views.user(req, u) for u in found], '/v3/users')


def show_user(req, user_id):
    faults.authorize(req, 'identity:get_user', {'user_id': user_id})
    return _show(req, manager.get_user(_admin(), user_id))


def create_user(req):
    """POST /v3/users: 201; a taken name is 409, an unknown default project 400."""
    faults.authorize(req, 'identity:create_user')
    values = _body(req, required_name=True)
    values['enabled'] = values['enabled'] is not False
    return _show(req, _saved(manager.create_user, **values), 201)


def update_user(req, user_id):
    """PATCH /v3/users/{id}: a new password or disabling revokes the user's tokens."""
    faults.authorize(req, 'identity:update_user')
    values = _body(req, required_name=False)
    manager.get_user(_admin(), user_id)  # an unknown user is 404 before its project is 400
    return _show(req, _saved(manager.update_user, user_id, **values))


def delete_user(req, user_id):
    """DELETE /v3/users/{id}: 204, with its role assignments, credentials and tokens."""
    faults.authorize(req, 'identity:delete_user')
    manager.delete_user(_admin(), user_id)
    return faults.empty_response(204)


def change_password(req, user_id):
    """POST /v3/users/{id}/password: the user's own; a wrong original password is 401."""
    faults.authorize(req, 'identity:change_password', {'user_id': user_id})
    fields = faults.entity(faults.body_json(req), 'user')
    manager.change_password(user_id, _password(fields, 'original_password', required=True),
                            _password(fields, required=True))
    return faults.empty_response(204)


def list_user_projects(req, user_id):
    """GET /v3/users/{id}/projects: the projects a user has a role on."""
    faults.authorize(req, 'identity:list_user_projects', {'user_id': user_id})
    user = manager.get_user(_admin(), user_id)
    found = manager.list_user_projects(_admin(), user.id)
    return faults.listing(req, 'projects', [views.project(req, p) for p in found],
                          '/v3/users/%s/projects' % user.id)
