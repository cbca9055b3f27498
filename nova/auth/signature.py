"""AWS request signatures (SigV4 and the EC2 query SigV2), for EC2 and S3.

Front ends verify requests here and map the exceptions to their own error
codes; nothing in this module knows about EC2 or S3 responses.

Exceptions (all ``SignatureError``, a ``nova.exception.NotAuthorized``):
``MissingAuthentication`` (nothing to verify), ``MalformedAuthorization``
(unparsable header, missing parameter, unknown algorithm), ``InvalidAccessKey``
(the lookup knows no such key), ``SignatureMismatch``, ``RequestExpired``
(timestamp outside the skew window, presigned URL past its expiry).

Public functions:

- ``verify(request, lookup_secret, *, params=None, s3=False, service=None,
  now=None, max_skew=None) -> Verified`` picks the style (Authorization header
  SigV4, presigned query SigV4, or SigV2 from ``params``) and verifies it.
  ``request`` is an ``HTTPRequest`` (``HTTPRequest.from_webob(req)``);
  ``lookup_secret(access_key)`` returns the secret or None. ``s3=True`` uses
  S3's canonical URI (path encoded once, not normalised); ``max_skew`` seconds
  default to ``CONF.aws_signature_skew``.
- ``verify_v4(...)`` and ``verify_v2(...)``: one style only.
- ``canonical_request(method, path, query_pairs, headers, signed_headers,
  payload_hash, s3=False)``, ``canonical_uri``, ``canonical_query``,
  ``string_to_sign(amz_date, scope, canonical_request)``,
  ``signing_key(secret, date, region, service)``,
  ``sign_v4(secret, amz_date, region, service, canonical_request)``,
  ``parse_authorization(header) -> Authorization``: the SigV4 building blocks.
- ``string_to_sign_v2(method, host, path, params)`` and ``sign_v2(secret,
  string, method='HmacSHA256')``: the EC2 query SigV2 (Timestamp or Expires).
- ``uri_encode(value, encode_slash=True)``: RFC 3986 encoding as AWS wants it.
- ``constant_time_equals(a, b)``.
"""
import base64
import dataclasses
import datetime
import hashlib
import hmac
import re
import urllib.parse
from email.utils import parsedate_to_datetime

from nova import exception
from nova.i18n import _

ALGORITHM_V4 = 'AWS4-HMAC-SHA256'
UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
V2_METHODS = {'HmacSHA256': hashlib.sha256, 'HmacSHA1': hashlib.sha1}
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600  # what AWS allows for X-Amz-Expires
AMZ_DATE_FORMAT = '%Y%m%dT%H%M%SZ'
_V4_HEADER = re.compile(r'^AWS4-HMAC-SHA256\s+(.*)$', re.S)


class SignatureError(exception.NotAuthorized):
    msg_fmt = _('The request signature could not be verified: %(reason)s')


class MissingAuthentication(SignatureError):
    msg_fmt = _('The request carries no signature: %(reason)s')


class MalformedAuthorization(SignatureError):
    msg_fmt = _('Malformed authorization: %(reason)s')
    code = 400


class InvalidAccessKey(SignatureError):
    msg_fmt = _('The access key %(access_key)s does not exist.')


class SignatureMismatch(SignatureError):
    msg_fmt = _('The request signature does not match the signature computed '
                'with the secret key of %(access_key)s.')


class RequestExpired(SignatureError):
    msg_fmt = _('The request has expired or is not yet valid: %(reason)s')


@dataclasses.dataclass
class HTTPRequest:
    """What a signature covers; ``path`` is percent-decoded, ``query`` raw."""

    method: str
    path: str
    query: str
    headers: dict  # lower-case names
    body: bytes = b''

    @classmethod
    def from_webob(cls, req):
        return cls(method=req.method, path=(req.script_name + req.path_info) or '/',
                   query=req.environ.get('QUERY_STRING', ''),
                   headers={k.lower(): v for k, v in req.headers.items()},
                   body=req.body or b'')


