"""JSON in and out, and errors the way Glance answers them.

Glance raises webob HTTP exceptions and lets webob render them by the Accept
header: HTML for browsers and '*/*' (what glanceclient sends), JSON
({"message", "code", "title"}) for application/json, plain text otherwise.
glanceclient and openstacksdk read the status and that message, which is in
the language of the request's Accept-Language where Nova has a catalog
(nova.i18n): Nova's exception templates and the messages marked with _.
"""
import logging

import webob
import webob.exc

from nova import exception
from nova import i18n
from nova.api import json_body
from nova.api import request_input
from nova.api import webob_texts
from nova.i18n import _, _LE

LOG = logging.getLogger(__name__)

MAX_JSON_BODY = 114688  # Glance's max_request_body_size
UNEXPECTED = _('An unexpected error prevented the server from fulfilling your request.')


def json_response(body, status=200, headers=None):
    response = webob.Response(status=status, content_type='application/json',
                              charset='utf-8', body=json_body.dumps(body))
    response.headers.update(headers or {})
    return response


def no_content():
    return webob.Response(status=204, content_type=None)


def http_error(code, message, headers=None):
    """The webob exception (also a response) for an HTTP error code."""
    cls = webob.exc.status_map.get(code, webob.exc.HTTPInternalServerError)
    return cls(explanation=message, headers=headers)


def from_exception(req, error):
    """The response for an exception raised while serving req, its message translated."""
    response = _error_response(req, error)
    response.explanation = i18n.translate(webob_texts.marked(response.explanation),
                                          i18n.request_language(req))
    return response


def _error_response(req, error):
    if isinstance(error, webob.exc.HTTPException):
        return error
    if isinstance(error, exception.NovaException) and (error.safe or error.code < 500):
        return http_error(error.code, error.format_message())
    if isinstance(error, exception.NovaException) and error.code in (502, 503):
        LOG.error(_LE('%s %s failed: %s'), req.method, req.path, error.format_message())
        return http_error(503, error.format_message())
    LOG.exception(_LE('Unexpected error serving %s %s'), req.method, req.path)
    return http_error(500, UNEXPECTED)


def read_json(req, expected=dict):
    """The JSON body of req, of the expected type; 400 or 413 otherwise."""
    if req.content_length is not None and req.content_length > MAX_JSON_BODY:
        raise http_error(413, _('The request body is larger than %d bytes.') % MAX_JSON_BODY)
    raw = req.body_file.read(MAX_JSON_BODY + 1)
    if len(raw) > MAX_JSON_BODY:
        raise http_error(413, _('The request body is larger than %d bytes.') % MAX_JSON_BODY)
    try:
        body = request_input.json_loads(raw or b'null')
    except request_input.MalformedInput as error:  # Glance's message, then what is wrong
        raise http_error(400, _('Malformed JSON in request body: %s.')
                         % error.format_message()) from None
    if not isinstance(body, expected):
        raise http_error(400, _('Request body must be an object.') if expected is dict
                         else _('Request body must be a JSON array of operation objects.'))
    return body
