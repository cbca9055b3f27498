"""Who may do what to a bucket and its objects.

Two gates, both on every request:

- the caller's role: a signed request that changes anything needs the
  ``objectstore:write`` policy rule in the caller's own project (a project
  reader only reads);
- the resource's rights: an explicit Deny of the bucket's policy
  (nova.objectstore.bucket_policy) refuses anyone but an admin; otherwise the
  bucket's owner project (and any admin) may do everything with the bucket
  and everything in it, and anyone else what the policy Allows or the ACLs
  grant (nova.objectstore.acl): READ on a bucket lists it, WRITE on a bucket
  creates, replaces and deletes its objects, READ on an object fetches it,
  READ_ACP/WRITE_ACP read and change an ACL. An object's owner (the project
  that wrote it) has every right on it too. Configuration (location,
  versioning, policy, deleting the bucket) stays with the bucket's owner.

Checks take an ``Asker``: the caller's context, the S3 action of the request
('s3:GetObject') and the values policy conditions test.
"""
import dataclasses

from nova import exception
from nova import policy
from nova.auth import manager
from nova.i18n import _
from nova.objectstore import acl
from nova.objectstore import bucket_policy
from nova.objectstore.errors import S3Error

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')


def require_role(context, method):
    """A signed request that changes anything needs a role that may write
    (objectstore:write; a project reader only reads): AccessDenied otherwise."""
    if context is None or method in READ_METHODS:
        return
    if not policy.authorize(context, 'objectstore:write', do_raise=False):
        raise S3Error('AccessDenied', _('Your role in project %s only reads')
                      % context.project_id)


@dataclasses.dataclass
class Asker:
    """Who asks (context None: anonymous), for which S3 action, and the values
    of policy condition keys (lower-case names)."""

    context: object = None
    action: str = None
    values: dict = dataclasses.field(default_factory=dict)


def caller(context):
    return acl.Caller(context.project_id if context is not None else None)


def owns(context, bucket):
    return context is not None and (context.is_admin or context.project_id == bucket.owner)


def require_owner(context, bucket):
    if not owns(context, bucket):
        raise S3Error('AccessDenied')


def _is_admin(context):
    return context is not None and context.is_admin


def _policy(asker, bucket, key, action):
    """The bucket policy's word on the request: DENY, ALLOW or None."""
    text = bucket.config.get('policy')
    if not text:
        return None
    context = asker.context
    resource = bucket_policy.ARN_PREFIX + bucket.name + ('/' + key if key else '')
    return bucket_policy.decide(text, bucket.name, bucket_policy.Request(
        context.project_id if context is not None else None, action or asker.action or '',
        resource, asker.values))


def denied(asker, bucket, key=None, action=None):
    """Whether the bucket policy explicitly denies the request (admins aside)."""
    return (not _is_admin(asker.context)
            and _policy(asker, bucket, key, action) == bucket_policy.DENY)


def bucket_allows(asker, bucket, permission, key=None, action=None):
    """Whether asker may act on the bucket (on key in it, for object writes)."""
    context = asker.context
    if _is_admin(context):
        return True
    decision = _policy(asker, bucket, key, action)
    if decision == bucket_policy.DENY:
        return False
    return (owns(context, bucket) or decision == bucket_policy.ALLOW
            or bucket.acl.allows(caller(context), permission))


def require_bucket(asker, bucket, permission, key=None, action=None):
    if not bucket_allows(asker, bucket, permission, key, action):
        raise S3Error('AccessDenied')


def object_acl(bucket, attrs):
    """The ACL of an object (stores of earlier releases kept a canned name,
    owned by the bucket's owner)."""
    return acl.from_document(attrs.get('acl'), bucket.owner, bucket.owner_name)


def object_allows(asker, bucket, key, attrs, permission, action=None):
    context = asker.context
    if _is_admin(context):
        return True
    decision = _policy(asker, bucket, key, action)
    if decision == bucket_policy.DENY:
        return False
    if owns(context, bucket) or decision == bucket_policy.ALLOW:
        return True
    object_rights = object_acl(bucket, attrs)
    return ((context is not None and context.project_id == object_rights.owner)
            or object_rights.allows(caller(context), permission))


def require_object(asker, bucket, key, attrs, permission, action=None):
    if not object_allows(asker, bucket, key, attrs, permission, action):
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
            raise S3Error('UnexpectedContent', _('This request does not support content '
                          'with ACL headers'))
        return acl.from_xml(document, owner, owner_name, RESOLVER)
    if 'x-amz-acl' not in headers and not any(name in headers for name in acl.GRANT_HEADERS):
        raise S3Error('MissingSecurityHeader', _('Your request was missing a required '
                      'header'), MissingHeaderName='x-amz-acl')
    return acl.from_headers(headers, owner, owner_name, RESOLVER,
                            bucket_owner=bucket.owner if bucket else None,
                            bucket_owner_name=bucket.owner_name if bucket else None)
