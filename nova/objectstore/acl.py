"""S3 access control lists: who the grantees are, what they may do, and the
three ways a request sets them (a canned x-amz-acl, x-amz-grant-* headers, an
AccessControlPolicy body).

An ACL has an owner and grants of READ, WRITE, READ_ACP, WRITE_ACP or
FULL_CONTROL to a grantee: a canonical user, which here is a project (its id
is the canonical id, its name the display name), or one of S3's groups
(AllUsers: anyone, signed or not; AuthenticatedUsers: any signed request;
LogDelivery). A grant by e-mail address names the default project of the user
with that address, and is stored (and shown) as that canonical user, as S3
does. Stored as JSON: bucket.json and each object's extended attribute.
"""
import dataclasses
import re

from nova.i18n import _
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL = (
    'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL')
PERMISSIONS = (READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL)
ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'
LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery'
GROUPS = (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY)
USER, GROUP = 'CanonicalUser', 'Group'
BY_EMAIL = 'AmazonCustomerByEmail'

# x-amz-grant-<name> -> permission
GRANT_HEADERS = {'x-amz-grant-read': READ, 'x-amz-grant-write': WRITE,
                 'x-amz-grant-read-acp': READ_ACP, 'x-amz-grant-write-acp': WRITE_ACP,
                 'x-amz-grant-full-control': FULL_CONTROL}
# canned ACL -> grants besides the owner's FULL_CONTROL: (grantee, permission);
# 'bucket-owner' is the owner of the bucket an object is in
CANNED = {
    'private': (),
    'public-read': (((GROUP, ALL_USERS), READ),),
    'public-read-write': (((GROUP, ALL_USERS), READ), ((GROUP, ALL_USERS), WRITE)),
    'authenticated-read': (((GROUP, AUTHENTICATED_USERS), READ),),
    'aws-exec-read': (),
    'bucket-owner-read': ((('bucket-owner', None), READ),),
    'bucket-owner-full-control': ((('bucket-owner', None), FULL_CONTROL),),
    'log-delivery-write': (((GROUP, LOG_DELIVERY), WRITE), ((GROUP, LOG_DELIVERY), READ_ACP)),
}
# one grantee of an x-amz-grant-* header: id="..", emailAddress="..", uri=".." (the
# quotes are optional: the AWS CLI's documented form has none)
_HEADER_GRANTEE = re.compile(r'\s*(id|emailAddress|uri)\s*=\s*(?:"([^"]*)"|([^",\s]+))'
                             r'\s*(?:,|$)')


@dataclasses.dataclass(frozen=True)
class Grantee:
    kind: str  # USER or GROUP
    value: str  # canonical id or group URI
    name: str = None  # display name of a canonical user

    def document(self):
        return [self.kind, self.value, self.name]

    def xml(self):
        attrs = {'xmlns:xsi': xmlutil.XSI, 'xsi:type': self.kind}
        if self.kind == GROUP:
            return (('Grantee', attrs), [('URI', self.value)])
        return (('Grantee', attrs), [('ID', self.value), ('DisplayName', self.name)])


@dataclasses.dataclass
class Caller:
    """Who asks, as grants see them: a project (None: anonymous)."""

    project_id: str = None

    def is_granted(self, grantee):
        if grantee.kind == GROUP:
            return grantee.value == ALL_USERS or (
                grantee.value == AUTHENTICATED_USERS and self.project_id is not None)
        return self.project_id is not None and grantee.value == self.project_id


@dataclasses.dataclass
class ACL:
    owner: str
    owner_name: str
    grants: list  # [(Grantee, permission)]

    def allows(self, caller, permission):
        """Whether a grant gives caller the permission (FULL_CONTROL gives all).
        The owner's own rights are the caller's to add (nova.objectstore.access)."""
        return any(granted in (permission, FULL_CONTROL) and caller.is_granted(grantee)
                   for grantee, granted in self.grants)

    def is_public(self):
        return any(grantee.kind == GROUP and grantee.value in (ALL_USERS, AUTHENTICATED_USERS)
                   for grantee, _ in self.grants)

    def document(self):
        return {'owner': self.owner, 'owner_name': self.owner_name,
                'grants': [[grantee.document(), permission]
                           for grantee, permission in self.grants]}

    def response(self):
        """The AccessControlPolicy document of GetBucketAcl and GetObjectAcl."""
        owner = [('ID', self.owner), ('DisplayName', self.owner_name)]
        grants = [('Grant', [grantee.xml(), ('Permission', permission)])
                  for grantee, permission in self.grants]
        return xmlutil.response('AccessControlPolicy', [('Owner', owner),
                                                        ('AccessControlList', grants)])


def owner_grant(owner, owner_name):
    return Grantee(USER, owner, owner_name), FULL_CONTROL


