"""Keystone's JSON shapes for errors and bodies, and who is calling.

Error messages are in the language of the request's Accept-Language where Nova
has a catalog (nova.i18n), as Keystone answers; codes and titles never change.
"""
import json
import logging

import webob

from nova import exception
from nova import i18n
from nova import policy
from nova.api import request_input
from nova.api.identity import views
from nova.auth import endpoints
from nova.auth import roles
from nova.auth import tokens
from nova.i18n import _, _LE

LOG = logging.getLogger(__name__)

TITLES = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
          405: 'Method Not Allowed', 409: 'Conflict', 500: 'Internal Server Error'}


def json_response(body, status=200, headers=None):
    response = webob.Response(status=status, content_type='application/json', charset='utf-8',
                              body=json.dumps(body).encode('utf-8'))
    response.headers.update(headers or {})
    return response


def empty_response(status):
    return webob.Response(status=status, content_type=None)


def error_response(req, code, message, headers=None):
    """{"error": {"code", "message", "title"}}; a 401 says where to authenticate."""
    headers = dict(headers or {})
    if code == 401:
        headers['WWW-Authenticate'] = 'Keystone uri="%s"' % endpoints.url(
            'identity', request_host=endpoints.request_host(req.host))
    message = i18n.translate(message, i18n.request_language(req))  # Accept-Language
    return json_response({'error': {'code': code, 'message': message,
                                    'title': TITLES.get(code, 'Error')}}, code, headers)


UNAUTHORIZED = _('The request you have made requires authentication.')


def from_exception(req, error):
    """The response for an exception raised while serving req.

    Every 401 says only UNAUTHORIZED, as Keystone does: a wrong password, an
    unknown user and a missing role look alike to the caller (no probing for
    names); the log keeps the reason.
    """
    if isinstance(error, exception.NotAuthenticated):
        LOG.info('%s %s refused: %s', req.method, req.path, error.format_message())
        return error_response(req, 401, UNAUTHORIZED)
    if isinstance(error, exception.NovaException) and error.safe:
        return error_response(req, error.code, error.format_message())
    LOG.exception(_LE('Unexpected error serving %s %s'), req.method, req.path)
    return error_response(req, 500, _('An unexpected error prevented the server from '
                                      'fulfilling your request.'))


def caller(req):
    """The TokenInfo of X-Auth-Token; NotAuthenticated (401) when missing or invalid."""
    info = tokens.validate(req.headers.get('X-Auth-Token'))
    if info is None:
        raise exception.NotAuthenticated()
    return info


def is_admin(info):
    return roles.ADMIN in info.role_names


def allowed(info, action, target):
    """Whether the token's holder may do action (an identity:* policy rule) on target."""
    return policy.authorize(tokens.context_from_token(info), action, target, do_raise=False)


def authorize(req, action, target=None):
    """The caller's TokenInfo when policy lets it do action on target; else 403."""
    info = caller(req)
    if not allowed(info, action, target or {}):
        raise forbidden(action)
    return info


def forbidden(action):
    return exception.Forbidden(
        'You are not authorized to perform the requested action: %s.' % action)


def body_json(req):
    """The request body as a dict; Invalid (400) otherwise."""
    body = request_input.json_loads(req.body or b'null')
    if not isinstance(body, dict):
        raise exception.Invalid(reason=_('the request body must be a JSON object'))
    return body


def links(req, path):
    return {'self': req.host_url + path, 'previous': None, 'next': None}


def listing(req, key, items, path):
    """A collection body: {key: items, 'links': {...}}."""
    return json_response({key: items, 'links': links(req, path)})


def entity(body, key):
    """The object under key of a request body (POST/PATCH {"project": {...}}); 400 if not."""
    value = body.get(key)
    if not isinstance(value, dict):
        raise exception.Invalid(reason=_("'%s' is a required property and must be an object")
                                % key)
    return value


def text(fields, key, required=False, maximum=255, blank=False):
    """fields[key] checked as a string of at most maximum characters, not blank
    unless blank (a description); None when absent (or null, where blank)."""
    if key not in fields:
        if required:
            raise exception.Invalid(reason=_("'%s' is a required property") % key)
        return None
    value = fields[key]
    if value is None and blank:
        return None
    if not isinstance(value, str) or not (blank or value.strip()) or len(value) > maximum:
        template = (_('%s must be a string of at most %d characters') if blank else
                    _('%s must be a non-blank string of at most %d characters'))
        raise exception.Invalid(reason=template % (key, maximum))
    return value


def boolean(fields, key):
    value = fields.get(key)
    if value is not None and not isinstance(value, bool):
        raise exception.Invalid(reason=_('%s must be a boolean') % key)
    return value


def check_domain(fields, key='domain_id'):
    """Only the Default domain exists: another id is 400 naming it."""
    value = fields.get(key)
    if value is not None and value != views.DOMAIN_ID:
        raise exception.Invalid(reason=_('domain %s does not exist: only the Default domain '
                                  '(id %r) is served') % (value, views.DOMAIN_ID))
