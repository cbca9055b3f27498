"""Nova's JSON fault bodies, and the filter that turns any escaped error into one.

A fault is ``{"<name>": {"code": N, "message": "..."}}`` with the name Nova
gives the status (badRequest, itemNotFound, ...). A NovaException answers with
its own code and message; anything unexpected is a 500 computeFault whose
message names only the exception class: the traceback goes to the log. The
message is in the language of the request's Accept-Language where Nova has a
catalog for it (nova.i18n); the fault's name and code never change.
"""
import json
import logging

import webob
import webob.dec
import webob.exc

from nova import exception
from nova import i18n
from nova.api import middleware
from nova.api import webob_texts
from nova.i18n import _, _LE

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound',
    405: 'badMethod', 406: 'notAcceptable', 409: 'conflictingRequest', 413: 'overLimit',
    415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented', 503: 'serviceUnavailable',
}
UNEXPECTED = _('Unexpected API Error. Please report this and attach the Nova API log '
               'if possible.\n%s')
NOT_FOUND = webob_texts.marked('The resource could not be found.')


def fault_response(code, message, headers=None, request=None):
    """The JSON fault; message translated for request (None: English)."""
    language = i18n.request_language(request) if request is not None else None
    body = {FAULT_NAMES.get(code, 'computeFault'): {
        'code': code, 'message': i18n.translate(message, language)}}
    response = webob.Response(status=code, content_type='application/json', charset='utf-8',
                              body=json.dumps(body).encode())
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def exception_response(error, request=None):
    """The fault for an error raised while serving request."""
    if isinstance(error, exception.NovaException):
        code = error.code or 500
        if code < 500 or error.safe:
            return fault_response(code, error.format_message(), request=request)
        LOG.error(_LE('%s: %s'), type(error).__name__, error.format_message())
        return fault_response(code, UNEXPECTED % type(error), request=request)
    if isinstance(error, webob.exc.HTTPException) and error.code >= 400:
        headers = {'Allow': error.headers['Allow']} if 'Allow' in error.headers else None
        return fault_response(error.code, webob_texts.message(error), headers, request)
    LOG.exception(_LE('Unexpected error serving the request'))
    return fault_response(500, UNEXPECTED % type(error), request=request)


class FaultWrapper(middleware.Middleware):
    """The last line: whatever escapes the pipeline becomes a JSON fault."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except Exception as error:  # noqa: BLE001 -- every error gets a fault body
            return exception_response(error, req)
