"""Untrusted request input, checked the same way by every listener before anything uses it.

Every HTTP listener (compute, identity, EC2, CloudWatch, metadata, S3, image, network)
goes through these, so that no malformed input can
reach a parser's recursion limit, the database or a decoder as a 500:

- ``guard_listener(name, app)``: wraps each listener (nova.service.WSGIService does it):
  a URL path or query string that is not UTF-8 once percent-decoded, or a
  header holding a NUL or another control character, is a 400 in the
  listener's own error format;
- ``json_loads(raw, what)``: UTF-8 JSON, at most MAX_JSON_DEPTH levels deep
  (checked without recursion), no NaN/Infinity, no NUL and no lone surrogate
  in any key or string; anything else is ``MalformedInput`` (400) naming what;
- ``check_value`` / ``check_text``: the same checks on values already parsed
  (query parameters, form fields, path segments);
- ``unquote(text, what)``: strict percent-decoding.

Front ends map MalformedInput to their own format (it is an exception.Invalid,
400); nova-image and nova-objectstore use these helpers too.
"""
import json
import logging
import re
import urllib.parse
import xml.sax.saxutils

import webob

from nova import exception
from nova import i18n
from nova.i18n import _

LOG = logging.getLogger(__name__)

MAX_JSON_DEPTH = 32  # deepest nesting a request body may have (real ones: < 10)
# a lone (unpaired) UTF-16 surrogate: Python strings can hold one, UTF-8 and
# PostgreSQL cannot
_SURROGATE = re.compile('[\ud800-\udfff]')
_BAD_HEADER_CHARS = re.compile('[\x00-\x08\x0a-\x1f\x7f]')


class MalformedInput(exception.Invalid):
    """The reason is the whole message, kept lazy so that the API translates it."""

    def __init__(self, reason):
        super().__init__(reason, reason=reason)


class MalformedJSON(MalformedInput):
    """Not JSON at all (syntax, encoding), as opposed to JSON holding what is refused."""


# -- values ----------------------------------------------------------------------------
# A problem is a translated predicate that follows what it is about ("The request
# body" + "contains a NUL character"), joined by _what_is: the subject comes first
# in the languages with a catalog.
def _what_is(what, problem):
    # TRANSLATORS: a thing, then what is wrong with it (e.g. "metadata" "contains a
    # NUL character"); reorder if your language needs it
    return _('%(what)s %(problem)s') % {'what': what, 'problem': problem}


def text_problem(text):
    """Why a string may not be used (a NUL or a lone surrogate), or None."""
    if '\x00' in text:
        return _('contains a NUL character')
    if not text.isascii() and _SURROGATE.search(text):
        return _('contains a lone surrogate (\\ud800-\\udfff: not valid Unicode)')
    return None


def check_text(text, what):
    """``text`` if it is usable; MalformedInput naming ``what`` otherwise."""
    problem = text_problem(text)
    if problem:
        raise MalformedInput(reason=_what_is(what, problem))
    return text