def canned(name, owner, owner_name, bucket_owner=None, bucket_owner_name=None):
    """The ACL a canned name stands for; InvalidArgument for an unknown name."""
    if name not in CANNED:
        raise S3Error('InvalidArgument', _('The canned ACL %s is not one S3 has') % name,
                      ArgumentName='x-amz-acl', ArgumentValue=name)
    grants = [owner_grant(owner, owner_name)]
    for (kind, value), permission in CANNED[name]:
        if kind == 'bucket-owner':
            if bucket_owner is None or bucket_owner == owner:
                continue
            grantee = Grantee(USER, bucket_owner, bucket_owner_name)
        else:
            grantee = Grantee(kind, value)
        grants.append((grantee, permission))
    return ACL(owner, owner_name, grants)


def from_document(document, owner, owner_name):
    """The stored ACL; a canned name (stores of earlier releases) is expanded."""
    if document is None or isinstance(document, str):
        return canned(document or 'private', owner, owner_name)
    return ACL(document['owner'], document['owner_name'],
               [(Grantee(*grantee), permission) for grantee, permission in document['grants']])


class Resolver:
    """Finds the canonical users grants name; the S3 errors for those it cannot."""

    def __init__(self, project_name, default_project_of_email):
        # project_name(id) -> name or None; default_project_of_email(email) ->
        # (id, name) or None
        self.project_name = project_name
        self.default_project_of_email = default_project_of_email

    def grantee(self, kind, value):
        if kind == GROUP:
            if value not in GROUPS:
                raise S3Error('InvalidArgument', _('Invalid group uri'), ArgumentName='uri',
                              ArgumentValue=value)
            return Grantee(GROUP, value)
        if kind == BY_EMAIL:
            found = self.default_project_of_email(value)
            if found is None:
                raise S3Error('UnresolvableGrantByEmailAddress', EmailAddress=value)
            return Grantee(USER, *found)
        name = self.project_name(value)
        if name is None:
            raise S3Error('InvalidArgument', _('Invalid id'), ArgumentName='CanonicalUser/ID',
                          ArgumentValue=value)
        return Grantee(USER, value, name)


def from_headers(headers, owner, owner_name, resolver, default='private',
                 bucket_owner=None, bucket_owner_name=None):
    """The ACL a request's x-amz-acl or x-amz-grant-* headers set (default: the
    canned default); both at once is InvalidRequest, as S3 answers."""
    grant_headers = [name for name in GRANT_HEADERS if name in headers]
    if grant_headers and 'x-amz-acl' in headers:
        raise S3Error('InvalidRequest', _('Specifying both Canned ACLs and Header Grants is '
                      'not allowed'))
    if not grant_headers:
        return canned(headers.get('x-amz-acl', default), owner, owner_name, bucket_owner,
                      bucket_owner_name)
    grants = []
    for name in grant_headers:
        for kind, value in _header_grantees(name, headers[name]):
            grants.append((resolver.grantee(kind, value), GRANT_HEADERS[name]))
    return ACL(owner, owner_name, grants)


def _header_grantees(name, value):
    """[(kind, value)] of 'id="..", emailAddress="..", uri=".."'; InvalidArgument."""
    found, at = [], 0
    while at < len(value):
        match = _HEADER_GRANTEE.match(value, at)
        if match is None or match.end() == at:
            raise S3Error('InvalidArgument', _('Invalid grant header: %s') % value[:200],
                          ArgumentName=name, ArgumentValue=value[:200])
        kind = {'id': USER, 'emailAddress': BY_EMAIL, 'uri': GROUP}[match.group(1)]
        found.append((kind, match.group(2) if match.group(2) is not None
                       else match.group(3)))
        at = match.end()
    if not found:
        raise S3Error('InvalidArgument', _('Empty grant header'), ArgumentName=name)
    return found


def from_xml(element, owner, owner_name, resolver):
    """The ACL of an AccessControlPolicy document. Its Owner must be the
    resource's owner (S3 does not change owners this way)."""
    given_owner = element.findtext('Owner/ID')
    if given_owner is not None and given_owner.strip() != owner:
        raise S3Error('AccessDenied', _('The Owner of an AccessControlPolicy cannot be changed'))
    grants = []
    for grant in element.findall('AccessControlList/Grant'):
        grantee = grant.find('Grantee')
        permission = (grant.findtext('Permission') or '').strip()
        if grantee is None or permission not in PERMISSIONS:
            raise S3Error('MalformedACLError')
        kind = next((value for attr, value in grantee.attrib.items()
                     if attr.rpartition('}')[2] == 'type'), None)
        value = {USER: grantee.findtext('ID'), BY_EMAIL: grantee.findtext('EmailAddress'),
                 GROUP: grantee.findtext('URI')}.get(kind)
        if value is None:
            raise S3Error('MalformedACLError')
        grants.append((resolver.grantee(kind, value.strip()), permission))
    return ACL(owner, owner_name, grants)
