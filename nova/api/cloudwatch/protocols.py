"""The three wire protocols CloudWatch clients speak, decoded into one shape.

- ``rpc-v2-cbor`` (botocore 1.36+, the AWS CLI of today): ``POST
  /service/GraniteServiceVersion20100801/operation/<Action>`` with a CBOR body
  and ``smithy-protocol: rpc-v2-cbor``; timestamps are CBOR tag 1.
- ``json`` (AWS JSON 1.0): ``POST /`` with ``X-Amz-Target:
  GraniteServiceVersion20100801.<Action>``; timestamps are epoch seconds.
- ``query`` (older SDKs): ``Action=...&Dimensions.member.1.Name=...`` in the
  query string or a form body; the answer is XML.

A request becomes (action, params) where params has the shape of the JSON
protocol's body (lists, nested dicts); the actions coerce scalar types
themselves, since the query protocol sends every value as text. An answer is
a dict of str, float, int, bool, bytes (blobs), datetime and lists, encoded
back in the request's protocol; errors carry AWS's query error code in
``x-amzn-query-error`` so that botocore reports the same code whichever
protocol it spoke.
"""
import base64
import datetime
import json
from xml.sax.saxutils import escape

import webob

from nova import i18n
from nova.api import request_input
from nova.i18n import _

TARGET_PREFIX = 'GraniteServiceVersion20100801'
CBOR_PATH_PREFIX = '/service/%s/operation/' % TARGET_PREFIX
XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/'
QUERY, JSON, CBOR = 'query', 'json', 'cbor'
MAX_BODY = 1024 * 1024


class CloudWatchError(Exception):
    """An error as CloudWatch answers it: its query error code, message, status."""

    def __init__(self, code, message, status=400, shape=None, sender=True):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.shape = shape or code  # the error shape's name in the JSON/CBOR protocols
        self.sender = sender


def invalid_value(message):
    return CloudWatchError('InvalidParameterValue', message,
                           shape='InvalidParameterValueException')


def invalid_combination(message):
    return CloudWatchError('InvalidParameterCombination', message,
                           shape='InvalidParameterCombinationException')


def missing(name):
    return CloudWatchError('MissingParameter', _('The parameter %s is required.') % name,
                           shape='MissingRequiredParameterException')


def protocol_of(req):
    if req.path_info.startswith(CBOR_PATH_PREFIX):
        return CBOR
    if req.headers.get('X-Amz-Target', '').startswith(TARGET_PREFIX + '.'):
        return JSON
    return QUERY


def _body(req):
    if req.content_length and req.content_length > MAX_BODY:
        raise CloudWatchError('RequestEntityTooLarge', _('The request body is larger than '
                              '%d bytes.') % MAX_BODY, status=413)
    return req.body


def _check(value, what):
    """The parser limits every listener applies (nova/api/request_input.py)."""
    try:
        request_input.check_value(value, what)
    except request_input.MalformedInput as e:
        raise invalid_value(e.format_message()) from None


def _cbor():
    """cbor2, imported by the first CBOR request: an API process that serves no
    CloudWatch client of today does not hold it (~1 MB)."""
    import cbor2
    return cbor2


def decode(req, protocol):
    """(action, params) of a request; CloudWatchError for what cannot be read."""
    if protocol == CBOR:
        action = req.path_info[len(CBOR_PATH_PREFIX):].strip('/')
        body = _body(req)
        cbor2 = _cbor()
        try:
            params = cbor2.loads(body) if body else {}
        except (cbor2.CBORDecodeError, ValueError, RecursionError) as e:
            raise CloudWatchError('SerializationException',
                                  _('The request body is not valid CBOR: %s') % e) from None
        _check(params, _('The request body'))
    elif protocol == JSON:
        action = req.headers['X-Amz-Target'][len(TARGET_PREFIX) + 1:]
        body = _body(req)
        try:
            params = request_input.json_loads(body) if body else {}
        except request_input.MalformedInput as e:
            raise CloudWatchError('SerializationException', e.format_message()) from None
    else:
        flat = dict(req.params)
        action = flat.pop('Action', '')
        for name in ('Version', 'AWSAccessKeyId', 'Signature', 'SignatureMethod',
                     'SignatureVersion', 'Timestamp', 'Expires'):
            flat.pop(name, None)
        _check(flat, 'A parameter')
        params = unflatten(flat)
    if not isinstance(params, dict):
        raise CloudWatchError('SerializationException', _('The request body must be an object.'))
    return action, params


