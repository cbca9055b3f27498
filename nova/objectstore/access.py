"""Who may do what to a bucket and its objects.

A bucket belongs to the project of the credentials that created it: that
project (and any admin) may do everything with it. Nobody else may, except
read what a canned ACL made public: a public-read bucket can be listed and a
public-read object fetched by anyone, signed or anonymous.
"""
from nova import policy
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')

PRIVATE = 'private'
PUBLIC_READ = 'public-read'
CANNED = (PRIVATE, PUBLIC_READ)
S3_CANNED = ('private', 'public-read', 'public-read-write', 'authenticated-read',
             'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control',
             'log-delivery-write')
ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
_GRANT_HEADERS = ('x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp',
                  'x-amz-grant-write-acp', 'x-amz-grant-full-control')


def canned_acl(req, default=PRIVATE):
    """The x-amz-acl of the request (default without one); NotImplemented for others."""
    if any(name in req.headers for name in _GRANT_HEADERS):
        raise S3Error('NotImplemented', 'Only the canned ACLs private and public-read '
                      'are supported, not x-amz-grant-* headers')
    acl = req.headers.get('x-amz-acl', default)
    if acl in S3_CANNED and acl not in CANNED:
        raise S3Error('NotImplemented', 'Only the canned ACLs private and public-read '
                      'are supported, not %s' % acl)
    if acl not in CANNED:
        raise S3Error('InvalidArgument', 'Only the canned ACLs private and public-read '
                      'are supported, not %s' % acl, ArgumentName='x-amz-acl',
                      ArgumentValue=acl)
    return acl


def require_role(context, method):
    """A signed request that changes anything needs a role that may write
    (objectstore:write; a project reader only reads): AccessDenied otherwise."""
    if context is None or method in READ_METHODS:
        return
    if not policy.authorize(context, 'objectstore:write', do_raise=False):
        raise S3Error('AccessDenied', 'Your role in project %s only reads'
                      % context.project_id)


def owns(context, bucket):
    return context is not None and (context.is_admin or context.project_id == bucket.owner)


def require_owner(context, bucket):
    if not owns(context, bucket):
        raise S3Error('AccessDenied')


def require_list(context, bucket):
    if not (owns(context, bucket) or bucket.acl == PUBLIC_READ):
        raise S3Error('AccessDenied')


def may_read_object(context, bucket, attrs):
    return owns(context, bucket) or attrs.get('acl') == PUBLIC_READ


def acl_document(bucket, acl):
    """An AccessControlPolicy document (GetBucketAcl, GetObjectAcl) for a canned ACL."""
    owner = [('ID', bucket.owner), ('DisplayName', bucket.owner_name)]
    grants = [('Grant', [
        (('Grantee', {'xmlns:xsi': xmlutil.XSI, 'xsi:type': 'CanonicalUser'}), owner),
        ('Permission', 'FULL_CONTROL')])]
    if acl == PUBLIC_READ:
        grants.append(('Grant', [
            (('Grantee', {'xmlns:xsi': xmlutil.XSI, 'xsi:type': 'Group'}),
             [('URI', ALL_USERS)]),
            ('Permission', 'READ')]))
    return xmlutil.response('AccessControlPolicy', [('Owner', owner),
                                                    ('AccessControlList', grants)])
