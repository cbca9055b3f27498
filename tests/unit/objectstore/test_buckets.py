"""Service and bucket operations through the objectstore pipeline."""
import base64
import hashlib
import urllib.parse

import pytest

from tests.unit.objectstore.conftest import doc, error_code


def names(response, path, tag):
    return [e.findtext(tag) for e in doc(response).findall(path)]


def test_create_list_head_delete(s3):
    assert s3.put('/alpha').status_int == 200
    assert s3.put('/beta').headers['Location'].endswith('/beta')
    listing = s3.get('/')
    assert names(listing, 'Buckets/Bucket', 'Name') == ['alpha', 'beta']
    assert doc(listing).findtext('Owner/ID') == s3.keys['alice'].project_id
    assert doc(listing).findtext('Owner/DisplayName') == 'A'
    assert s3.head('/alpha').status_int == 200
    assert s3.delete('/alpha').status_int == 204
    assert s3.head('/alpha').status_int == 404
    missing = s3.get('/alpha')
    assert missing.status_int == 404 and error_code(missing) == 'NoSuchBucket'
    body = doc(missing)
    assert body.findtext('BucketName') == 'alpha' and body.findtext('Resource') == '/alpha'
    assert body.findtext('RequestId') == missing.headers['x-amz-request-id']


def test_bucket_name_rules(s3):
    for name in ('ab', 'UPPER', 'under_score', '-lead', 'a..b', '10.0.0.1'):
        response = s3.put('/' + name)
        assert (response.status_int, error_code(response)) == (400, 'InvalidBucketName'), name


def test_create_twice(s3):
    s3.put('/taken')
    mine = s3.put('/taken')
    assert (mine.status_int, error_code(mine)) == (409, 'BucketAlreadyOwnedByYou')
    theirs = s3.put('/taken', user='dave')
    assert (theirs.status_int, error_code(theirs)) == (409, 'BucketAlreadyExists')


def test_location_constraint_is_kept(s3):
    body = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b'<LocationConstraint>nova-west</LocationConstraint></CreateBucketConfiguration>')
    assert s3.put('/located', body).status_int == 200
    assert doc(s3.get('/located?location')).text == 'nova-west'
    s3.put('/plain')
    assert doc(s3.get('/plain?location')).text is None
    assert error_code(s3.put('/broken', b'<Create')) == 'MalformedXML'


def test_delete_non_empty_bucket(s3):
    s3.put('/full')
    s3.put('/full/k', b'1')
    response = s3.delete('/full')
    assert (response.status_int, error_code(response)) == (409, 'BucketNotEmpty')
    s3.delete('/full/k')
    assert s3.delete('/full').status_int == 204


def test_projects_do_not_see_each_others_buckets(s3):
    s3.put('/private-a')
    s3.put('/private-a/k', b'secret')
    assert names(s3.get('/', user='dave'), 'Buckets/Bucket', 'Name') == []
    for method, path in (('GET', '/private-a'), ('GET', '/private-a/k'),
                         ('HEAD', '/private-a'), ('PUT', '/private-a/x'),
                         ('DELETE', '/private-a/k'), ('DELETE', '/private-a'),
                         ('GET', '/private-a?acl'), ('PUT', '/private-a?acl'),
                         ('GET', '/private-a/missing'), ('GET', '/private-a?uploads'),
                         ('POST', '/private-a/k?uploads')):
        response = s3.call(method, path, headers={'x-amz-acl': 'public-read'}, user='dave')
        assert response.status_int == 403, (method, path)
        if method != 'HEAD':
            assert error_code(response) == 'AccessDenied'
    assert s3.get('/private-a/k').body == b'secret'


def test_admin_sees_and_touches_every_bucket(s3):
    s3.put('/of-alice')
    s3.put('/of-dave', user='dave')
    assert names(s3.get('/', user='root'), 'Buckets/Bucket', 'Name') == ['of-alice', 'of-dave']
    assert s3.put('/of-dave/by-admin', b'x', user='root').status_int == 200
    assert s3.get('/of-dave/by-admin', user='dave').body == b'x'


def test_anonymous_may_only_list_public_read_buckets(s3):
    s3.put('/closed')
    s3.put('/open', headers={'x-amz-acl': 'public-read'})
    s3.put('/open/k', b'1')
    assert error_code(s3.get('/', user=None)) == 'AccessDenied'
    assert error_code(s3.get('/closed', user=None)) == 'AccessDenied'
    assert names(s3.get('/open', user=None), 'Contents', 'Key') == ['k']
    assert names(s3.get('/open', user='dave'), 'Contents', 'Key') == ['k']
    assert error_code(s3.put('/open/new', b'x', user=None)) == 'AccessDenied'
    assert error_code(s3.put('/anon', user=None)) == 'AccessDenied'