def unflatten(flat):
    """Query parameters ('A.member.2.B': v) as nested lists and dicts ({'A': [.., {'B': v}]})."""
    root = {}
    for key in sorted(flat, key=_natural):
        node, parts = root, key.split('.')
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part in ('member', 'entry') and not last and parts[index + 1].isdigit():
                continue  # the list marker: the number after it is the position
            if part.isdigit() and index and parts[index - 1] in ('member', 'entry'):
                position = int(part) - 1
                while len(node) <= position:
                    node.append({})
                if last:
                    node[position] = flat[key]
                else:
                    node = node[position]
                continue
            if last:
                node[part] = flat[key]
            else:
                nxt = parts[index + 1]
                container = [] if nxt in ('member', 'entry') else {}
                if not isinstance(node.get(part), type(container)):
                    node[part] = container
                node = node[part]
    return root


def _natural(key):
    return [int(part) if part.isdigit() else part for part in key.split('.')]


# -- answers ------------------------------------------------------------------------------

def _epoch(value):
    return value.timestamp()


def _for_json(value):
    if isinstance(value, dict):
        return {k: _for_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_for_json(v) for v in value]
    if isinstance(value, datetime.datetime):
        return _epoch(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    return value


def _for_cbor(value):
    if isinstance(value, dict):
        return {k: _for_cbor(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_for_cbor(v) for v in value]
    if isinstance(value, datetime.datetime):
        return _cbor().CBORTag(1, _epoch(value))
    return value


def _xml_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, float):
        return repr(value)
    return escape(str(value))


def _xml(value):
    if isinstance(value, dict):
        return ''.join('<%s>%s</%s>' % (k, _xml(v), k) for k, v in value.items()
                       if v is not None)
    if isinstance(value, (list, tuple)):
        return ''.join('<member>%s</member>' % _xml(v) for v in value)
    return _xml_value(value)


def _answer(status, body, content_type, headers):
    resp = webob.Response(status=status, body=body, content_type=content_type)
    for name, value in headers:
        resp.headers[name] = value
    return resp


def response(protocol, action, result, request_id):
    headers = [('x-amzn-RequestId', request_id)]
    if protocol == CBOR:
        return _answer(200, _cbor().dumps(_for_cbor(result)), 'application/cbor',
                       headers + [('smithy-protocol', 'rpc-v2-cbor')])
    if protocol == JSON:
        return _answer(200, json.dumps(_for_json(result)).encode(),
                       'application/x-amz-json-1.0', headers)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<{a}Response xmlns="{ns}"><{a}Result>'
            '{result}</{a}Result><ResponseMetadata><RequestId>{rid}</RequestId>'
            '</ResponseMetadata></{a}Response>').format(a=action, ns=XMLNS, result=_xml(result),
                                                        rid=escape(request_id))
    return _answer(200, body.encode(), 'text/xml', headers)


def error_response(protocol, error, request_id, language=None):
    """CloudWatch's error body; the message in language (nova.i18n; None: English)."""
    message = i18n.translate(error.message, language)
    headers = [('x-amzn-RequestId', request_id),
               ('x-amzn-query-error', '%s;%s' % (error.code,
                                                 'Sender' if error.sender else 'Receiver'))]
    if protocol in (CBOR, JSON):
        body = {'__type': 'com.amazonaws.cloudwatch#%s' % error.shape, 'message': message}
        if protocol == CBOR:
            return _answer(error.status, _cbor().dumps(body), 'application/cbor',
                           headers + [('smithy-protocol', 'rpc-v2-cbor')])
        return _answer(error.status, json.dumps(body).encode(), 'application/x-amz-json-1.0',
                       headers)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="%s"><Error>'
            '<Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>'
            '<RequestId>%s</RequestId></ErrorResponse>') % (
        XMLNS, 'Sender' if error.sender else 'Receiver', escape(error.code),
        escape(message), escape(request_id))
    return _answer(error.status, body.encode(), 'text/xml', headers)
