"""Who may do what to a bucket and its objects.

Two gates, both on every request:

- the caller's role: a signed request that changes anything needs the
  ``objectstore:write`` policy rule in the caller's own project (a project
  reader only reads);
- the resource's rights: the bucket's owner project (and any admin) may do
  everything with the bucket and everything in it; anyone else what the ACLs
  grant (nova.objectstore.acl): READ on a bucket lists it, WRITE on a bucket
  creates, replaces and deletes its objects, READ on an object fetches it,
  READ_ACP/WRITE_ACP read and change an ACL. An object's owner (the project
  that wrote it) has every right on it too. Configuration (location,
  deleting the bucket) stays with the bucket's owner.
"""
from nova import exception
from nova import policy
from nova.auth import manager
from nova.objectstore import acl
from nova.objectstore.errors import S3Error

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')


def require_role(context, method):
    """A signed request that changes anything needs a role that may write
    (objectstore:write; a project reader only reads): AccessDenied otherwise."""
    if context is None or method in READ_METHODS:
        return
    if not policy.authorize(context, 'objectstore:write', do_raise=False):
        raise S3Error('AccessDenied', 'Your role in project %s only reads'
                      % context.project_id)


def caller(context):
    return acl.Caller(context.project_id if context is not None else None)


def owns(context, bucket):
    return context is not None and (context.is_admin or context.project_id == bucket.owner)


def require_owner(context, bucket):
    if not owns(context, bucket):
        raise S3Error('AccessDenied')


def bucket_allows(context, bucket, permission):
    return owns(context, bucket) or bucket.acl.allows(caller(context), permission)


def require_bucket(context, bucket, permission):
    if not bucket_allows(context, bucket, permission):
        raise S3Error('AccessDenied')


def object_acl(bucket, attrs):
    """The ACL of an object (stores of earlier releases kept a canned name,
    owned by the bucket's owner)."""
    return acl.from_document(attrs.get('acl'), bucket.owner, bucket.owner_name)


def object_allows(context, bucket, attrs, permission):
    if owns(context, bucket):
        return True
    object_rights = object_acl(bucket, attrs)
    return ((context is not None and context.project_id == object_rights.owner)
            or object_rights.allows(caller(context), permission))


def require_object(context, bucket, attrs, permission):
    if not object_allows(context, bucket, attrs, permission):
        raise S3Error('AccessDenied')


def writer(context, bucket):
    """(owner id, display name) of what the caller writes: its project, or the
    bucket's owner for an anonymous write to a public-read-write bucket."""
    if context is None:
        return bucket.owner, bucket.owner_name
    return context.project_id, context.project_name


def _project_name(project_id):
    try:
        return manager.get_project(None, project_id).name
    except exception.NotFound:
        return None


def _default_project_of_email(email):
    user = manager.find_user_by_email(None, email)
    if user is None or not user.default_project_id:
        return None
    name = _project_name(user.default_project_id)
    return None if name is None else (user.default_project_id, name)


RESOLVER = acl.Resolver(_project_name, _default_project_of_email)


def bucket_acl_from_request(req, owner, owner_name):
    """A new bucket's ACL from x-amz-acl or x-amz-grant-* (default private)."""
    return acl.from_headers(req.headers, owner, owner_name, RESOLVER)


def object_acl_from_request(req, context, bucket):
    """A new object's ACL from x-amz-acl or x-amz-grant-* (default private),
    owned by its writer."""
    owner, owner_name = writer(context, bucket)
    return acl.from_headers(req.headers, owner, owner_name, RESOLVER,
                            bucket_owner=bucket.owner, bucket_owner_name=bucket.owner_name)


def acl_from_put_request(s3req, owner, owner_name, bucket=None):
    """PutBucketAcl/PutObjectAcl: the ACL of an AccessControlPolicy body, or of
    the x-amz-acl / x-amz-grant-* headers (one or the other)."""
    document = s3req.read_xml('AccessControlPolicy', required=False)
    headers = s3req.headers
    if document is not None:
        if 'x-amz-acl' in headers or any(name in headers for name in acl.GRANT_HEADERS):
            raise S3Error('UnexpectedContent', 'This request does not support content '
                          'with ACL headers')
        return acl.from_xml(document, owner, owner_name, RESOLVER)
    if 'x-amz-acl' not in headers and not any(name in headers for name in acl.GRANT_HEADERS):
        raise S3Error('MissingSecurityHeader', 'Your request was missing a required '
                      'header', MissingHeaderName='x-amz-acl')
    return acl.from_headers(headers, owner, owner_name, RESOLVER,
                            bucket_owner=bucket.owner if bucket else None,
                            bucket_owner_name=bucket.owner_name if bucket else None)