@dataclasses.dataclass
class Authorization:
    """A parsed SigV4 credential (from the header or presigned query)."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list
    signature: str

    @property
    def scope(self):
        return '/'.join((self.date, self.region, self.service, 'aws4_request'))


@dataclasses.dataclass
class Verified:
    """A request whose signature checked out."""

    access_key: str
    version: int
    timestamp: datetime.datetime
    region: str = None
    service: str = None
    presigned: bool = False


def constant_time_equals(a, b):
    return hmac.compare_digest(str(a).encode('utf-8'), str(b).encode('utf-8'))


def uri_encode(value, encode_slash=True):
    """Percent-encode everything but A-Z a-z 0-9 - _ . ~ (and '/' if asked)."""
    return urllib.parse.quote(value, safe='-_.~' if encode_slash else '-_.~/')


def _normalize_path(path):
    """Drop '.', '..' and empty segments, as the AWS SDKs do outside S3."""
    segments = []
    for segment in path.split('/'):
        if segment == '..':
            if segments:
                segments.pop()
        elif segment and segment != '.':
            segments.append(segment)
    trailing = '/' if path.endswith('/') and segments else ''
    return '/' + '/'.join(segments) + trailing


def canonical_uri(path, s3=False):
    """The URI line: S3 encodes the decoded path once; other services twice."""
    path = path or '/'
    if s3:
        return uri_encode(path, encode_slash=False)
    return uri_encode(uri_encode(_normalize_path(path), encode_slash=False),
                      encode_slash=False)


def query_pairs(query):
    """(name, value) pairs of a raw query string, decoded, blanks kept."""
    return urllib.parse.parse_qsl(query or '', keep_blank_values=True)


def canonical_query(pairs):
    encoded = sorted((uri_encode(k), uri_encode(v)) for k, v in pairs)
    return '&'.join('%s=%s' % pair for pair in encoded)


def _header_value(value):
    return ' '.join(str(value).split())


def canonical_request(method, path, pairs, headers, signed_headers, payload_hash,
                      s3=False):
    """The SigV4 canonical request; a signed header the request lacks is empty."""
    lines = [method.upper(), canonical_uri(path, s3), canonical_query(pairs)]
    lines += ['%s:%s' % (name, _header_value(headers.get(name, '')))
              for name in signed_headers]
    lines += ['', ';'.join(signed_headers), payload_hash]
    return '\n'.join(lines)


def string_to_sign(amz_date, scope, canonical):
    digest = hashlib.sha256(canonical.encode('utf-8')).hexdigest()
    return '\n'.join((ALGORITHM_V4, amz_date, scope, digest))


def _hmac(key, msg):
    return hmac.new(key, msg.encode('utf-8'), hashlib.sha256).digest()


def signing_key(secret, date, region, service):
    key = _hmac(('AWS4' + secret).encode('utf-8'), date)
    for part in (region, service, 'aws4_request'):
        key = _hmac(key, part)
    return key


def sign_v4(secret, amz_date, region, service, canonical):
    """The hex signature of a canonical request."""
    scope = '/'.join((amz_date[:8], region, service, 'aws4_request'))
    key = signing_key(secret, amz_date[:8], region, service)
    return hmac.new(key, string_to_sign(amz_date, scope, canonical).encode('utf-8'),
                    hashlib.sha256).hexdigest()


def _parse_credential(credential):
    parts = credential.split('/')
    if len(parts) != 5 or parts[4] != 'aws4_request' or not all(parts):
        raise MalformedAuthorization(
            reason='Credential must be ACCESS/DATE/REGION/SERVICE/aws4_request')
    return parts[:4]


def parse_authorization(header):
    """An Authorization from 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'."""
    match = _V4_HEADER.match(header or '')
    if not match:
        raise MalformedAuthorization(reason='unsupported authorization type')
    fields = {}
    for item in match.group(1).split(','):
        name, sep, value = item.strip().partition('=')
        if sep:
            fields[name] = value.strip()
    missing = [f for f in ('Credential', 'SignedHeaders', 'Signature') if not fields.get(f)]
    if missing:
        raise MalformedAuthorization(reason='missing %s' % ', '.join(missing))
    access, date, region, service = _parse_credential(fields['Credential'])
    return Authorization(access, date, region, service,
                         fields['SignedHeaders'].lower().split(';'), fields['Signature'])


