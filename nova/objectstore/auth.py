"""Who sent an S3 request, and what its signature says about the body.

SigV4 (Authorization header or presigned query) is verified by the shared core
in nova.auth.signature with S3's path encoding. What only S3 has is here:

- SigV2 as S3 defines it: ``Authorization: AWS <access>:<signature>`` or the
  query form (AWSAccessKeyId, Expires, Signature), HMAC-SHA1 over S3's
  string to sign with its canonical resource and sub-resources;
- the x-amz-content-sha256 header every SigV4 request carries: a SHA-256 the
  body must match (checked while streaming, nova.objectstore.payload),
  UNSIGNED-PAYLOAD, or a STREAMING-* aws-chunked body whose chunk signatures
  chain from the request's signature (``ChunkSigner``).

A request with no signature is anonymous (``Identity.context`` None); what an
anonymous caller may do is decided by nova.objectstore.access.
"""
import dataclasses
import datetime
import email.utils
import hashlib
import hmac
import re
import time
import urllib.parse

from nova import context as nova_context
from nova import exception
from nova.auth import manager
from nova.auth import signature
from nova.conf import CONF
from nova.i18n import _
from nova.objectstore.errors import S3Error

UNSIGNED = signature.UNSIGNED_PAYLOAD
STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
STREAMING = (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)
EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
_SHA256_HEX = re.compile(r'^[0-9a-f]{64}$')

# the query parameters S3's SigV2 canonical resource includes
SUBRESOURCES = frozenset((
    'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification',
    'partNumber', 'policy', 'requestPayment', 'restore', 'tagging', 'torrent', 'uploadId',
    'uploads', 'versionId', 'versioning', 'versions', 'website', 'response-cache-control',
    'response-content-disposition', 'response-content-encoding',
    'response-content-language', 'response-content-type', 'response-expires'))


@dataclasses.dataclass
class Identity:
    """The caller (context None: anonymous) and how its body is signed."""

    context: nova_context.RequestContext = None
    payload: str = UNSIGNED  # x-amz-content-sha256: a hex SHA-256, UNSIGNED or STREAMING-*
    chunk_signer: 'ChunkSigner' = None


class ChunkSigner:
    """The chained signatures of an aws-chunked body (STREAMING-AWS4-HMAC-SHA256-*)."""

    def __init__(self, key, amz_date, scope, seed):
        self.key, self.amz_date, self.scope, self.previous = key, amz_date, scope, seed

    def _check(self, kind, digest, given, extra=()):
        string = '\n'.join(('AWS4-HMAC-SHA256-' + kind, self.amz_date, self.scope,
                            self.previous) + tuple(extra) + (digest,))
        expected = hmac.new(self.key, string.encode('utf-8'), hashlib.sha256).hexdigest()
        if not signature.constant_time_equals(expected, given or ''):
            raise S3Error('SignatureDoesNotMatch',
                          _('The %s signature of the streamed body does not match.')
                          % kind.lower())
        self.previous = expected

    def verify_chunk(self, data_sha256, given):
        self._check('PAYLOAD', data_sha256, given, (EMPTY_SHA256,))

    def verify_trailer(self, trailer_text, given):
        """trailer_text: the trailing headers as 'name:value\\n' lines."""
        self._check('TRAILER', hashlib.sha256(trailer_text.encode('utf-8')).hexdigest(),
                    given)


def sent_content_type(req):
    """The Content-Type the client sent, or None (eventlet fills in text/plain)."""
    raw = req.environ.get('headers_raw')
    if raw is None:
        return req.environ.get('CONTENT_TYPE') or None
    return next((value for name, value in raw if name.lower() == 'content-type'), None)


def _headers(req):
    """The request headers by lower-case name, as the client sent them."""
    headers = {k.lower(): v for k, v in req.headers.items()}
    headers.pop('content-type', None)
    content_type = sent_content_type(req)
    if content_type is not None:
        headers['content-type'] = content_type
    return headers


@dataclasses.dataclass
class _Known:
    """An access key whose owner was found able to act: reused for a few seconds."""

    secret: str
    user_id: str
    project_id: str
    context: dict = None  # roles, user_name, project_name once user_context succeeded
    expires: float = 0.0


_KNOWN = {}  # access key -> _Known (--s3_auth_cache_ttl)


