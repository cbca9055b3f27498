"""The S3 front end: addressing, authentication, routing, S3 error documents.

A request names its bucket in the path (/bucket/key, path style) or in the
Host header (bucket.<s3 host>/key, virtual-host style, where the s3 host is
--s3_host_suffix, else --public_endpoint_host, else localhost; bucket.localhost
always works). The operation follows from the method, whether a key is named,
and the sub-resource in the query (?acl, ?uploads, ?uploadId=..., ?delete, ...).
"""
import logging
import urllib.parse

import webob
import webob.dec

from nova import context as nova_context
from nova import exception
from nova.api import middleware
from nova.auth import endpoints
from nova.conf import CONF
from nova.i18n import _, _LE
from nova.objectstore import access
from nova.objectstore import attributes
from nova.objectstore import auth
from nova.objectstore import bucket_policy
from nova.objectstore import buckets
from nova.objectstore import cors
from nova.objectstore import errors
from nova.objectstore import lifecycle
from nova.objectstore import multipart
from nova.objectstore import objects
from nova.objectstore import post_object
from nova.objectstore import request
from nova.objectstore import storage
from nova.objectstore import tagging
from nova.objectstore.errors import S3Error

LOG = logging.getLogger(__name__)

# sub-resources S3 has and this store does not (NotImplemented rather than a
# wrong answer from the plain operation)
UNSUPPORTED = frozenset((
    'accelerate', 'analytics', 'encryption', 'intelligent-tiering',
    'inventory', 'legal-hold', 'logging', 'metrics', 'notification',
    'object-lock', 'ownershipControls', 'publicAccessBlock', 'replication',
    'requestPayment', 'restore', 'retention', 'select', 'torrent', 'website'))

# (method, sub-resource or None) -> (handler, the S3 action bucket policies name)
SERVICE_ROUTES = {('GET', None): (buckets.list_buckets, 's3:ListAllMyBuckets')}
BUCKET_ROUTES = {
    ('GET', None): (buckets.list_objects, 's3:ListBucket'),
    ('HEAD', None): (buckets.head_bucket, 's3:ListBucket'),
    ('PUT', None): (buckets.create_bucket, 's3:CreateBucket'),
    ('DELETE', None): (buckets.delete_bucket, 's3:DeleteBucket'),
    ('POST', None): (post_object.post_object, 's3:PutObject'),
    ('OPTIONS', None): (cors.preflight, None),
    ('GET', 'acl'): (buckets.get_acl, 's3:GetBucketAcl'),
    ('PUT', 'acl'): (buckets.put_acl, 's3:PutBucketAcl'),
    ('GET', 'location'): (buckets.get_location, 's3:GetBucketLocation'),
    ('GET', 'uploads'): (buckets.list_uploads, 's3:ListBucketMultipartUploads'),
    ('POST', 'delete'): (buckets.delete_objects, 's3:DeleteObject'),
    ('GET', 'versioning'): (buckets.get_versioning, 's3:GetBucketVersioning'),
    ('PUT', 'versioning'): (buckets.put_versioning, 's3:PutBucketVersioning'),
    ('GET', 'versions'): (buckets.list_versions, 's3:ListBucketVersions'),
    ('GET', 'cors'): (cors.get_cors, 's3:GetBucketCORS'),
    ('PUT', 'cors'): (cors.put_cors, 's3:PutBucketCORS'),
    ('DELETE', 'cors'): (cors.delete_cors, 's3:PutBucketCORS'),
    ('GET', 'tagging'): (tagging.get_bucket_tagging, 's3:GetBucketTagging'),
    ('PUT', 'tagging'): (tagging.put_bucket_tagging, 's3:PutBucketTagging'),
    ('DELETE', 'tagging'): (tagging.delete_bucket_tagging, 's3:PutBucketTagging'),
    ('GET', 'lifecycle'): (lifecycle.get_lifecycle, 's3:GetLifecycleConfiguration'),
    ('PUT', 'lifecycle'): (lifecycle.put_lifecycle, 's3:PutLifecycleConfiguration'),
    ('DELETE', 'lifecycle'): (lifecycle.delete_lifecycle, 's3:PutLifecycleConfiguration'),
    ('GET', 'policy'): (bucket_policy.get_policy, 's3:GetBucketPolicy'),
    ('PUT', 'policy'): (bucket_policy.put_policy, 's3:PutBucketPolicy'),
    ('DELETE', 'policy'): (bucket_policy.delete_policy, 's3:DeleteBucketPolicy'),
    ('GET', 'policyStatus'): (bucket_policy.get_policy_status, 's3:GetBucketPolicyStatus'),
}
OBJECT_ROUTES = {
    ('GET', None): (objects.get_object, 's3:GetObject'),
    ('HEAD', None): (objects.get_object, 's3:GetObject'),
    ('PUT', None): (objects.put_object, 's3:PutObject'),
    ('PUT', 'copy'): (objects.copy_object, 's3:PutObject'),
    ('DELETE', None): (objects.delete_object, 's3:DeleteObject'),
    ('OPTIONS', None): (cors.preflight, None),
    ('GET', 'acl'): (objects.get_acl, 's3:GetObjectAcl'),
    ('GET', 'attributes'): (attributes.get_object_attributes, 's3:GetObjectAttributes'),
    ('PUT', 'acl'): (objects.put_acl, 's3:PutObjectAcl'),
    ('GET', 'tagging'): (tagging.get_object_tagging, 's3:GetObjectTagging'),
    ('PUT', 'tagging'): (tagging.put_object_tagging, 's3:PutObjectTagging'),
    ('DELETE', 'tagging'): (tagging.delete_object_tagging, 's3:DeleteObjectTagging'),
    ('POST', 'uploads'): (multipart.create, 's3:PutObject'),
    ('PUT', 'uploadId'): (multipart.upload_part, 's3:PutObject'),
    ('GET', 'uploadId'): (multipart.list_parts, 's3:ListMultipartUploadParts'),
    ('POST', 'uploadId'): (multipart.complete, 's3:PutObject'),
    ('DELETE', 'uploadId'): (multipart.abort, 's3:AbortMultipartUpload'),
}
# the action of a request that names a versionId
VERSION_ACTIONS = {'s3:GetObject': 's3:GetObjectVersion',
                   's3:DeleteObject': 's3:DeleteObjectVersion',
                   's3:GetObjectAcl': 's3:GetObjectVersionAcl',
                   's3:PutObjectAcl': 's3:PutObjectVersionAcl',
                   's3:GetObjectTagging': 's3:GetObjectVersionTagging',
                   's3:PutObjectTagging': 's3:PutObjectVersionTagging',
                   's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
                   's3:GetObjectAttributes': 's3:GetObjectVersionAttributes'}
