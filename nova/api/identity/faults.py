"""Keystone's JSON shapes for errors and bodies, and who is calling."""
import json
import logging

import webob

from nova import exception
from nova import utils
from nova.auth import endpoints
from nova.auth import roles
from nova.auth import tokens

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
    return json_response({'error': {'code': code, 'message': message,
                                    'title': TITLES.get(code, 'Error')}}, code, headers)


UNAUTHORIZED = 'The request you have made requires authentication.'


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
    LOG.exception('Unexpected error serving %s %s', req.method, req.path)
    return error_response(req, 500, 'An unexpected error prevented the server from '
                                    'fulfilling your request.')


def caller(req):
    """The TokenInfo of X-Auth-Token; NotAuthenticated (401) when missing or invalid."""
    info = tokens.validate(req.headers.get('X-Auth-Token'))
    if info is None:
        raise exception.NotAuthenticated()
    return info


def is_admin(info):
    return roles.ADMIN in info.role_names


def forbidden(action):
    return exception.Forbidden(
        'You are not authorized to perform the requested action: %s.' % action)


def body_json(req):
    """The request body as a dict; Invalid (400) otherwise."""
    try:
        body = json.loads(req.body or b'null')
    except ValueError:
        raise exception.Invalid(reason='the request body is not valid JSON')
    if not isinstance(body, dict):
        raise exception.Invalid(reason='the request body must be a JSON object')
    if utils.contains_nul(body):
        raise exception.Invalid(reason='the request body contains a NUL character')
    return body


def links(req, path):
    return {'self': req.host_url + path, 'previous': None, 'next': None}