def parse_amz_date(value):
    try:
        return datetime.datetime.strptime(value, AMZ_DATE_FORMAT).replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        raise MalformedAuthorization(reason='bad date %r (want YYYYMMDDTHHMMSSZ)' % value)


def parse_iso8601(value):
    """A Timestamp/Expires value: 2011-10-03T15:19:30Z, with fractions or an offset."""
    text = (value or '').strip().replace('Z', '+00:00')
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise MalformedAuthorization(reason='bad timestamp %r' % value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def _now(now):
    return now or datetime.datetime.now(datetime.timezone.utc)


def _max_skew(max_skew):
    if max_skew is not None:
        return max_skew
    from nova.conf import CONF
    return CONF.aws_signature_skew


def _check_skew(when, now, max_skew):
    if abs((now - when).total_seconds()) > max_skew:
        raise RequestExpired(reason='%s is more than %ss away from the server time %s' % (
            when.strftime(AMZ_DATE_FORMAT), max_skew, now.strftime(AMZ_DATE_FORMAT)))


def _secret(lookup_secret, access_key):
    secret = lookup_secret(access_key)
    if not secret:
        raise InvalidAccessKey(access_key=access_key)
    return secret


def _payload_hash(request, presigned, s3):
    declared = request.headers.get('x-amz-content-sha256')
    if declared:
        return declared
    if presigned:
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(request.body or b'').hexdigest()


def verify_v4(request, lookup_secret, *, s3=False, service=None, now=None, max_skew=None):
    """Verify a SigV4 request (header or presigned query); a Verified or SignatureError."""
    now, max_skew = _now(now), _max_skew(max_skew)
    pairs = query_pairs(request.query)
    params = dict(pairs)
    presigned = 'X-Amz-Algorithm' in params
    if presigned:
        if params['X-Amz-Algorithm'] != ALGORITHM_V4:
            raise MalformedAuthorization(reason='unsupported X-Amz-Algorithm')
        missing = [f for f in ('X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders',
                               'X-Amz-Signature') if not params.get(f)]
        if missing:
            raise MalformedAuthorization(reason='missing %s' % ', '.join(missing))
        auth = Authorization(*_parse_credential(params['X-Amz-Credential']),
                             params['X-Amz-SignedHeaders'].lower().split(';'),
                             params['X-Amz-Signature'])
        amz_date = params['X-Amz-Date']
        pairs = [(k, v) for k, v in pairs if k != 'X-Amz-Signature']
    else:
        header = request.headers.get('authorization')
        if not header:
            raise MissingAuthentication(reason='no Authorization header')
        auth = parse_authorization(header)
        amz_date = request.headers.get('x-amz-date') or request.headers.get('date')
        if not amz_date:
            raise MalformedAuthorization(reason='missing X-Amz-Date')
    when = parse_amz_date(amz_date) if 'T' in amz_date else _http_date(amz_date)
    if when.strftime('%Y%m%d') != auth.date:
        raise MalformedAuthorization(reason='credential date does not match X-Amz-Date')
    if service and auth.service != service:
        raise MalformedAuthorization(reason='credential is for service %r, not %r' % (
            auth.service, service))
    if presigned:
        _check_presign_window(params.get('X-Amz-Expires'), when, now, max_skew)
    else:
        _check_skew(when, now, max_skew)
    if 'host' not in auth.signed_headers:
        raise MalformedAuthorization(reason='the host header must be signed')
    secret = _secret(lookup_secret, auth.access_key)
    canonical = canonical_request(request.method, request.path, pairs, request.headers,
                                  auth.signed_headers, _payload_hash(request, presigned, s3),
                                  s3=s3)
    expected = sign_v4(secret, amz_date if 'T' in amz_date else when.strftime(AMZ_DATE_FORMAT),
                       auth.region, auth.service, canonical)
    if not constant_time_equals(expected, auth.signature):
        raise SignatureMismatch(access_key=auth.access_key)
    return Verified(auth.access_key, 4, when, auth.region, auth.service, presigned)


def _http_date(value):
    """A Date header (RFC 7231), accepted by SigV4 when X-Amz-Date is absent."""
    try:
        return parsedate_to_datetime(value).astimezone(datetime.timezone.utc)
    except (TypeError, ValueError):
        raise MalformedAuthorization(reason='bad Date header %r' % value)


def _check_presign_window(expires, when, now, max_skew):
    try:
        seconds = int(expires)
    except (TypeError, ValueError):
        raise MalformedAuthorization(reason='X-Amz-Expires must be a number of seconds')
    if not 0 < seconds <= MAX_PRESIGN_EXPIRES:
        raise MalformedAuthorization(
            reason='X-Amz-Expires must be between 1 and %d' % MAX_PRESIGN_EXPIRES)
    if (when - now).total_seconds() > max_skew:
        raise RequestExpired(reason='X-Amz-Date is in the future')
    if (now - when).total_seconds() > seconds:
        raise RequestExpired(reason='the presigned request expired')


# ------------------------------------------------------------- SigV2 (query)

def string_to_sign_v2(method, host, path, params):
    """Method, lower-case host, path and the sorted, encoded params but Signature."""
    pairs = sorted((uri_encode(k), uri_encode(v)) for k, v in params.items()
                   if k != 'Signature')
    query = '&'.join('%s=%s' % pair for pair in pairs)
    return '\n'.join((method.upper(), host.lower(), path or '/', query))


def sign_v2(secret, string, method='HmacSHA256'):
    if method not in V2_METHODS:
        raise MalformedAuthorization(reason='unsupported SignatureMethod %r' % method)
    digest = hmac.new(secret.encode('utf-8'), string.encode('utf-8'), V2_METHODS[method])
    return base64.b64encode(digest.digest()).decode('ascii')


def _v2_hosts(host):
    """The Host header, and without a default port (older clients omit it)."""
    hosts = [host]
    name, sep, port = host.rpartition(':')
    if sep and port in ('80', '443'):
        hosts.append(name)
    return hosts


def verify_v2(request, params, lookup_secret, *, now=None, max_skew=None):
    """Verify a SignatureVersion=2 query request; params are the decoded query/form."""
    now, max_skew = _now(now), _max_skew(max_skew)
    missing = [f for f in ('AWSAccessKeyId', 'Signature', 'SignatureMethod') if not params.get(f)]
    if missing:
        raise MalformedAuthorization(reason='missing %s' % ', '.join(missing))
    if params.get('SignatureVersion') != '2':
        raise MalformedAuthorization(reason='only SignatureVersion 2 and 4 are supported')
    method = params['SignatureMethod']
    if method not in V2_METHODS:
        raise MalformedAuthorization(reason='unsupported SignatureMethod %r' % method)
    if params.get('Timestamp') and params.get('Expires'):
        raise MalformedAuthorization(reason='give Timestamp or Expires, not both')
    if params.get('Expires'):
        when = parse_iso8601(params['Expires'])
        if when < now:
            raise RequestExpired(reason='Expires %s has passed' % params['Expires'])
    elif params.get('Timestamp'):
        when = parse_iso8601(params['Timestamp'])
        _check_skew(when, now, max_skew)
    else:
        raise MalformedAuthorization(reason='missing Timestamp or Expires')
    access_key = params['AWSAccessKeyId']
    secret = _secret(lookup_secret, access_key)
    for host in _v2_hosts(request.headers.get('host', '')):
        expected = sign_v2(secret, string_to_sign_v2(request.method, host, request.path,
                                                     params), method)
        if constant_time_equals(expected, params['Signature']):
            return Verified(access_key, 2, when)
    raise SignatureMismatch(access_key=access_key)


def verify(request, lookup_secret, *, params=None, s3=False, service=None, now=None,
           max_skew=None):
    """Verify whichever style the request uses; params (query + form) enable SigV2."""
    if request.headers.get('authorization', '').startswith(ALGORITHM_V4) or \
            'X-Amz-Algorithm=' in (request.query or ''):
        return verify_v4(request, lookup_secret, s3=s3, service=service, now=now,
                         max_skew=max_skew)
    if params and ('Signature' in params or 'AWSAccessKeyId' in params):
        return verify_v2(request, params, lookup_secret, now=now, max_skew=max_skew)
    if request.headers.get('authorization'):
        raise MalformedAuthorization(reason='unsupported authorization type')
    raise MissingAuthentication(reason='no Authorization header or signature parameters')
