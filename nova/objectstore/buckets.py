"""Service and bucket operations: list, create, delete, head, location, ACL,
listings and multi-object delete."""
import webob

from nova import exception
from nova.objectstore import access
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
    acl = access.canned_acl(s3req.req)
    config = s3req.read_xml('CreateBucketConfiguration', required=False)
    location = config.findtext('LocationConstraint', '') if config is not None else ''
    try:
        s3req.store.create_bucket(s3req.bucket_name, context.project_id,
                                  context.project_name, acl, location)
    except exception.BucketExists as e:
        code = ('BucketAlreadyOwnedByYou' if e.kwargs.get('owner') == context.project_id
                else 'BucketAlreadyExists')
        raise S3Error(code, BucketName=s3req.bucket_name)
    return webob.Response(status=200, headers={'Location': '/' + s3req.bucket_name})


def delete_bucket(s3req):
    s3req.store.delete_bucket(s3req.owned_bucket())
    return webob.Response(status=204)


def head_bucket(s3req):
    access.require_list(s3req.context, s3req.bucket())
    return webob.Response(status=200)


def get_location(s3req):
    bucket = s3req.owned_bucket()
    return xmlutil.response('LocationConstraint', bucket.location)


def get_acl(s3req):
    bucket = s3req.owned_bucket()
    return access.acl_document(bucket, bucket.acl)


def put_acl(s3req):
    bucket = s3req.owned_bucket()
    s3req.store.set_bucket_acl(bucket, canned_acl_required(s3req))
    return webob.Response(status=200)


def canned_acl_required(s3req):
    """PutBucketAcl/PutObjectAcl: only the x-amz-acl header form is supported."""
    if 'x-amz-acl' not in s3req.headers:
        raise S3Error('NotImplemented', 'Set ACLs with the x-amz-acl header (private or '
                      'public-read); AccessControlPolicy bodies are not supported')
    return access.canned_acl(s3req.req)


def list_objects(s3req):
    bucket = s3req.bucket()
    access.require_list(s3req.context, bucket)
    if s3req.params.get('list-type') == '2':
        return listing.list_objects_v2(s3req, bucket)
    return listing.list_objects(s3req, bucket)


def list_uploads(s3req):
    bucket = s3req.owned_bucket()
    return listing.list_uploads(s3req, bucket, uploads.list_uploads(bucket))


def delete_objects(s3req):
    """POST ?delete: up to 1000 keys; with Quiet only the failures are reported."""
    bucket = s3req.owned_bucket()
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
