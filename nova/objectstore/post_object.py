"""POST object: browser-form uploads (multipart/form-data) with a signed policy.

The form's fields come first (key, policy, the signature fields, acl,
Content-Type, x-amz-meta-*, success_action_status or _redirect, tagging...),
then the file, which streams straight into the object as any PutObject body
does (S3 ignores fields after the file). The policy is a base64 JSON document
with an expiration and conditions ({"field": value}, ["eq", "$field", value],
["starts-with", "$field", prefix], ["content-length-range", min, max]); every
field but the policy, the signature and the file must be allowed by one.
Signatures: SigV4 (x-amz-algorithm, x-amz-credential, x-amz-date,
x-amz-signature over the base64 policy) or SigV2 (AWSAccessKeyId, signature).
A form without them is anonymous (a public-read-write bucket).
"""
import base64
import binascii
import hashlib
import hmac
import time
import urllib.parse

import webob

from nova.api import request_input
from nova.auth import signature
from nova.conf import CONF
from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import auth
from nova.objectstore import payload
from nova.objectstore import request
from nova.objectstore import tagsets
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

MAX_FIELDS_BYTES = 64 * 1024  # all fields before the file, headers included
_IGNORED = ('policy', 'signature', 'x-amz-signature', 'awsaccesskeyid', 'file',
            'x-amz-security-token')


class _Form:
    """Reads multipart/form-data from a stream: fields, then the file's chunks."""

    def __init__(self, stream, boundary, chunk_size):
        self.stream, self.chunk_size = stream, chunk_size
        self.delimiter = b'\r\n--' + boundary
        self.buffer = b'\r\n'  # the first boundary has no CRLF before it
        self.budget = MAX_FIELDS_BYTES

    def _fill(self):
        data = self.stream.read(self.chunk_size)
        if not data:
            raise S3Error('MalformedPOSTRequest', _('The body of your POST request is not '
                          'well-formed multipart/form-data.'))
        self.buffer += data

    def _line(self):
        while b'\r\n' not in self.buffer:
            if len(self.buffer) > self.budget:
                raise S3Error('MaxPostPreDataLengthExceeded')
            self._fill()
        line, self.buffer = self.buffer.split(b'\r\n', 1)
        self.budget -= len(line) + 2
        if self.budget < 0:
            raise S3Error('MaxPostPreDataLengthExceeded')
        return line

    def start(self):
        """Skip to the first part; False if the form has none."""
        while self.delimiter not in self.buffer:
            if len(self.buffer) > self.budget:
                raise S3Error('MalformedPOSTRequest')
            self._fill()
        self.buffer = self.buffer.split(self.delimiter, 1)[1]
        return self._after_delimiter()

    def _after_delimiter(self):
        while len(self.buffer) < 2:
            self._fill()
        if self.buffer.startswith(b'--'):
            return False
        self._line()  # the rest of the boundary line
        return True

    def headers(self):
        """The part's (name, filename, content type)."""
        found = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _sep, value = line.decode('utf-8', 'replace').partition(':')
            found[name.strip().lower()] = value.strip()
        disposition = found.get('content-disposition', '')
        params = {}
        for item in disposition.split(';')[1:]:
            key, _sep, value = item.strip().partition('=')
            params[key.lower()] = value.strip('"')
        if 'name' not in params:
            raise S3Error('MalformedPOSTRequest')
        return params['name'], params.get('filename'), found.get('content-type')

    def value(self):
        """A field's whole value (bounded), then the next part: (value, more)."""
        while self.delimiter not in self.buffer:
            if len(self.buffer) > self.budget:
                raise S3Error('MaxPostPreDataLengthExceeded')
            self._fill()
        data, self.buffer = self.buffer.split(self.delimiter, 1)
        self.budget -= len(data)
        if self.budget < 0:
            raise S3Error('MaxPostPreDataLengthExceeded')
        return data, self._after_delimiter()

    def file_chunks(self):
        """The file's bytes, streamed, up to the next delimiter."""
        keep = len(self.delimiter) - 1
        while True:
            at = self.buffer.find(self.delimiter)
            if at >= 0:
                if at:
                    yield self.buffer[:at]
                self.buffer = self.buffer[at + len(self.delimiter):]
                return
            if len(self.buffer) > keep:
                yield self.buffer[:-keep]
                self.buffer = self.buffer[-keep:]
            self._fill()