def test_bucket_acl(s3):
    s3.put('/acl')
    policy = doc(s3.get('/acl?acl'))
    assert names(s3.get('/acl?acl'), 'AccessControlList/Grant', 'Permission') == [
        'FULL_CONTROL']
    assert policy.findtext('Owner/ID') == s3.keys['alice'].project_id
    assert s3.put('/acl?acl', headers={'x-amz-acl': 'public-read'}).status_int == 200
    grants = doc(s3.get('/acl?acl')).findall('AccessControlList/Grant')
    assert [g.findtext('Grantee/URI') for g in grants] == [
        None, 'http://acs.amazonaws.com/groups/global/AllUsers']
    assert s3.get('/acl', user=None).status_int == 200


@pytest.fixture
def filled(s3):
    s3.put('/list')
    keys = ['a', 'b/1', 'b/2', 'b/c/3', 'c+d', 'c d', 'd/', 'e']
    for key in keys:
        s3.put('/list/' + urllib.parse.quote(key), key.encode())
    return sorted(keys)


def test_list_v1_everything(s3, filled):
    response = s3.get('/list')
    assert names(response, 'Contents', 'Key') == filled
    first = doc(response).find('Contents')
    assert first.findtext('ETag') == '"%s"' % hashlib.md5(b'a').hexdigest()
    assert first.findtext('Size') == '1' and first.findtext('StorageClass') == 'STANDARD'
    assert first.findtext('LastModified').endswith('Z')
    assert doc(response).findtext('IsTruncated') == 'false'


def test_list_v1_delimiter_and_markers(s3, filled):
    response = s3.get('/list?delimiter=/')
    assert names(response, 'Contents', 'Key') == ['a', 'c d', 'c+d', 'e']
    assert names(response, 'CommonPrefixes', 'Prefix') == ['b/', 'd/']
    response = s3.get('/list?prefix=b/&delimiter=/')
    assert names(response, 'Contents', 'Key') == ['b/1', 'b/2']
    assert names(response, 'CommonPrefixes', 'Prefix') == ['b/c/']
    page = s3.get('/list?delimiter=/&max-keys=2')
    assert doc(page).findtext('IsTruncated') == 'true'
    assert doc(page).findtext('NextMarker') == 'b/'
    assert names(page, 'Contents', 'Key') == ['a']
    rest = s3.get('/list?delimiter=/&marker=b/')
    assert names(rest, 'Contents', 'Key') == ['c d', 'c+d', 'e']
    assert names(rest, 'CommonPrefixes', 'Prefix') == ['d/']
    assert names(s3.get('/list?marker=c%2Bd'), 'Contents', 'Key') == ['d/', 'e']


def test_list_v1_pages_cover_everything_once(s3, filled):
    seen, marker = [], ''
    while True:
        page = s3.get('/list?max-keys=3&marker=' + urllib.parse.quote(marker))
        seen += names(page, 'Contents', 'Key')
        if doc(page).findtext('IsTruncated') == 'false':
            break
        marker = doc(page).findtext('NextMarker')
    assert seen == filled


def test_list_v2_tokens_start_after_and_key_count(s3, filled):
    page = s3.get('/list?list-type=2&max-keys=3')
    body = doc(page)
    assert body.findtext('KeyCount') == '3' and body.findtext('IsTruncated') == 'true'
    assert body.find('Contents/Owner') is None
    token = body.findtext('NextContinuationToken')
    rest = s3.get('/list?list-type=2&continuation-token=' + urllib.parse.quote(token))
    assert names(page, 'Contents', 'Key') + names(rest, 'Contents', 'Key') == filled
    assert doc(rest).findtext('ContinuationToken') == token
    after = s3.get('/list?list-type=2&start-after=c%2Bd&fetch-owner=true')
    assert names(after, 'Contents', 'Key') == ['d/', 'e']
    assert doc(after).findtext('StartAfter') == 'c+d'
    assert doc(after).findtext('Contents/Owner/DisplayName') == 'A'
    grouped = s3.get('/list?list-type=2&delimiter=/&prefix=b/')
    assert doc(grouped).findtext('KeyCount') == '3'
    bad = s3.get('/list?list-type=2&continuation-token=%25%25')
    assert error_code(bad) == 'InvalidArgument'


def test_list_encoding_type_url(s3, filled):
    response = s3.get('/list?list-type=2&encoding-type=url&prefix=c')
    assert names(response, 'Contents', 'Key') == ['c%20d', 'c%2Bd']
    assert doc(response).findtext('EncodingType') == 'url'
    assert error_code(s3.get('/list?encoding-type=base64')) == 'InvalidArgument'


def test_list_max_keys(s3, filled):
    assert names(s3.get('/list?max-keys=0'), 'Contents', 'Key') == []
    assert doc(s3.get('/list?max-keys=5000')).findtext('MaxKeys') == '5000'
    for bad in ('-1', 'ten'):
        assert error_code(s3.get('/list?max-keys=' + bad)) == 'InvalidArgument'


