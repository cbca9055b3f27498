"""Service and bucket operations: list, create, delete, head, location, ACL,
listings and multi-object delete."""
import webob

from nova import exception
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import conditions
from nova.objectstore import listing
from nova.objectstore import uploads
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error
from nova.objectstore.errors import from_nova

MAX_DELETE = 1000
MAX_BUCKETS_LISTED = 10000
DEFAULT_REGION = 'us-east-1'  # a bucket created without a LocationConstraint


def _require_signed(s3req):
    if s3req.context is None:
        raise S3Error('AccessDenied')
    return s3req.context


def list_buckets(s3req):
    """The caller's project's buckets (an admin's: every bucket), in name order;
    with max-buckets, a page at a time (continuation-token), and by prefix."""
    context = _require_signed(s3req)
    prefix = s3req.params.get('prefix', '')
    region = s3req.params.get('bucket-region')
    max_buckets = s3req.int_param('max-buckets', None, 1, MAX_BUCKETS_LISTED)
    token = s3req.params.get('continuation-token')
    after = listing.untoken(token, 'continuation-token') if token is not None else ''
    buckets = [b for b in s3req.store.list_buckets()
               if b.name > after and b.name.startswith(prefix)
               and (region is None or (b.location or DEFAULT_REGION) == region)
               and access.owns(context, b)]
    following = None
    if max_buckets is not None and len(buckets) > max_buckets:
        buckets = buckets[:max_buckets]
        following = listing.token(buckets[-1].name)
    return xmlutil.response('ListAllMyBucketsResult', [
        ('Owner', [('ID', context.project_id), ('DisplayName', context.project_name)]),
        ('Buckets', [('Bucket', [('Name', b.name), ('CreationDate', b.created),
                                 ('BucketRegion', b.location or DEFAULT_REGION)])
                     for b in buckets]),
        ('ContinuationToken', following),
        ('Prefix', prefix if 'prefix' in s3req.params else None)])


def create_bucket(s3req):
    context = _require_signed(s3req)
    rights = access.bucket_acl_from_request(s3req.req, context.project_id,
                                            context.project_name)
    config = s3req.read_xml('CreateBucketConfiguration', required=False)
    location = config.findtext('LocationConstraint', '') if config is not None else ''
    try:
        s3req.store.create_bucket(s3req.bucket_name, context.project_id,
                                  context.project_name, rights, location)
    except exception.BucketExists as e:
        code = ('BucketAlreadyOwnedByYou' if e.kwargs.get('owner') == context.project_id
                else 'BucketAlreadyExists')
        raise S3Error(code, BucketName=s3req.bucket_name)
    return webob.Response(status=200, headers={'Location': '/' + s3req.bucket_name})


def delete_bucket(s3req):
    s3req.store.delete_bucket(s3req.owned_bucket())
    return webob.Response(status=204)


def head_bucket(s3req):
    s3req.bucket_granting(acl.READ)
    return webob.Response(status=200)


def get_location(s3req):
    bucket = s3req.owned_bucket()
    return xmlutil.response('LocationConstraint', bucket.location)


def get_acl(s3req):
    return s3req.bucket_granting(acl.READ_ACP).acl.response()


def put_acl(s3req):
    bucket = s3req.bucket_granting(acl.WRITE_ACP)
    s3req.store.set_bucket_acl(bucket, new_acl(s3req, bucket.owner, bucket.owner_name))
    return webob.Response(status=200)


def new_acl(s3req, owner, owner_name, bucket=None):
    """PutBucketAcl/PutObjectAcl: the ACL of an AccessControlPolicy body, or of
    the x-amz-acl / x-amz-grant-* headers (one or the other)."""
    document = s3req.read_xml('AccessControlPolicy', required=False)
    headers = s3req.headers
    if document is not None:
        if 'x-amz-acl' in headers or any(name in headers for name in acl.GRANT_HEADERS):
            raise S3Error('UnexpectedContent', 'This request does not support content '
                          'with ACL headers')
        return acl.from_xml(document, owner, owner_name, access.RESOLVER)
    if 'x-amz-acl' not in headers and not any(name in headers for name in acl.GRANT_HEADERS):
        raise S3Error('MissingSecurityHeader', 'Your request was missing a required '
                      'header', MissingHeaderName='x-amz-acl')
    return acl.from_headers(headers, owner, owner_name, access.RESOLVER,
                            bucket_owner=bucket.owner if bucket else None,
                            bucket_owner_name=bucket.owner_name if bucket else None)


def list_objects(s3req):
    bucket = s3req.bucket_granting(acl.READ)
    if s3req.params.get('list-type') == '2':
        return listing.list_objects_v2(s3req, bucket)
    return listing.list_objects(s3req, bucket)


def list_uploads(s3req):
    bucket = s3req.bucket_granting(acl.READ)
    return listing.list_uploads(s3req, bucket, uploads.list_uploads(bucket))


def delete_objects(s3req):
    """POST ?delete: up to 1000 keys; with Quiet only the failures are reported."""
    bucket = s3req.bucket_granting(acl.WRITE)
    document = s3req.read_xml('Delete')
    objects = document.findall('Object')
    if not objects or len(objects) > MAX_DELETE:
        raise S3Error('MalformedXML')
    quiet = document.findtext('Quiet', 'false').strip().lower() == 'true'
    results = []
    for item in objects:
        key = item.findtext('Key')
        if key is None:
            raise S3Error('MalformedXML')
        try:
            precondition = conditions.delete_precondition(
                item.findtext('ETag'), item.findtext('LastModifiedTime'),
                item.findtext('Size'))
            s3req.store.delete_object(bucket, key, precondition)
        except (exception.InvalidObjectKey, S3Error) as e:
            error = e if isinstance(e, S3Error) else from_nova(e)
            results.append(('Error', [('Key', key), ('Code', error.code),
                                      ('Message', error.message)]))
            continue
        if not quiet:
            results.append(('Deleted', [('Key', key)]))
    return xmlutil.response('DeleteResult', results)
