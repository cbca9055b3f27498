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
from nova.objectstore import access
from nova.objectstore import auth
from nova.objectstore import buckets
from nova.objectstore import errors
from nova.objectstore import multipart
from nova.objectstore import objects
from nova.objectstore import request
from nova.objectstore import storage
from nova.objectstore.errors import S3Error

LOG = logging.getLogger(__name__)

# sub-resources S3 has and this store does not (NotImplemented rather than a
# wrong answer from the plain operation)
UNSUPPORTED = frozenset((
    'accelerate', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering',
    'inventory', 'legal-hold', 'lifecycle', 'logging', 'metrics', 'notification',
    'object-lock', 'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock',
    'replication', 'requestPayment', 'restore', 'retention', 'select', 'tagging',
    'torrent', 'website'))

# (method, sub-resource or None) -> handler, for the service, buckets and objects
SERVICE_ROUTES = {('GET', None): buckets.list_buckets}
BUCKET_ROUTES = {
    ('GET', None): buckets.list_objects,
    ('GET', 'acl'): buckets.get_acl,
    ('GET', 'location'): buckets.get_location,
    ('GET', 'uploads'): buckets.list_uploads,
    ('GET', 'versioning'): buckets.get_versioning,
    ('PUT', 'versioning'): buckets.put_versioning,
    ('GET', 'versions'): buckets.list_versions,
    ('HEAD', None): buckets.head_bucket,
    ('PUT', None): buckets.create_bucket,
    ('PUT', 'acl'): buckets.put_acl,
    ('DELETE', None): buckets.delete_bucket,
    ('POST', 'delete'): buckets.delete_objects,
}
OBJECT_ROUTES = {
    ('GET', None): objects.get_object,
    ('HEAD', None): objects.get_object,
    ('GET', 'acl'): objects.get_acl,
    ('GET', 'uploadId'): multipart.list_parts,
    ('PUT', None): objects.put_object,
    ('PUT', 'copy'): objects.copy_object,
    ('PUT', 'acl'): objects.put_acl,
    ('PUT', 'uploadId'): multipart.upload_part,
    ('DELETE', None): objects.delete_object,
    ('DELETE', 'uploadId'): multipart.abort,
    ('POST', 'uploads'): multipart.create,
    ('POST', 'uploadId'): multipart.complete,
}
_SUBRESOURCES = ('acl', 'location', 'uploads', 'uploadId', 'delete', 'versioning',
                 'versions')


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
    name, _, key = path[1:].partition('/')
    return name or None, key or None, False


def route(s3req):
    """The handler of the request; MethodNotAllowed or NotImplemented if none."""
    params = s3req.params
    unsupported = UNSUPPORTED.intersection(params)
    if unsupported:
        raise S3Error('NotImplemented', 'The %s sub-resource is not supported'
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
    handler = routes.get((method, subresource))
    if handler is None:
        if any(m == method for m, _ in routes):
            raise S3Error('NotImplemented', 'This operation is not supported')
        raise S3Error('MethodNotAllowed', Method=s3req.req.method,
                      ResourceType='SERVICE' if routes is SERVICE_ROUTES
                      else 'BUCKET' if routes is BUCKET_ROUTES else 'OBJECT')
    return handler


class S3App:
    """WSGI app of nova-objectstore."""

    def __init__(self, store=None):
        self.store = store or storage.Store(CONF.buckets_path)
        self.store.remove_stale(CONF.s3_stale_tmp_age)

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
        except S3Error as e:
            response = e.response(resource, request_id)
        except exception.NovaException as e:
            error = errors.from_nova(e, *_names(s3req))
            if error is None:
                LOG.exception('S3 request %s %s failed', req.method, resource)
                error = S3Error('InternalError')
            response = error.response(resource, request_id)
        except Exception:
            LOG.exception('S3 request %s %s failed', req.method, resource)
            response = S3Error('InternalError').response(resource, request_id)
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
