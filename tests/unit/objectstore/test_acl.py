"""ACLs as S3 has them: canned ACLs, x-amz-grant-* headers, AccessControlPolicy
bodies, grantees by canonical id (a project), e-mail address and group, and
their enforcement on buckets and objects."""
import pytest

from tests.unit.objectstore.conftest import doc, error_code

ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def grants(response):
    """[(grantee id or URI, permission)] of an AccessControlPolicy."""
    return [(g.findtext('Grantee/ID') or g.findtext('Grantee/URI'), g.findtext('Permission'))
            for g in doc(response).findall('AccessControlList/Grant')]


def status(response):
    return response.status_int, error_code(response) if response.body else None


@pytest.mark.parametrize('canned,expected', [
    ('private', []),
    ('public-read', [(ALL_USERS, 'READ')]),
    ('public-read-write', [(ALL_USERS, 'READ'), (ALL_USERS, 'WRITE')]),
    ('authenticated-read', [(AUTHENTICATED, 'READ')]),
])
def test_canned_bucket_acls(s3, canned, expected):
    assert s3.put('/canned', headers={'x-amz-acl': canned}).status_int == 200
    alice = s3.keys['alice'].project_id
    assert grants(s3.get('/canned?acl')) == [(alice, 'FULL_CONTROL')] + expected
    listable_by_anyone = canned in ('public-read', 'public-read-write')
    assert (s3.get('/canned', user=None).status_int == 200) is listable_by_anyone
    assert (s3.get('/canned', user='dave').status_int == 200) is (canned != 'private')
    writable = s3.put('/canned/by-dave', b'd', user='dave')
    assert (writable.status_int == 200) is (canned == 'public-read-write')
    anonymous = s3.put('/canned/by-nobody', b'n', user=None)
    assert (anonymous.status_int == 200) is (canned == 'public-read-write')


def test_unknown_canned_acl_is_invalid_argument(s3):
    assert status(s3.put('/canned', headers={'x-amz-acl': 'everyone'})) == (
        400, 'InvalidArgument')


def test_anyone_may_write_a_public_read_write_bucket_and_the_writer_owns(s3):
    s3.put('/open', headers={'x-amz-acl': 'public-read-write'})
    assert s3.put('/open/d', b'dave', user='dave').status_int == 200
    dave = s3.keys['dave'].project_id
    assert doc(s3.get('/open/d?acl', user='dave')).findtext('Owner/ID') == dave
    listing = doc(s3.get('/open'))
    assert listing.findtext('Contents/Owner/ID') == dave
    # the bucket's owner keeps every right on what is in its bucket
    assert s3.get('/open/d').body == b'dave'
    assert s3.delete('/open/d', user=None).status_int == 204


def test_bucket_owner_canned_object_acls(s3):
    s3.put('/drop', headers={'x-amz-acl': 'public-read-write'})
    alice, dave = s3.keys['alice'].project_id, s3.keys['dave'].project_id
    s3.put('/drop/r', b'1', {'x-amz-acl': 'bucket-owner-read'}, user='dave')
    assert grants(s3.get('/drop/r?acl', user='dave')) == [(dave, 'FULL_CONTROL'),
                                                          (alice, 'READ')]
    s3.put('/drop/f', b'1', {'x-amz-acl': 'bucket-owner-full-control'}, user='dave')
    assert grants(s3.get('/drop/f?acl', user='dave')) == [(dave, 'FULL_CONTROL'),
                                                          (alice, 'FULL_CONTROL')]


def test_grant_headers_by_id_and_email(s3):
    dave = s3.keys['dave'].project_id
    response = s3.put('/granted', headers={
        'x-amz-grant-read': 'id="%s"' % dave,
        'x-amz-grant-write': 'emailAddress="dave@example.com"',
        'x-amz-grant-read-acp': 'uri="%s"' % AUTHENTICATED})
    assert response.status_int == 200
    assert grants(s3.get('/granted?acl')) == [(dave, 'READ'), (dave, 'WRITE'),
                                              (AUTHENTICATED, 'READ_ACP')]
    assert s3.get('/granted', user='dave').status_int == 200
    assert s3.put('/granted/k', b'x', user='dave').status_int == 200
    assert s3.get('/granted?acl', user='dave').status_int == 200
    refused = s3.put('/granted?acl', headers={'x-amz-acl': 'public-read'}, user='dave')
    assert status(refused) == (403, 'AccessDenied')
    assert s3.get('/granted', user=None).status_int == 403