def value_problem(value, max_depth=MAX_JSON_DEPTH):
    """Why a parsed JSON value may not be used (too deep, a bad string), or None.

    Walks with an explicit stack: any depth is checked without recursion.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, (dict, list, tuple)):
            if depth > max_depth:
                return _('is nested more than %d levels deep') % max_depth
            if isinstance(item, dict):
                for key, child in item.items():
                    problem = isinstance(key, str) and text_problem(key)
                    if problem:
                        return problem
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def check_value(value, what):
    """``value`` if usable (see value_problem); MalformedInput naming ``what`` otherwise."""
    problem = value_problem(value)
    if problem:
        raise MalformedInput(reason=_what_is(what, problem))
    return value


def _no_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def json_loads(raw, what=None):
    """Parse untrusted JSON (bytes or str); MalformedInput (400) naming what is wrong
    (``what``: the request body unless named)."""
    what = _('The request body') if what is None else what
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode('utf-8')
        except UnicodeDecodeError:
            raise MalformedJSON(reason=_what_is(what, _('is not UTF-8'))) from None
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise MalformedInput(reason=_what_is(
            what, _('is nested more than %d levels deep') % MAX_JSON_DEPTH)) from None
    except ValueError as error:
        # json's own detail (line and column) stays as Python words it
        raise MalformedJSON(reason=_what_is(
            what, _('is not valid JSON: %s') % error)) from None
    return check_value(value, what)


def unquote(text, what):
    """Percent-decode ``text`` strictly as UTF-8; MalformedInput otherwise."""
    try:
        return check_text(urllib.parse.unquote(text, errors='strict'), what)
    except UnicodeDecodeError:
        raise MalformedInput(reason=_what_is(
            what, _('is not UTF-8 once percent-decoded'))) from None


# -- the listener's outer guard ----------------------------------------------------------
def _url_problem(environ):
    """Why the request line or headers cannot be used, or None."""
    path = environ.get('PATH_INFO', '')
    try:  # WSGI: PATH_INFO is the percent-decoded bytes, as latin-1 text
        path.encode('latin-1').decode('utf-8')
    except UnicodeError:
        return _('The URL path is not valid UTF-8 once percent-decoded.')
    query = environ.get('QUERY_STRING', '')
    if query:
        try:
            urllib.parse.parse_qsl(query, keep_blank_values=True, errors='strict')
        except (UnicodeError, ValueError):
            return _('The query string is not valid UTF-8 once percent-decoded.')
    for key, value in environ.items():
        if key.startswith('HTTP_') and isinstance(value, str) and \
                _BAD_HEADER_CHARS.search(value):
            return _('The %s header holds a control character.') % (
                key[5:].replace('_', '-').title())
    return None


def _json_fault(key):
    def render(message):
        body = {key: {'code': 400, 'message': message}}
        if key == 'error':  # Keystone's format has a title too
            body[key]['title'] = 'Bad Request'
        return 'application/json', json.dumps(body)
    return render


def _xml_fault(content_type, template):
    def render(message):
        return content_type, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                              + template % xml.sax.saxutils.escape(message))
    return render


_ec2_fault = _xml_fault('text/xml', '<Response><Errors><Error><Code>InvalidParameterValue'
                        '</Code><Message>%s</Message></Error></Errors><RequestID></RequestID>'
                        '</Response>')
# CloudWatch: the query protocol's error, which the AWS CLI reads
_cloudwatch_fault = _xml_fault(
    'text/xml', '<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">'
    '<Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>%s</Message>'
    '</Error><RequestId></RequestId></ErrorResponse>')
_s3_fault = _xml_fault('application/xml', '<Error><Code>InvalidURI</Code><Message>%s'
                       '</Message></Error>')


def _text_fault(message):
    return 'text/plain', message + '\n'


def _neutron_fault(message):
    return 'application/json', json.dumps({'NeutronError': {
        'type': 'HTTPBadRequest', 'message': message, 'detail': ''}})


# each listener's own 400 format
_FAULTS = {'osapi_compute': _json_fault('badRequest'), 'identity': _json_fault('error'),
           'image': _text_fault, 'ec2': _ec2_fault, 'cloudwatch': _cloudwatch_fault,
           'objectstore': _s3_fault, 'metadata': _text_fault, 'network': _neutron_fault}


def guard_listener(name, app):
    """``app`` behind the URL and header checks, answering 400 in ``name``'s format."""
    render = _FAULTS.get(name, _json_fault('badRequest'))

    def guarded(environ, start_response):
        problem = _url_problem(environ)
        if problem is None:
            return app(environ, start_response)
        LOG.info('%s: refused a request: %s', name, problem)
        # the fault in the request's language, as every front end answers
        content_type, body = render(i18n.translate(
            problem, i18n.request_language(webob.Request(environ))))
        return webob.Response(status=400, content_type=content_type, charset='utf-8',
                              body=body.encode('utf-8'))(environ, start_response)
    return guarded