class Credentials:
    """Looks an access key up (or reuses a recent lookup) and makes its context."""

    def __init__(self):
        self.known = self.access_key = None

    def secret(self, access_key):
        known = _KNOWN.get(access_key)
        if known is None or known.expires < time.monotonic():
            try:
                row = manager.get_ec2_credentials(nova_context.get_admin_context(),
                                                  access_key)
            except exception.Ec2CredentialNotFound:
                return None
            known = _Known(row.secret, row.user_id, row.project_id)
        self.known, self.access_key = known, access_key
        return known.secret

    def context(self, req, request_id):
        known = self.known
        if known.context is None:
            try:
                found = manager.user_context(known.user_id, known.project_id)
            except (exception.NotAuthorized, exception.NotFound) as e:
                raise S3Error('AccessDenied', e.format_message())
            known.context = {'roles': found.roles, 'user_name': found.user_name,
                             'project_name': found.project_name}
            known.expires = time.monotonic() + CONF.s3_auth_cache_ttl
            if CONF.s3_auth_cache_ttl:
                _KNOWN[self.access_key] = known
        return nova_context.RequestContext(
            user_id=known.user_id, project_id=known.project_id, request_id=request_id,
            remote_address=req.remote_addr, **known.context)


def authenticate(req, request_id, address):
    """The Identity of the request's signer; S3Error when a signature is bad.

    address: (bucket, key, host_style) the request names (SigV2 signs them).
    """
    header = req.headers.get('Authorization', '')
    query = req.environ.get('QUERY_STRING', '')
    params = dict(signature.query_pairs(query))
    credentials = Credentials()
    if header.startswith(signature.ALGORITHM_V4) or 'X-Amz-Algorithm' in params:
        identity = _verify_v4(req, header, params, credentials)
    elif header.startswith('AWS '):
        _verify_v2(req, header[4:], None, credentials, address)
        identity = Identity()
    elif 'AWSAccessKeyId' in params:
        _verify_v2(req, '%s:%s' % (params['AWSAccessKeyId'], params.get('Signature', '')),
                   params, credentials, address)
        identity = Identity()
    elif header:
        raise S3Error('InvalidArgument', _('Unsupported Authorization Type'),
                      ArgumentName='Authorization', ArgumentValue=header.split(' ')[0])
    else:
        return Identity()
    identity.context = credentials.context(req, request_id)
    return identity


def _payload_declared(headers, presigned):
    """The x-amz-content-sha256 a SigV4 request declares (presigned: UNSIGNED)."""
    declared = headers.get('x-amz-content-sha256')
    if presigned:
        return declared or UNSIGNED
    if not declared:
        raise S3Error('InvalidRequest',
                      _('Missing required header for this request: x-amz-content-sha256'))
    if declared not in STREAMING + (UNSIGNED,) and not _SHA256_HEX.match(declared):
        raise S3Error('InvalidArgument', _('x-amz-content-sha256 must be UNSIGNED-PAYLOAD, '
                      'STREAMING-..., or a valid sha256 value.'),
                      ArgumentName='x-amz-content-sha256', ArgumentValue=declared)
    return declared


def _check_presign_expires(params):
    """X-Amz-Expires of a presigned URL: 1 s to a week. S3 answers a URL outside
    that with 403 AccessDenied (it never was valid), not a 400."""
    value = params.get('X-Amz-Expires')
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = 0
    if not 0 < seconds <= signature.MAX_PRESIGN_EXPIRES:
        raise S3Error('AccessDenied', _('X-Amz-Expires must be between 1 and %d seconds, '
                      'not %s') % (signature.MAX_PRESIGN_EXPIRES, value))


