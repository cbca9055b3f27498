"""Service and bucket operations: list, create, delete, head, location, ACL,
listings and multi-object delete."""
import webob

from nova import exception
from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import conditions
from nova.objectstore import listing
from nova.objectstore import objects
from nova.objectstore import uploads
from nova.objectstore import versions
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
    s3req.store.set_bucket_acl(bucket, access.acl_from_put_request(s3req, bucket.owner,
                                                                  bucket.owner_name))
    return webob.Response(status=200)


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
    entries = document.findall('Object')
    if not entries or len(entries) > MAX_DELETE:
        raise S3Error('MalformedXML')
    quiet = document.findtext('Quiet', 'false').strip().lower() == 'true'
    results = []
    for item in entries:
        key = item.findtext('Key')
        if key is None:
            raise S3Error('MalformedXML')
        version_id = item.findtext('VersionId')
        try:
            if version_id is not None and not versions.is_valid_id(version_id):
                raise S3Error('NoSuchVersion')
            precondition = conditions.delete_precondition(
                item.findtext('ETag'), item.findtext('LastModifiedTime'),
                item.findtext('Size'))
            removed = objects.delete_one(s3req, bucket, key, version_id, precondition)
        except (exception.InvalidObjectKey, S3Error) as e:
            error = e if isinstance(e, S3Error) else from_nova(e)
            results.append(('Error', [('Key', key), ('VersionId', version_id),
                                      ('Code', error.code),
                                      ('Message', error.translated(s3req.req))]))
            continue
        if not quiet:
            results.append(('Deleted', [('Key', key), ('VersionId', version_id)]
                            + _marker_fields(removed, version_id)))
    return xmlutil.response('DeleteResult', results)


def _marker_fields(removed, version_id):
    """DeleteMarker / DeleteMarkerVersionId of a DeleteObjects entry."""
    if removed is None or not removed.attrs.get('delete_marker'):
        return []
    if version_id is None:  # a marker was made
        return [('DeleteMarker', True), ('DeleteMarkerVersionId', removed.attrs['version_id'])]
    return [('DeleteMarker', True), ('DeleteMarkerVersionId', version_id)]


def get_versioning(s3req):
    bucket = s3req.owned_bucket()
    return xmlutil.response('VersioningConfiguration', [('Status', bucket.versioning)])


def put_versioning(s3req):
    """Enabled or Suspended; a bucket once versioned never goes back to off."""
    bucket = s3req.owned_bucket()
    document = s3req.read_xml('VersioningConfiguration')
    status = document.findtext('Status')
    if status not in (versions.ENABLED, versions.SUSPENDED):
        raise S3Error('IllegalVersioningConfigurationException', _('The Versioning element '
                      'must be Enabled or Suspended'))
    if (document.findtext('MfaDelete') or 'Disabled') != 'Disabled':
        raise S3Error('NotImplemented', _('MFA delete is not supported'))
    s3req.store.set_bucket_config(bucket, 'versioning', status)
    return webob.Response(status=200)


def list_versions(s3req):
    bucket = s3req.bucket_granting(acl.READ)
    return listing.list_versions(s3req, bucket)