def _boundary(req):
    content_type = auth.sent_content_type(req) or ''
    kind, _sep, rest = content_type.partition(';')
    if kind.strip().lower() != 'multipart/form-data':
        raise S3Error('PreconditionFailed', _('Bucket POST must be of the enclosure-type '
                      'multipart/form-data'), Condition='Bucket POST must be of the '
                      'enclosure-type multipart/form-data')
    for item in rest.split(';'):
        name, _sep, value = item.strip().partition('=')
        if name.lower() == 'boundary' and value.strip('"'):
            return value.strip('"').encode('latin-1')
    raise S3Error('MalformedPOSTRequest', _('The body of your POST request is not '
                  'well-formed multipart/form-data.'))


def _policy_denied(message):
    return S3Error('AccessDenied', _('Invalid according to Policy: %s') % message)


def _read_policy(fields):
    try:
        document = request_input.json_loads(base64.b64decode(fields['policy'], validate=True),
                                            'The policy')
    except (binascii.Error, ValueError, request_input.MalformedInput):
        raise S3Error('InvalidPolicyDocument', _('Invalid Policy: Invalid JSON.'))
    if not isinstance(document, dict) or not isinstance(document.get('conditions'), list):
        raise S3Error('InvalidPolicyDocument', _('Invalid Policy: Policy missing conditions.'))
    expiration = request.parse_iso_date(document.get('expiration') or '')
    if expiration is None:
        raise S3Error('InvalidPolicyDocument', _('Invalid Policy: Policy missing expiration.'))
    if expiration.timestamp() < time.time():
        raise _policy_denied('Policy expired.')
    return document['conditions']


def _check_conditions(conditions, fields, bucket_name):
    """Every condition holds and every field is covered; (min, max) length."""
    values = dict(fields, bucket=bucket_name)
    covered, length = {'bucket'}, (0, None)
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            (name, expected), = condition.items()
            operator, name = 'eq', name.lower()
        elif isinstance(condition, list) and len(condition) == 3:
            operator, name, expected = condition
            operator = str(operator).lower()
            if operator == 'content-length-range':
                try:
                    length = (int(name), int(expected))
                except (TypeError, ValueError):
                    raise S3Error('InvalidPolicyDocument', _('Invalid Policy: Invalid '
                                  'content-length-range.'))
                continue
            name = str(name).lstrip('$').lower()
        else:
            raise S3Error('InvalidPolicyDocument', _('Invalid Policy: Invalid Condition.'))
        value = values.get(name, '')
        ok = (value == expected if operator == 'eq' else
              operator == 'starts-with' and value.startswith(str(expected)))
        if operator not in ('eq', 'starts-with'):
            raise S3Error('InvalidPolicyDocument', _('Invalid Policy: unknown condition '
                          'operator %s.') % operator[:20])
        if not ok:
            raise _policy_denied('Policy Condition failed: ["%s", "$%s", "%s"]' % (
                operator, name, str(expected)[:100]))
        covered.add(name)
    extra = sorted(name for name in fields if name not in covered and name not in _IGNORED
                   and not name.startswith('x-ignore-'))
    if extra:
        raise _policy_denied('Extra input fields: %s' % ', '.join(extra)[:200])
    return length


def _authenticate(s3req, fields):
    """The signer's context (None: anonymous form); S3's answers for bad ones."""
    credentials = auth.Credentials()
    if 'x-amz-signature' in fields:
        if fields.get('x-amz-algorithm') != signature.ALGORITHM_V4:
            raise S3Error('InvalidArgument', _('Only AWS4-HMAC-SHA256 is supported'),
                          ArgumentName='x-amz-algorithm')
        try:
            access_key, date, region, service = fields['x-amz-credential'].split('/')[:4]
        except (KeyError, ValueError):
            raise S3Error('InvalidArgument', _('Invalid x-amz-credential'),
                          ArgumentName='x-amz-credential')
        secret = credentials.secret(access_key)
        if secret is None:
            raise S3Error('InvalidAccessKeyId')
        key = signature.signing_key(secret, date, region, service)
        expected = hmac.new(key, fields['policy'].encode(), hashlib.sha256).hexdigest()
        given = fields['x-amz-signature']
    elif 'signature' in fields:
        secret = credentials.secret(fields.get('awsaccesskeyid', ''))
        if secret is None:
            raise S3Error('InvalidAccessKeyId')
        expected = base64.b64encode(hmac.new(secret.encode(), fields['policy'].encode(),
                                             hashlib.sha1).digest()).decode()
        given = fields['signature']
    else:
        return None
    if not signature.constant_time_equals(expected, given):
        raise S3Error('SignatureDoesNotMatch')
    return credentials.context(s3req.req, s3req.request_id)


