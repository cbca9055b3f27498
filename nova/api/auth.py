"""Paste filters that authenticate API requests and build their RequestContext.

``TokenAuth`` validates X-Auth-Token with nova.auth.tokens; ``NoAuth`` trusts
a 'user:project' token and runs only under --auth_strategy=noauth2.
``pipeline_factory`` picks a pipeline by --auth_strategy, so one paste file
serves both::

    [composite:osapi_compute]
    use = call:nova.api.auth:pipeline_factory
    keystone = request_id authtoken osapi_compute_app
    noauth2 = request_id noauth2 osapi_compute_app

Both filters put the context in environ['nova.context'] and make it the
green thread's current one, so log lines carry the user and the project.
"""
import json
import logging

import webob
import webob.dec

from nova import context as nova_context
from nova import exception
from nova.api import middleware
from nova.auth import endpoints
from nova.auth import roles
from nova.auth import tokens
from nova.conf import CONF

LOG = logging.getLogger(__name__)

ENV_CONTEXT = 'nova.context'
UNAUTHORIZED = 'The request you have made requires authentication.'
FAULT_FORMATS = ('json', 'text')
# what the filter tells the app about the caller; a client never sets them
IDENTITY_HEADERS = ('X-Identity-Status', 'X-User-Id', 'X-User-Name', 'X-Project-Id',
                    'X-Project-Name', 'X-Roles')


def pipeline_factory(loader, global_conf, **local_conf):
    """The pipeline named by --auth_strategy: its filters around its last app."""
    names = local_conf[CONF.auth_strategy].split()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app


def _set_identity_headers(req, ctx):
    values = {'X-Identity-Status': 'Confirmed', 'X-User-Id': ctx.user_id,
              'X-User-Name': ctx.user_name, 'X-Project-Id': ctx.project_id,
              'X-Project-Name': ctx.project_name, 'X-Roles': ','.join(ctx.roles)}
    for name in IDENTITY_HEADERS:
        req.headers.pop(name, None)
        if values[name] is not None:
            req.headers[name] = values[name]


def _context_kwargs(req):
    return {'request_id': req.environ.get(middleware.ENV_REQUEST_ID),
            'remote_address': req.remote_addr}


class TokenAuth(middleware.Middleware):
    """401 unless X-Auth-Token is a valid token; the context of its user otherwise.

    local conf ``fault_format``: 'json' (Keystone's {"error": {...}} body, what
    the OpenStack APIs answer) or 'text'.
    """

    def __init__(self, application, **local_conf):
        super().__init__(application, **local_conf)
        self.fault_format = local_conf.get('fault_format', 'json')
        if self.fault_format not in FAULT_FORMATS:
            raise exception.ConfigError(reason='fault_format %r is not one of %s' % (
                self.fault_format, ', '.join(FAULT_FORMATS)))

    def _unauthorized(self, req):
        if self.fault_format == 'json':
            body = json.dumps({'error': {'code': 401, 'title': 'Unauthorized',
                                         'message': UNAUTHORIZED}})
            content_type = 'application/json'
        else:
            body, content_type = UNAUTHORIZED + '\n', 'text/plain'
        response = webob.Response(status=401, content_type=content_type, charset='utf-8',
                                  body=body.encode('utf-8'))
        response.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % endpoints.url(
            'identity', request_host=endpoints.request_host(req.host))
        return response

    @webob.dec.wsgify
    def __call__(self, req):
        info = tokens.validate(req.headers.get('X-Auth-Token'))
        if info is None:
            LOG.info('Refused %s %s: missing, unknown or expired token', req.method, req.path)
            return self._unauthorized(req)
        ctx = tokens.context_from_token(info, **_context_kwargs(req))
        req.environ[ENV_CONTEXT] = ctx
        _set_identity_headers(req, ctx)
        return self.application


class NoAuth(middleware.Middleware):
    """Development only: X-Auth-Token 'user:project' is believed as it is.

    User 'admin' (or no token at all) gets the admin role; anyone else is a
    member of the project named (a token without ':' names both).
    """

    def __init__(self, application, **local_conf):
        if CONF.auth_strategy != 'noauth2':
            raise exception.ConfigError(
                reason='the noauth2 filter runs only with --auth_strategy=noauth2')
        super().__init__(application, **local_conf)

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token') or 'admin:admin'
        user_id, _sep, project_id = token.partition(':')
        project_id = project_id or user_id
        granted = roles.ADMIN if user_id == 'admin' else roles.MEMBER
        ctx = nova_context.RequestContext(
            user_id=user_id, project_id=project_id,
            roles=roles.effective_roles([granted]), user_name=user_id,
            project_name=project_id, auth_token=token, **_context_kwargs(req))
        req.environ[ENV_CONTEXT] = ctx
        _set_identity_headers(req, ctx)
        return self.application