@pytest.mark.parametrize('headers,expected', [
    ({'x-amz-grant-read': 'id="no-such-project"'}, (400, 'InvalidArgument')),
    ({'x-amz-grant-read': 'emailAddress="nobody@example.com"'},
     (400, 'UnresolvableGrantByEmailAddress')),
    ({'x-amz-grant-read': 'uri="http://example.com/group"'}, (400, 'InvalidArgument')),
    ({'x-amz-grant-read': 'id=unknown-unquoted'}, (400, 'InvalidArgument')),
    ({'x-amz-grant-read': 'name="x"'}, (400, 'InvalidArgument')),
    ({'x-amz-grant-read': 'uri="%s"' % ALL_USERS, 'x-amz-acl': 'private'},
     (400, 'InvalidRequest')),
])
def test_bad_grants_are_refused(s3, headers, expected):
    assert status(s3.put('/badgrant', headers=headers)) == expected
    assert s3.head('/badgrant').status_int == 404
    s3.put('/exists')
    assert status(s3.put('/exists?acl', headers=headers)) == expected
    assert grants(s3.get('/exists?acl')) == [(s3.keys['alice'].project_id, 'FULL_CONTROL')]


def _policy(owner, *grants_xml):
    return ('<AccessControlPolicy><Owner><ID>%s</ID></Owner><AccessControlList>%s'
            '</AccessControlList></AccessControlPolicy>' % (owner, ''.join(grants_xml))).encode()


def _grant(kind, tag, value, permission):
    return ('<Grant><Grantee %s xsi:type="%s"><%s>%s</%s></Grantee><Permission>%s'
            '</Permission></Grant>' % (XSI, kind, tag, value, tag, permission))


def test_access_control_policy_bodies(s3):
    alice, dave = s3.keys['alice'].project_id, s3.keys['dave'].project_id
    s3.put('/acp')
    s3.put('/acp/k', b'v')
    body = _policy(alice, _grant('CanonicalUser', 'ID', alice, 'FULL_CONTROL'),
                   _grant('AmazonCustomerByEmail', 'EmailAddress', 'dave@example.com', 'READ'),
                   _grant('Group', 'URI', ALL_USERS, 'READ'))
    assert s3.put('/acp/k?acl', body).status_int == 200
    assert grants(s3.get('/acp/k?acl')) == [(alice, 'FULL_CONTROL'), (dave, 'READ'),
                                            (ALL_USERS, 'READ')]
    assert s3.get('/acp/k', user=None).body == b'v'
    assert s3.put('/acp?acl', body).status_int == 200
    assert s3.get('/acp', user=None).status_int == 200


@pytest.mark.parametrize('body,expected', [
    (_policy('ALICE', _grant('Group', 'URI', ALL_USERS, 'EVERYTHING')),
     (400, 'MalformedACLError')),
    (_policy('ALICE', _grant('Nobody', 'ID', 'x', 'READ')), (400, 'MalformedACLError')),
    (_policy('ALICE', _grant('CanonicalUser', 'ID', 'not-a-project', 'READ')),
     (400, 'InvalidArgument')),
    (_policy('someone-else', _grant('Group', 'URI', ALL_USERS, 'READ')),
     (403, 'AccessDenied')),
    (b'<AccessControlPolicy><Owner>', (400, 'MalformedXML')),
])
def test_bad_policy_bodies(s3, body, expected):
    s3.put('/acp')
    body = body.replace(b'ALICE', s3.keys['alice'].project_id.encode())
    assert status(s3.put('/acp?acl', body)) == expected
    assert s3.get('/acp', user=None).status_int == 403


def test_a_body_and_acl_headers_together(s3):
    s3.put('/acp')
    body = _policy(s3.keys['alice'].project_id, _grant('Group', 'URI', ALL_USERS, 'READ'))
    response = s3.put('/acp?acl', body, {'x-amz-acl': 'private'})
    assert status(response) == (400, 'UnexpectedContent')
    assert status(s3.put('/acp?acl')) == (400, 'MissingSecurityHeader')


def test_object_grants_are_enforced(s3):
    dave = s3.keys['dave'].project_id
    s3.put('/obj')
    s3.put('/obj/k', b'v', {'x-amz-grant-read': 'id="%s"' % dave,
                            'x-amz-grant-read-acp': 'id="%s"' % dave})
    assert s3.get('/obj/k', user='dave').body == b'v'
    assert s3.get('/obj/k?acl', user='dave').status_int == 200
    assert status(s3.put('/obj/k?acl', headers={'x-amz-acl': 'public-read'},
                         user='dave')) == (403, 'AccessDenied')
    assert status(s3.put('/obj/k', b'x', user='dave')) == (403, 'AccessDenied')
    assert status(s3.delete('/obj/k', user='dave')) == (403, 'AccessDenied')
    assert status(s3.get('/obj', user='dave')) == (403, 'AccessDenied')
    # a copy takes the ACL of the request, not the source's
    s3.put('/obj/copy', headers={'x-amz-copy-source': '/obj/k'})
    assert s3.get('/obj/copy', user='dave').status_int == 403


def test_a_reader_with_a_write_grant_still_only_reads(s3):
    s3.put('/rwb', headers={'x-amz-acl': 'public-read-write'})
    assert status(s3.put('/rwb/k', b'x', user='rita')) == (403, 'AccessDenied')
    assert s3.put('/rwb/k', b'x', user=None).status_int == 200