# in the order a request naming several is routed
_SUBRESOURCES = ('acl', 'location', 'uploads', 'uploadId', 'delete', 'versioning',
                 'versions', 'tagging', 'cors', 'policyStatus', 'policy', 'lifecycle',
                 'attributes')


def host_suffixes():
    """Hosts whose sub-domains name a bucket: the configured one, and localhost
    (RFC 6761: *.localhost is loopback, so <bucket>.localhost is always us)."""
    configured = (CONF.s3_host_suffix or CONF.public_endpoint_host or 'localhost').lower()
    return (configured, 'localhost')


def address(req):
    """(bucket, key, host_style) the request names; None for what it does not."""
    try:
        path = req.path_info
    except UnicodeDecodeError:
        raise S3Error('InvalidURI')
    host = (endpoints.request_host(req.host) or '').lower()
    for suffix in host_suffixes():
        if host.endswith('.' + suffix):
            return host[:-len(suffix) - 1], path[1:] or None, True
    name, _sep, key = path[1:].partition('/')
    return name or None, key or None, False


def route(s3req):
    """The handler of the request (its S3 action set on s3req); MethodNotAllowed
    or NotImplemented if none."""
    params = s3req.params
    unsupported = UNSUPPORTED.intersection(params)
    if unsupported:
        raise S3Error('NotImplemented', _('The %s sub-resource is not supported')
                      % sorted(unsupported)[0])
    subresource = next((name for name in _SUBRESOURCES if name in params), None)
    if s3req.bucket_name is None:
        routes = SERVICE_ROUTES
    elif s3req.key is None:
        routes = BUCKET_ROUTES
    else:
        routes = OBJECT_ROUTES
        if subresource is None and 'x-amz-copy-source' in s3req.headers:
            subresource = 'copy'
    method = 'GET' if routes is SERVICE_ROUTES and s3req.req.method == 'HEAD' \
        else s3req.req.method
    found = routes.get((method, subresource))
    if found is None:
        if any(m == method for m, _ in routes):
            raise S3Error('NotImplemented', _('This operation is not supported'))
        raise S3Error('MethodNotAllowed', Method=s3req.req.method,
                      ResourceType='SERVICE' if routes is SERVICE_ROUTES
                      else 'BUCKET' if routes is BUCKET_ROUTES else 'OBJECT')
    handler, action = found
    if 'versionId' in params:
        action = VERSION_ACTIONS.get(action, action)
    s3req.action = action
    return handler


class S3App:
    """WSGI app of nova-objectstore."""

    def __init__(self, store=None):
        self.store = store or storage.Store(CONF.buckets_path)
        self.store.remove_stale(CONF.s3_stale_tmp_age)
        self.sweeper = lifecycle.start(self.store)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = (req.environ.get(middleware.ENV_REQUEST_ID)
                      or nova_context.generate_request_id())
        resource = _resource(req)
        s3req = None
        try:
            named = address(req)
            identity = auth.authenticate(req, request_id, named)
            s3req = request.S3Request(req, self.store, identity, request_id, *named)
            handler = route(s3req)
            access.require_role(identity.context, req.method)
            response = handler(s3req)
            cors.add_headers(s3req, response)
        except S3Error as e:
            response = e.response(resource, request_id, req)
        except exception.NovaException as e:
            error = errors.from_nova(e, *_names(s3req))
            if error is None:
                LOG.exception(_LE('S3 request %s %s failed'), req.method, resource)
                error = S3Error('InternalError')
            response = error.response(resource, request_id, req)
        except Exception:
            LOG.exception(_LE('S3 request %s %s failed'), req.method, resource)
            response = S3Error('InternalError').response(resource, request_id, req)
        response.headers['x-amz-request-id'] = request_id
        response.headers['x-amz-id-2'] = request_id
        return response


def _resource(req):
    """The path for error documents and logs: as decoded, or percent-encoded
    when it is not UTF-8 (never an exception of its own)."""
    try:
        return req.path
    except UnicodeDecodeError:
        raw = (req.script_name + req.environ.get('PATH_INFO', '')).encode('latin-1')
        return urllib.parse.quote(raw, safe='/')


def _names(s3req):
    if s3req is None:
        return None, None, None
    return s3req.bucket_name, s3req.key, s3req.params.get('uploadId')
