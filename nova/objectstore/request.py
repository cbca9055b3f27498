"""One S3 request as the handlers see it: who, which bucket and key, its body."""
import dataclasses
import datetime
import email.utils
import hashlib
import urllib.parse

import webob

from nova.auth import signature
from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import auth
from nova.objectstore import payload
from nova.objectstore import storage
from nova.objectstore import tagsets
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

# headers S3 stores with an object and returns on GET and HEAD
STORED_HEADERS = ('Content-Encoding', 'Content-Disposition', 'Content-Language',
                  'Cache-Control', 'Expires')
DEFAULT_CONTENT_TYPE = 'binary/octet-stream'
MAX_USER_METADATA = 2048
META_PREFIX = 'x-amz-meta-'


@dataclasses.dataclass
class S3Request:
    req: webob.Request
    store: storage.Store
    identity: auth.Identity
    request_id: str
    bucket_name: str = None
    key: str = None
    host_style: bool = False  # the bucket came from the Host header

    def __post_init__(self):
        self.params = dict(signature.query_pairs(self.req.environ.get('QUERY_STRING')))
        self._bucket = None
        self.action = None  # 's3:GetObject'...: set by the app from the route

    @property
    def context(self):
        return self.identity.context

    @property
    def headers(self):
        return self.req.headers

    def bucket(self):
        """The addressed bucket (read once); NoSuchBucket via BucketNotFound."""
        if self._bucket is None:
            self._bucket = self.store.get_bucket(self.bucket_name)
        return self._bucket

    def owned_bucket(self):
        """The bucket, if the caller owns it (configuration); AccessDenied otherwise."""
        bucket = self.bucket()
        access.require_owner(self.context, bucket)
        return bucket

    def bucket_config(self, name, missing):
        """(bucket, its configuration sub-resource name) for the bucket's owner;
        the S3 error code missing (404) when it has none."""
        bucket = self.owned_bucket()
        found = bucket.config.get(name)
        if not found:
            raise S3Error(missing, BucketName=bucket.name)
        return bucket, found

    def set_bucket_config(self, name, document, status=200):
        """Set (None: delete) a configuration sub-resource of the owner's bucket."""
        self.store.set_bucket_config(self.owned_bucket(), name, document)
        return webob.Response(status=status if document is not None else 204)

    def bucket_granting(self, permission):
        """The bucket, if the caller has the permission on it (on the key, for
        the bucket policy); AccessDenied otherwise."""
        bucket = self.bucket()
        access.require_bucket(self.asker, bucket, permission, self.key)
        return bucket

    def require_listing(self, bucket, key=None):
        """Before telling that key is missing: S3 tells a missing key apart from a
        forbidden one only to those who may list the bucket, and whom the
        policy does not deny the request itself (AccessDenied otherwise)."""
        if key is not None and access.denied(self.asker, bucket, key):
            raise S3Error('AccessDenied')
        access.require_bucket(self.asker, bucket, acl.READ, action='s3:ListBucket')

    @property
    def asker(self):
        """The caller, the S3 action (the app sets it from the route) and the
        values bucket policy conditions test."""
        req = self.req
        values = {'aws:sourceip': req.remote_addr,
                  'aws:securetransport': 'true' if req.scheme == 'https' else 'false',
                  'aws:useragent': req.user_agent, 'aws:referer': req.referer,
                  'aws:principaltype': 'Anonymous' if self.context is None else 'Account',
                  's3:x-amz-acl': req.headers.get('x-amz-acl'),
                  's3:versionid': self.params.get('versionId')}
        for name in ('prefix', 'delimiter', 'max-keys'):
            values['s3:' + name] = self.params.get(name)
        return access.Asker(self.context, self.action,
                            {k: v for k, v in values.items() if v is not None})

    def body(self, limit=None):
        return payload.body(self.req, self.identity, limit)

    def read_body(self, limit=xmlutil.MAX_BODY):
        """The whole (small) body, its Content-MD5 checked."""
        data = b''.join(self.body(limit))
        expected = payload.content_md5(self.req)
        if expected is not None and hashlib.md5(data).digest() != expected:
            raise S3Error('BadDigest')
        return data

    def read_xml(self, root, required=True):
        """The body parsed as the root document (None if empty and not required)."""
        data = self.read_body()
        if not data.strip() and not required:
            return None
        try:
            return xmlutil.parse(data, root)
        except xmlutil.MalformedXML:
            raise S3Error('MalformedXML')

    def int_param(self, name, default, low, high):
        return bounded_int(self.params.get(name), name, default, low, high)

    def object_attrs(self, bucket):
        """What a new object stores from the request: type, headers, metadata, ACL."""
        headers = {}
        for name in STORED_HEADERS:
            value = self.headers.get(name)
            if name == 'Content-Encoding' and value:
                value = ', '.join(v.strip() for v in value.split(',')
                                 if v.strip().lower() != 'aws-chunked')
            if value:
                headers[name] = value
        meta = {name.lower(): value for name, value in self.headers.items()
                if name.lower().startswith(META_PREFIX)}
        if sum(len(k) - len(META_PREFIX) + len(v) for k, v in meta.items()) \
                > MAX_USER_METADATA:
            raise S3Error('MetadataTooLarge', MaxSizeAllowed=MAX_USER_METADATA)
        return {'content_type': auth.sent_content_type(self.req) or DEFAULT_CONTENT_TYPE,
                'headers': headers, 'meta': meta,
                'acl': access.object_acl_from_request(self.req, self.context,
                                                      bucket).document(),
                'tags': tagsets.for_new_object(self.headers)}

    def url(self, key):
        """Where an object can be fetched (CompleteMultipartUpload's Location)."""
        base = '%s://%s' % (self.req.scheme, self.req.host)
        path = '/' + key if self.host_style else '/%s/%s' % (self.bucket_name, key)
        return base + urllib.parse.quote(path, safe='/~')


def bounded_int(value, name, default, low, high):
    """A query parameter or header as an integer in [low, high] (default when
    absent); InvalidArgument naming it."""
    if value is None or value == '':
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise S3Error('InvalidArgument', _('%s must be an integer between %d and %d')
                      % (name, low, high), ArgumentName=name, ArgumentValue=value[:40])
    return number


def http_date(when):
    return email.utils.format_datetime(when.astimezone(datetime.timezone.utc),
                                       usegmt=True)


def parse_http_date(value):
    """A datetime for an HTTP date header, None when absent or unparsable."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def parse_iso_date(value):
    """A datetime for an ISO 8601 date (XML bodies), None when unparsable."""
    try:
        when = datetime.datetime.fromisoformat(value.strip().replace('Z', '+00:00'))
    except (AttributeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)