def post_object(s3req):
    """POST /bucket with a form: the uploaded file becomes the object."""
    req = s3req.req
    form = _Form(payload.bounded_input(req), _boundary(req), CONF.s3_io_chunk_size)
    fields, more = {}, form.start()
    file_name = file_type = None
    while more:
        name, filename, content_type = form.headers()
        if name.lower() == 'file':
            file_name, file_type = filename or '', content_type
            break
        value, more = form.value()
        fields[name.lower()] = value.decode('utf-8', 'replace')
    if file_name is None:
        raise S3Error('InvalidArgument', _('POST requires exactly one file upload per request.'),
                      ArgumentName='file', ArgumentValue=0)
    if 'key' not in fields:
        raise S3Error('InvalidArgument', _('Bucket POST must contain a field named \'key\'.'),
                      ArgumentName='key')
    context = None
    if 'policy' in fields:
        context = _authenticate(s3req, fields)
    elif any(name in fields for name in ('signature', 'x-amz-signature')):
        raise S3Error('InvalidArgument', _('Bucket POST must contain a field named \'policy\'.'),
                      ArgumentName='policy')
    s3req.identity.context = context
    access.require_role(context, 'POST')
    low, high = (0, None)
    if context is not None:
        low, high = _check_conditions(_read_policy(fields), fields, s3req.bucket_name)
    s3req.key = fields['key'].replace('${filename}', file_name)
    bucket = s3req.bucket_granting(acl.WRITE)
    attrs = _attrs(s3req, bucket, fields, file_type)
    limit = min(high, CONF.s3_max_object_size) if high is not None else \
        CONF.s3_max_object_size
    info = s3req.store.put_object(bucket, s3req.key, _bounded(form.file_chunks(), low),
                                  attrs, None, limit)
    return _answer(s3req, bucket, fields, info)


def _bounded(chunks, low):
    size = 0
    for chunk in chunks:
        size += len(chunk)
        yield chunk
    if size < low:
        raise S3Error('EntityTooSmall', MinSizeAllowed=low, ProposedSize=size)


def _attrs(s3req, bucket, fields, file_type):
    headers = {name: fields[name.lower()] for name in request.STORED_HEADERS
               if fields.get(name.lower())}
    meta = {name: value for name, value in fields.items()
            if name.startswith(request.META_PREFIX)}
    owner, owner_name = access.writer(s3req.context, bucket)
    rights = acl.canned(fields.get('acl', 'private'), owner, owner_name, bucket.owner,
                        bucket.owner_name)
    tags = {}
    if fields.get('tagging'):
        try:
            document = xmlutil.parse(fields['tagging'].encode('utf-8'), 'Tagging')
        except xmlutil.MalformedXML:
            raise S3Error('MalformedXML')
        tags = tagsets.validate([(t.findtext('Key') or '', t.findtext('Value') or '')
                                 for t in document.findall('TagSet/Tag')],
                                tagsets.MAX_OBJECT_TAGS)
    return {'content_type': fields.get('content-type') or file_type
            or request.DEFAULT_CONTENT_TYPE, 'headers': headers, 'meta': meta,
            'acl': rights.document(), 'tags': tags}


def _answer(s3req, bucket, fields, info):
    location = s3req.url(info.key)
    redirect = fields.get('success_action_redirect') or fields.get('redirect')
    if redirect:
        split = urllib.parse.urlsplit(redirect)
        if split.scheme in ('http', 'https'):
            query = urllib.parse.urlencode({'bucket': bucket.name, 'key': info.key,
                                            'etag': '"%s"' % info.etag})
            target = redirect + ('&' if split.query else '?') + query
            return webob.Response(status=303, headerlist=[
                ('Location', target), ('ETag', '"%s"' % info.etag)])
    status = fields.get('success_action_status', '204')
    headers = [('ETag', '"%s"' % info.etag), ('Location', location)]
    if status == '201':
        response = xmlutil.response('PostResponse', [
            ('Location', location), ('Bucket', bucket.name), ('Key', info.key),
            ('ETag', '"%s"' % info.etag)], status=201, namespace=False)
        response.headerlist += headers
        return response
    return webob.Response(status=200 if status == '200' else 204, headerlist=headers)
