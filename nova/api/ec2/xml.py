"""EC2 response bodies: a dict of element names rendered as XML in the EC2 namespace.

Values: dict -> child elements in order; list -> <item> children; bool ->
true/false; datetime -> 2016-11-15T10:00:00.000Z; None -> the element is
left out.
"""
import datetime
import re
from xml.sax.saxutils import escape

import webob

from nova.compute.ec2 import timestamp  # noqa: F401 (the rule lives below the API)

NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
_VERSION = re.compile(r'^\d{4}-\d{2}-\d{2}$')


def namespace(version):
    """The namespace of the API version a client asked for (older clients check it)."""
    if version and _VERSION.match(version):
        return 'http://ec2.amazonaws.com/doc/%s/' % version
    return NAMESPACE


def _escape(text):
    if '&' in text or '<' in text or '>' in text:
        return escape(text)
    return text


def _text(value):
    if value.__class__ is str:
        return _escape(value)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    return _escape(str(value))


def _element(name, value, out):
    if value is None:
        return
    if value.__class__ is dict or isinstance(value, dict):
        out.append('<%s>' % name)
        for child_name, child in value.items():
            if child is not None:
                _element(child_name, child, out)
        out.append('</%s>' % name)
    elif value.__class__ is list or isinstance(value, (list, tuple)):
        out.append('<%s>' % name)
        for child in value:
            _element('item', child, out)
        out.append('</%s>' % name)
    else:
        out.append('<%s>%s</%s>' % (name, _text(value), name))


def render(action, body, request_id, version=None):
    """<ActionResponse xmlns=...><requestId/>...body...</ActionResponse>."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">' % (
        action, namespace(version)), '<requestId>%s</requestId>' % escape(request_id or '')]
    for name, value in body.items():
        _element(name, value, out)
    out.append('</%sResponse>' % action)
    return webob.Response(content_type='text/xml', charset='utf-8',
                          body=''.join(out).encode('utf-8'))