def test_listing_many_keys(s3):
    s3.put('/many')
    keys = ['k%04d' % i for i in range(1500)]
    for key in keys:
        s3.put('/many/' + key, b'')
    first = s3.get('/many?list-type=2')
    assert len(names(first, 'Contents', 'Key')) == 1000
    token = doc(first).findtext('NextContinuationToken')
    second = s3.get('/many?list-type=2&continuation-token=' + urllib.parse.quote(token))
    assert names(first, 'Contents', 'Key') + names(second, 'Contents', 'Key') == keys


def delete_body(keys, quiet=False):
    body = ('<Delete>%s%s</Delete>' % ('<Quiet>true</Quiet>' if quiet else '', ''.join(
        '<Object><Key>%s</Key></Object>' % k for k in keys))).encode()
    return body, {'Content-MD5': base64.b64encode(hashlib.md5(body).digest()).decode()}


def test_delete_objects(s3, filled):
    body, headers = delete_body(['a', 'b/1', 'never-there', '../x'])
    response = s3.post('/list?delete', body, headers)
    assert names(response, 'Deleted', 'Key') == ['a', 'b/1', 'never-there']
    assert names(response, 'Error', 'Key') == ['../x']
    assert names(response, 'Error', 'Code') == ['InvalidArgument']
    body, headers = delete_body(['b/2', 'e'], quiet=True)
    response = s3.post('/list?delete', body, headers)
    assert list(doc(response)) == []
    assert names(s3.get('/list'), 'Contents', 'Key') == ['b/c/3', 'c d', 'c+d', 'd/']


def test_delete_objects_bad_requests(s3, filled):
    assert error_code(s3.post('/list?delete', b'<Delete></Delete>')) == 'MalformedXML'
    assert error_code(s3.post('/list?delete', b'not xml')) == 'MalformedXML'
    body, _ = delete_body(['a'])
    wrong_md5 = {'Content-MD5': base64.b64encode(hashlib.md5(b'x').digest()).decode()}
    assert error_code(s3.post('/list?delete', body, wrong_md5)) == 'BadDigest'
    body, headers = delete_body(['k%d' % i for i in range(1001)])
    assert error_code(s3.post('/list?delete', body, headers)) == 'MalformedXML'


def test_virtual_host_style(s3):
    assert s3.put('/', host='vhost.localhost:3333').status_int == 200
    assert s3.put('/dir/key', b'v', host='vhost.localhost:3333').status_int == 200
    assert s3.get('/vhost/dir/key').body == b'v'
    assert names(s3.get('/?list-type=2', host='vhost.localhost:3333'), 'Contents',
                 'Key') == ['dir/key']
    assert s3.get('/dir/key', host='vhost.localhost:3333', sign='v2').body == b'v'
    assert s3.get('/', host='vhost.localhost:3333', sign='v2').status_int == 200


def test_virtual_host_suffix_flag(s3):
    from nova.conf import CONF
    CONF.set_override('s3_host_suffix', 's3.example.org')
    s3.put('/named')
    s3.put('/named/k', b'1')
    assert s3.get('/k', host='named.s3.example.org').body == b'1'
    assert s3.get('/named/k', host='s3.example.org').body == b'1'


def test_unsupported_things(s3):
    s3.put('/u')
    for method, path in (('GET', '/u?analytics'), ('PUT', '/u?replication'),
                         ('GET', '/u/k?retention'), ('GET', '/u?website')):
        response = s3.call(method, path)
        assert (response.status_int, error_code(response)) == (501, 'NotImplemented')
    response = s3.call('PATCH', '/u')
    assert (response.status_int, error_code(response)) == (405, 'MethodNotAllowed')


@pytest.mark.parametrize('list_type', ['', '&list-type=2'])
def test_max_keys_zero_is_an_empty_untruncated_page(s3, list_type):
    s3.put('/zero')
    s3.put('/zero/a', b'1')
    response = s3.get('/zero?max-keys=0' + list_type)
    assert response.status_int == 200
    assert doc(response).findtext('IsTruncated') == 'false'
    assert doc(response).findall('Contents') == []


def test_list_buckets_pages_and_prefix(s3):
    for name in ('pg-a', 'pg-b', 'pg-c', 'other'):
        s3.put('/' + name)
    first = doc(s3.get('/?max-buckets=2&prefix=pg-'))
    assert [b.findtext('Name') for b in first.findall('Buckets/Bucket')] == ['pg-a', 'pg-b']
    assert first.findtext('Prefix') == 'pg-'
    token = first.findtext('ContinuationToken')
    rest = doc(s3.get('/?max-buckets=2&prefix=pg-&continuation-token=' + token))
    assert [b.findtext('Name') for b in rest.findall('Buckets/Bucket')] == ['pg-c']
    assert rest.findtext('ContinuationToken') is None
    assert first.findtext('Buckets/Bucket/BucketRegion') == 'us-east-1'
    for bad in ('max-buckets=0', 'max-buckets=10001', 'max-buckets=x',
                'continuation-token=%25%25'):
        response = s3.get('/?' + bad)
        assert (response.status_int, error_code(response)) == (400, 'InvalidArgument'), bad
