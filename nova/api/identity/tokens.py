"""/v3/auth/tokens (issue, validate, revoke) and what a token gives access to."""
from nova import context as nova_context
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.auth import endpoints
from nova.auth import manager
from nova.auth import tokens
from nova.i18n import _


def _dict(parent, key, where):
    value = parent.get(key)
    if not isinstance(value, dict):
        raise exception.Invalid(reason=_('expecting to find %s in %s') % (key, where))
    return value


def _check_domain(ref, what):
    """Only the Default domain exists: another one names nothing."""
    domain = ref.get('domain')
    if domain is None:
        return True
    if not isinstance(domain, dict):
        raise exception.Invalid(reason=_('%s.domain must be an object') % what)
    if 'id' in domain:
        return str(domain['id']).lower() == views.DOMAIN_ID
    if 'name' in domain:
        return str(domain['name']).lower() == views.DOMAIN_NAME.lower()
    raise exception.Invalid(reason=_('%s.domain needs an id or a name') % what)


def _password_user(identity):
    user = _dict(_dict(identity, 'password', 'identity'), 'user', 'password')
    ref = user.get('id') or user.get('name')
    if not ref or not isinstance(ref, str):
        raise exception.Invalid(reason=_('password.user needs an id or a name'))
    password = user.get('password')
    if not isinstance(password, str):
        raise exception.Invalid(reason=_('password.user.password must be a string'))
    if not _check_domain(user, 'password.user'):
        raise exception.AuthenticationFailed()
    return manager.authenticate(ref, password)


def _token_user(identity):
    token = _dict(identity, 'token', 'identity').get('id')
    info = tokens.validate(token) if isinstance(token, str) else None
    if info is None:
        raise exception.InvalidToken()
    return manager.get_user(nova_context.get_admin_context(), info.user_id)


def _scope_project(auth, user):
    """The Project row to scope to, or None for an unscoped token."""
    scope = auth.get('scope')
    ctxt = nova_context.get_admin_context()
    if scope is None or scope == 'unscoped':
        if scope is None and user.default_project_id:
            try:
                project = manager.get_project(ctxt, user.default_project_id)
            except exception.ProjectNotFound:
                return None
            if project.enabled and manager.get_roles(ctxt, user.id, project.id):
                return project
        return None
    if not isinstance(scope, dict) or 'project' not in scope:
        raise exception.Invalid(reason=_('only project scope is supported'))
    ref = _dict(scope, 'project', 'scope')
    project_id, name = ref.get('id'), ref.get('name')
    if not project_id and not name:
        raise exception.Invalid(reason=_('scope.project needs an id or a name'))
    try:
        if project_id:
            return manager.get_project(ctxt, str(project_id))
        if not _check_domain(ref, 'scope.project'):
            raise exception.ProjectNotFound(project_id=name)
        return manager.get_project_by_name(ctxt, str(name))
    except exception.ProjectNotFound as e:
        raise exception.NotAuthenticated(e.format_message())


def issue(req):
    """POST /v3/auth/tokens: 201, the token in X-Subject-Token and its body."""
    auth = _dict(faults.body_json(req), 'auth', 'the request body')
    identity = _dict(auth, 'identity', 'auth')
    methods = identity.get('methods')
    if not isinstance(methods, list) or not methods:
        raise exception.Invalid(reason=_('identity.methods must be a non-empty list'))
    if 'password' in methods:
        user = _password_user(identity)
    elif 'token' in methods:
        user = _token_user(identity)
    else:
        raise exception.NotAuthenticated(
            'Attempted to authenticate with an unsupported method.')
    token, info = tokens.issue(user, _scope_project(auth, user),
                               methods=[m for m in methods if m in ('password', 'token')])
    body = views.token(info, endpoints.request_host(req.host),
                       catalog='nocatalog' not in req.GET)
    return faults.json_response(body, 201, {'X-Subject-Token': token})


def _subject(req):
    """(caller, subject token string, subject TokenInfo) for validate and revoke."""
    info = faults.caller(req)
    token = req.headers.get('X-Subject-Token')
    subject = tokens.validate(token)
    if subject is None:
        raise exception.TokenNotFound()
    if subject.user_id != info.user_id and not faults.is_admin(info):
        raise faults.forbidden('identity:validate_token')
    return token, subject


def validate(req):
    """GET /v3/auth/tokens (HEAD too): the subject token's body."""
    token, subject = _subject(req)
    body = views.token(subject, endpoints.request_host(req.host),
                       catalog='nocatalog' not in req.GET)
    return faults.json_response(body, 200, {'X-Subject-Token': token})


def revoke(req):
    """DELETE /v3/auth/tokens: 204."""
    token, _subject_info = _subject(req)
    tokens.revoke(token)
    return faults.empty_response(204)


def catalog(req):
    """GET /v3/auth/catalog: the service catalog of a project-scoped token."""
    info = faults.caller(req)
    if not info.scoped:
        raise exception.Forbidden(_('A project-scoped token is required to list the catalog.'))
    return faults.json_response({
        'catalog': endpoints.catalog(endpoints.request_host(req.host), info.project_id),
        'links': faults.links(req, '/v3/auth/catalog')})


def projects(req):
    """GET /v3/auth/projects: the projects the caller may scope to."""
    info = faults.caller(req)
    found = manager.list_user_projects(nova_context.get_admin_context(), info.user_id)
    return faults.json_response({
        'projects': [views.project(req, p) for p in found if p.enabled],
        'links': faults.links(req, '/v3/auth/projects')})
