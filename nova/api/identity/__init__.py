"""Identity API: the Keystone v3 subset that the OpenStack clients log in with.

Served by nova-api on port 5000 (--identity_listen_port). Tokens, users,
projects, roles and their grants come from nova.auth (the store nova-manage
uses); who may change them is policy (identity:* rules: administrators);
errors are Keystone's JSON error bodies.
"""
import re

import webob.dec

from nova.api.identity import domains
from nova.api.identity import faults
from nova.api.identity import projects
from nova.api.identity import roles
from nova.api.identity import tokens
from nova.api.identity import users
from nova.api.identity import versions
from nova.i18n import _

_GRANT = '/v3/projects/{project_id}/users/{user_id}/roles/{role_id}'

ROUTES = [
    ('GET', '/', versions.root),
    ('GET', '/v3', versions.v3),
    ('POST', '/v3/auth/tokens', tokens.issue),
    ('GET', '/v3/auth/tokens', tokens.validate),
    ('DELETE', '/v3/auth/tokens', tokens.revoke),
    ('GET', '/v3/auth/catalog', tokens.catalog),
    ('GET', '/v3/auth/projects', tokens.projects),
    ('GET', '/v3/projects', projects.list_projects),
    ('POST', '/v3/projects', projects.create_project),
    ('GET', '/v3/projects/{project_id}', projects.show_project),
    ('PATCH', '/v3/projects/{project_id}', projects.update_project),
    ('DELETE', '/v3/projects/{project_id}', projects.delete_project),
    ('GET', '/v3/projects/{project_id}/users/{user_id}/roles', roles.list_grants),
    ('PUT', _GRANT, roles.grant),
    ('GET', _GRANT, roles.check_grant),
    ('DELETE', _GRANT, roles.revoke),
    ('GET', '/v3/users', users.list_users),
    ('POST', '/v3/users', users.create_user),
    ('GET', '/v3/users/{user_id}', users.show_user),
    ('PATCH', '/v3/users/{user_id}', users.update_user),
    ('DELETE', '/v3/users/{user_id}', users.delete_user),
    ('POST', '/v3/users/{user_id}/password', users.change_password),
    ('GET', '/v3/users/{user_id}/projects', users.list_user_projects),
    ('GET', '/v3/domains', domains.list_domains),
    ('GET', '/v3/domains/{domain_id}', domains.show_domain),
    ('GET', '/v3/roles', roles.list_roles),
    ('POST', '/v3/roles', roles.create_role),
    ('GET', '/v3/roles/{role_id}', roles.show_role),
    ('DELETE', '/v3/roles/{role_id}', roles.delete_role),
    ('GET', '/v3/role_assignments', roles.list_role_assignments),
]


def _compile(template):
    return re.compile('^%s$' % re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template))


class IdentityApp:
    """Dispatches a request to its handler; HEAD is GET without the body."""

    def __init__(self):
        self.routes = [(method, _compile(template), handler)
                       for method, template, handler in ROUTES]

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    def _match(self, path):
        """{method: (handler, params)} of the routes matching path."""
        found = {}
        for method, pattern, handler in self.routes:
            match = pattern.match(path)
            if match:
                found[method] = (handler, match.groupdict())
        return found

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip('/') or '/'
        methods = self._match(path)
        method = 'GET' if req.method == 'HEAD' else req.method
        if method not in methods:
            if not methods:
                return faults.error_response(req, 404, _('The resource could not be found.'))
            allowed = sorted(set(methods) | ({'HEAD'} if 'GET' in methods else set()))
            return faults.error_response(req, 405, _('The method is not allowed.'),
                                         {'Allow': ', '.join(allowed)})
        handler, params = methods[method]
        try:
            response = handler(req, **params)
        except Exception as e:
            response = faults.from_exception(req, e)
        if req.method == 'HEAD':
            response.body = b''
        return response
