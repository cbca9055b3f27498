"""CORS: Put/Get/DeleteBucketCors, preflight OPTIONS requests, and the
Access-Control-* headers on requests that carry an Origin.

A rule matches a request when one of its AllowedOrigin patterns (at most one
'*' each) matches the Origin, the method is one of its AllowedMethod, and
(preflight) every header of Access-Control-Request-Headers matches one of its
AllowedHeader patterns, case-insensitively. The first matching rule answers.
"""
import re

import webob

from nova import exception
from nova.i18n import _
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

METHODS = ('GET', 'PUT', 'POST', 'DELETE', 'HEAD')
MAX_RULES = 100


def _pattern(text):
    """A case-insensitive regex for an S3 wildcard ('*' is any run of characters)."""
    return re.compile('^%s$' % '.*'.join(re.escape(part) for part in text.split('*')),
                      re.I)


def _matches(patterns, value):
    return any(_pattern(pattern).match(value) for pattern in patterns)


def parse(document):
    """The rules of a CORSConfiguration document, as stored; S3's 400s."""
    rules = []
    for rule in document.findall('CORSRule'):
        methods = [m.text or '' for m in rule.findall('AllowedMethod')]
        origins = [o.text or '' for o in rule.findall('AllowedOrigin')]
        if not methods or not origins:
            raise S3Error('MalformedXML')
        for method in methods:
            if method not in METHODS:
                raise S3Error('InvalidRequest', _('Found unsupported HTTP method in CORS '
                              'config. Unsupported method is %s') % method[:20])
        for origin in origins:
            if origin.count('*') > 1:
                raise S3Error('InvalidRequest', _('AllowedOrigin "%s" can not have more '
                              'than one wildcard.') % origin[:200])
        headers = [h.text or '' for h in rule.findall('AllowedHeader')]
        for header in headers:
            if header.count('*') > 1:
                raise S3Error('InvalidRequest', _('AllowedHeader "%s" can not have more '
                              'than one wildcard.') % header[:200])
        max_age = rule.findtext('MaxAgeSeconds')
        if max_age is not None:
            try:
                max_age = int(max_age)
            except ValueError:
                raise S3Error('MalformedXML')
        rules.append({'id': rule.findtext('ID'), 'methods': methods, 'origins': origins,
                      'headers': headers, 'expose': [e.text or '' for e in
                                                     rule.findall('ExposeHeader')],
                      'max_age': max_age})
    if not rules or len(rules) > MAX_RULES:
        raise S3Error('MalformedXML')
    return rules


def render(rules):
    children = []
    for rule in rules:
        entry = [('ID', rule['id'])]
        entry += [('AllowedHeader', h) for h in rule['headers']]
        entry += [('AllowedMethod', m) for m in rule['methods']]
        entry += [('AllowedOrigin', o) for o in rule['origins']]
        entry += [('ExposeHeader', e) for e in rule['expose']]
        entry.append(('MaxAgeSeconds', rule['max_age']))
        children.append(('CORSRule', entry))
    return xmlutil.response('CORSConfiguration', children)


def matching_rule(rules, origin, method, request_headers=()):
    for rule in rules or ():
        if method in rule['methods'] and _matches(rule['origins'], origin) and all(
                _matches(rule['headers'], header) for header in request_headers):
            return rule
    return None


def allow_headers(rule, origin, method, request_headers=()):
    """The Access-Control-* answer of a matching rule."""
    wildcard = rule['origins'] == ['*']
    headers = [('Access-Control-Allow-Origin', '*' if wildcard else origin),
               ('Access-Control-Allow-Methods', ', '.join(rule['methods']))]
    if not wildcard:
        headers.append(('Access-Control-Allow-Credentials', 'true'))
    if request_headers:
        headers.append(('Access-Control-Allow-Headers', ', '.join(request_headers)))
    if rule['expose']:
        headers.append(('Access-Control-Expose-Headers', ', '.join(rule['expose'])))
    if rule['max_age'] is not None:
        headers.append(('Access-Control-Max-Age', str(rule['max_age'])))
    headers.append(('Vary', 'Origin, Access-Control-Request-Headers, '
                            'Access-Control-Request-Method'))
    return headers


# ------------------------------------------------------------------ handlers

def get_cors(s3req):
    return render(s3req.bucket_config('cors', 'NoSuchCORSConfiguration')[1])


def put_cors(s3req):
    return s3req.set_bucket_config('cors', parse(s3req.read_xml('CORSConfiguration')))


def delete_cors(s3req):
    return s3req.set_bucket_config('cors', None)


def preflight(s3req):
    """OPTIONS /bucket[/key]: anyone may ask; the bucket's rules answer."""
    origin = s3req.headers.get('Origin')
    method = s3req.headers.get('Access-Control-Request-Method')
    if not origin or not method:
        raise S3Error('BadRequest', 'Insufficient information. Origin request header '
                      'needed.' if not origin else 'Insufficient information. '
                      'Access-Control-Request-Method request header needed.')
    requested = [h.strip().lower() for h in
                 s3req.headers.get('Access-Control-Request-Headers', '').split(',')
                 if h.strip()]
    rules = s3req.bucket().config.get('cors')
    if not rules:
        raise S3Error('AccessForbidden', _('CORSResponse: CORS is not enabled for this '
                      'bucket.'), Method=method, ResourceType='BUCKET' if s3req.key is None
                      else 'OBJECT')
    rule = matching_rule(rules, origin, method, requested)
    if rule is None:
        raise S3Error('AccessForbidden', _('CORSResponse: This CORS request is not allowed. '
                      'This is usually because the evalution of Origin, request method / '
                      'Access-Control-Request-Method or Access-Control-Request-Headers are '
                      'not whitelisted by the resource\'s CORS spec.'), Method=method,
                      ResourceType='OBJECT' if s3req.key else 'BUCKET')
    return webob.Response(status=200, headerlist=allow_headers(rule, origin, method,
                                                               requested))


def add_headers(s3req, response):
    """The Access-Control-* headers of a request with an Origin, if a rule of its
    bucket allows it (nothing otherwise, and nothing for OPTIONS: done)."""
    origin = s3req.headers.get('Origin')
    if not origin or s3req.bucket_name is None or s3req.req.method == 'OPTIONS':
        return
    try:
        rules = s3req.bucket().config.get('cors')
    except exception.NotFound:  # no such bucket: no CORS to add
        return
    rule = matching_rule(rules, origin, s3req.req.method)
    if rule is not None:
        for name, value in allow_headers(rule, origin, s3req.req.method):
            if name != 'Vary' or 'Vary' not in response.headers:
                response.headers[name] = value
