"""EC2 response bodies: a dict of element names rendered as XML in the EC2 namespace.

Values: dict -> child elements in order; list -> <item> children; bool ->
true/false; datetime -> 2016-11-15T10:00:00.000Z; None -> the element is
left out.
"""
import datetime
from xml.sax.saxutils import escape

import webob

NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'


def timestamp(value):
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (value.microsecond // 1000)


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    return escape(str(value))


def _element(name, value, out):
    if value is None:
        return
    if isinstance(value, (dict, list)):
        children = value.items() if isinstance(value, dict) else (('item', v) for v in value)
        out.append('<%s>' % name)
        for child_name, child in children:
            _element(child_name, child, out)
        out.append('</%s>' % name)
    else:
        out.append('<%s>%s</%s>' % (name, _text(value), name))


def render(action, body, request_id):
    """<ActionResponse xmlns=...><requestId/>...body...</ActionResponse>."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">' % (
        action, NAMESPACE), '<requestId>%s</requestId>' % escape(request_id or '')]
    for name, value in body.items():
        _element(name, value, out)
    out.append('</%sResponse>' % action)
    return webob.Response(content_type='text/xml', charset='utf-8',
                          body=''.join(out).encode('utf-8'))
