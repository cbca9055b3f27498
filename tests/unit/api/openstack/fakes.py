"""An in-process osapi_compute app with a filter that sets the caller's context."""
import json

import webob
import webob.dec

from nova import context as nova_context
from nova.api import middleware
from nova.api.openstack import faults
from nova.api.openstack import microversion
from nova.api.openstack import ratelimit
from nova.api.openstack import router
from nova.api.openstack.compute import routes
from nova.auth import roles as auth_roles

CONTEXT_HEADER = 'X-Test-Context'  # user:project:role1,role2


class ContextFilter(middleware.Middleware):
    """Stands in for the auth filter: the context comes from a test header."""

    @webob.dec.wsgify
    def __call__(self, req):
        user, project, roles = req.headers[CONTEXT_HEADER].split(':')
        req.environ['nova.context'] = nova_context.RequestContext(
            user_id=user, project_id=project,
            roles=auth_roles.effective_roles(roles.split(',')), overwrite=False)
        return self.application


def build_app():
    """faultwrap -> test context -> ratelimit -> microversion -> router, as
    api-paste.ini chains them."""
    app = router.APIRouter(routes.route_table())
    app = microversion.MicroversionMiddleware(app)
    app = ratelimit.RateLimitingMiddleware(app)
    app = ContextFilter(app)
    return faults.FaultWrapper(app)


class Client:
    """Requests to the app as one caller (webob responses: .status_int, .json)."""

    def __init__(self, app, user='alice', project='proj-a', roles='member', version=None,
                 prefix='/v2.1', service='compute'):
        self.app, self.version, self.prefix, self.service = app, version, prefix, service
        self.identity = '%s:%s:%s' % (user, project, roles)

    def request(self, method, path, body=None, version=None, headers=None, raw=None):
        req = webob.Request.blank(self.prefix + path, method=method,
                                  base_url='http://localhost:%d' % (
                                      8776 if self.service == 'volume' else 8774))
        req.script_name = self.prefix
        req.path_info = path.split('?')[0]
        req.headers[CONTEXT_HEADER] = self.identity
        version = version or self.version
        if version:
            req.headers['OpenStack-API-Version'] = '%s %s' % (self.service, version)
        if raw is not None or body is not None:
            req.body = raw if raw is not None else json.dumps(body).encode()
            req.content_type = 'application/json'
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    def action(self, server_id, name, args=None, **kwargs):
        return self.post('/servers/%s/action' % server_id, {name: args}, **kwargs)
