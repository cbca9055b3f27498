"""Identity API: the Keystone v3 subset that the OpenStack clients log in with.

Served by nova-api on port 5000 (--identity_listen_port). Tokens, users and
projects come from nova.auth; errors are Keystone's JSON error bodies.
"""
import re

import webob.dec

from nova.api.identity import faults
from nova.api.identity import resources
from nova.api.identity import tokens
from nova.api.identity import versions

ROUTES = [
    ('GET', '/', versions.root),
    ('GET', '/v3', versions.v3),
    ('POST', '/v3/auth/tokens', tokens.issue),
    ('GET', '/v3/auth/tokens', tokens.validate),
    ('DELETE', '/v3/auth/tokens', tokens.revoke),
    ('GET', '/v3/auth/catalog', tokens.catalog),
    ('GET', '/v3/auth/projects', tokens.projects),
    ('GET', '/v3/projects', resources.list_projects),
    ('GET', '/v3/projects/{project_id}', resources.show_project),
    ('GET', '/v3/users', resources.list_users),
    ('GET', '/v3/users/{user_id}', resources.show_user),
    ('GET', '/v3/users/{user_id}/projects', resources.list_user_projects),
    ('GET', '/v3/domains', resources.list_domains),
    ('GET', '/v3/domains/{domain_id}', resources.show_domain),
    ('GET', '/v3/roles', resources.list_roles),
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
                return faults.error_response(req, 404, 'The resource could not be found.')
            allowed = sorted(set(methods) | ({'HEAD'} if 'GET' in methods else set()))
            return faults.error_response(req, 405, 'The method is not allowed.',
                                         {'Allow': ', '.join(allowed)})
        handler, params = methods[method]
        try:
            response = handler(req, **params)
        except Exception as e:
            response = faults.from_exception(req, e)
        if req.method == 'HEAD':
            response.body = b''
        return response