def _verify_v4(req, header, params, credentials):
    presigned = not header.startswith(signature.ALGORITHM_V4)
    if presigned:
        _check_presign_expires(params)
    headers = _headers(req)
    payload = _payload_declared(headers, presigned)
    request = signature.HTTPRequest(req.method, req.script_name + req.path_info or '/',
                                    req.environ.get('QUERY_STRING', ''), headers)
    try:
        verified = signature.verify_v4(request, credentials.secret, s3=True, service='s3')
    except signature.MalformedAuthorization as e:
        raise S3Error('AuthorizationQueryParametersError' if presigned
                      else 'AuthorizationHeaderMalformed', e.format_message())
    except signature.InvalidAccessKey:
        raise S3Error('InvalidAccessKeyId')
    except signature.SignatureMismatch:
        raise S3Error('SignatureDoesNotMatch')
    except signature.RequestExpired as e:
        if presigned:
            raise S3Error('AccessDenied', _('Request has expired'))
        raise S3Error('RequestTimeTooSkewed', e.format_message())
    identity = Identity(payload=payload)
    if payload in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        if presigned:
            raise S3Error('InvalidRequest', _('A presigned request cannot stream a signed body'))
        auth = signature.parse_authorization(header)
        amz_date = verified.timestamp.strftime(signature.AMZ_DATE_FORMAT)
        key = signature.signing_key(credentials.known.secret, auth.date, auth.region,
                                    auth.service)
        identity.chunk_signer = ChunkSigner(key, amz_date, auth.scope, auth.signature)
    return identity


# ------------------------------------------------------------------ SigV2

def _canonical_resources(req, address):
    """'/bucket/key' as sent (percent-encoded), then the sub-resources, sorted.

    A bucket-level request is '/bucket/' in either addressing style (botocore
    and boto sign that); a path-style one may also be signed as sent, '/bucket'.
    """
    bucket, key, host_style = address
    path = req.environ.get('RAW_PATH_INFO') or urllib.parse.quote(req.path_info, safe='/~')
    if bucket and not key:
        paths = ['/%s/' % bucket]
        if not host_style and path != paths[0]:
            paths.append(path)
    else:
        paths = [('/' + bucket + path) if host_style else path]
    subresources = []
    for item in req.environ.get('QUERY_STRING', '').split('&'):
        name, sep, value = item.partition('=')
        name = urllib.parse.unquote(name)
        if name in SUBRESOURCES:
            subresources.append((name, sep + urllib.parse.unquote(value)))
    query = '?' + '&'.join(name + value for name, value in sorted(subresources)) \
        if subresources else ''
    return [path + query for path in paths]


def strings_to_sign_v2(req, date_line, address):
    """S3's SigV2 strings (one per accepted canonical resource): verb, Content-MD5,
    Content-Type, date, x-amz-* headers, resource."""
    headers = _headers(req)
    amz = {name: value.strip() for name, value in headers.items()
           if name.startswith('x-amz-')}
    lines = [req.method, headers.get('content-md5', ''), headers.get('content-type', ''),
             date_line]
    lines += ['%s:%s' % (name, amz[name]) for name in sorted(amz)]
    return ['\n'.join(lines + [resource]) for resource in _canonical_resources(req, address)]


def _v2_date_line(req, params):
    """The date of the string to sign, checked against the clock."""
    now = time.time()
    if params is not None:
        try:
            expires = int(params.get('Expires', ''))
        except ValueError:
            raise S3Error('AccessDenied', _('Query-string authentication requires the '
                          'Signature, Expires and AWSAccessKeyId parameters'))
        if expires < now:
            raise S3Error('AccessDenied', _('Request has expired'))
        return str(expires)
    sent = req.headers.get('x-amz-date') or req.headers.get('Date')
    try:
        when = email.utils.parsedate_to_datetime(sent)
    except (TypeError, ValueError):
        raise S3Error('AccessDenied', _('AWS authentication requires a valid Date or '
                      'x-amz-date header'))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    if abs(when.timestamp() - now) > CONF.aws_signature_skew:
        raise S3Error('RequestTimeTooSkewed')
    return '' if 'x-amz-date' in req.headers else sent


def _verify_v2(req, credential, params, credentials, address):
    access_key, _sep, given = credential.rpartition(':')
    if not access_key or not given:
        raise S3Error('AuthorizationHeaderMalformed' if params is None
                      else 'AuthorizationQueryParametersError',
                      _('Expected AWS <access key>:<signature>'))
    date_line = _v2_date_line(req, params)
    secret = credentials.secret(access_key)
    if not secret:
        raise S3Error('InvalidAccessKeyId')
    if not any(signature.constant_time_equals(signature.sign_v2(secret, string, 'HmacSHA1'),
                                              given)
               for string in strings_to_sign_v2(req, date_line, address)):
        raise S3Error('SignatureDoesNotMatch')
