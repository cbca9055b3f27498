"""Who may write, and when: a project reader only reads (403 on every write),
conditional writes and deletes (If-None-Match: *, If-Match, DeleteObject's and
DeleteObjects' conditions), and presigned URLs outside S3's expiry range."""
import pytest

from nova.objectstore import conditions
from tests.unit.objectstore.conftest import doc, error_code

MULTIPART_DONE = (b'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>'
                  b'<ETag>"%s"</ETag></Part></CompleteMultipartUpload>')


@pytest.fixture
def shared(s3):
    """Bucket 'shared' of project A with one object, 'k'."""
    s3.put('/shared')
    s3.put('/shared/k', b'v1')
    return s3


# every S3 request that changes something: (method, path, body, headers)
WRITES = [
    ('PUT', '/newbucket', b'', {}),
    ('DELETE', '/shared', b'', {}),
    ('PUT', '/shared?acl', b'', {'x-amz-acl': 'public-read'}),
    ('PUT', '/shared/k2', b'data', {}),
    ('PUT', '/shared/k', b'data', {}),
    ('PUT', '/shared/copy', b'', {'x-amz-copy-source': '/shared/k'}),
    ('PUT', '/shared/k?acl', b'', {'x-amz-acl': 'public-read'}),
    ('DELETE', '/shared/k', b'', {}),
    ('POST', '/shared?delete', b'<Delete><Object><Key>k</Key></Object></Delete>', {}),
    ('POST', '/shared/big?uploads', b'', {}),
]


@pytest.mark.parametrize('method,path,body,headers', WRITES,
                         ids=['%s %s' % (w[0], w[1]) for w in WRITES])
def test_a_reader_of_the_project_cannot_write(shared, method, path, body, headers):
    response = shared.call(method, path, body, headers, user='rita')
    assert (response.status_int, error_code(response)) == (403, 'AccessDenied')
    # nothing changed: the bucket, its object and its ACL are as they were
    assert shared.get('/shared/k').body == b'v1'
    assert shared.get('/shared/k', user=None).status_int == 403
    assert shared.head('/newbucket').status_int == 404


def test_a_reader_cannot_touch_a_multipart_upload(shared):
    upload_id = doc(shared.post('/shared/big?uploads')).findtext('UploadId')
    for method, path, body in (
            ('PUT', '/shared/big?partNumber=1&uploadId=' + upload_id, b'part'),
            ('POST', '/shared/big?uploadId=' + upload_id, MULTIPART_DONE % b'x'),
            ('DELETE', '/shared/big?uploadId=' + upload_id, b'')):
        response = shared.call(method, path, body, user='rita')
        assert (response.status_int, error_code(response)) == (403, 'AccessDenied'), method
    assert shared.get('/shared/big?uploadId=' + upload_id).status_int == 200


def test_a_reader_reads(shared):
    assert shared.get('/', user='rita').status_int == 200
    assert shared.get('/shared', user='rita').status_int == 200
    assert shared.get('/shared/k', user='rita').body == b'v1'
    assert shared.head('/shared/k', user='rita').status_int == 200
    assert shared.get('/shared?acl', user='rita').status_int == 200


# ----------------------------------------------------------- conditional PUT

def test_if_none_match_star_creates_only(shared):
    refused = shared.put('/shared/k', b'v2', {'If-None-Match': '*'})
    assert (refused.status_int, error_code(refused)) == (412, 'PreconditionFailed')
    assert shared.get('/shared/k').body == b'v1'
    assert shared.put('/shared/fresh', b'new', {'If-None-Match': '*'}).status_int == 200
    assert shared.get('/shared/fresh').body == b'new'


def test_if_none_match_takes_only_a_star_on_writes(shared):
    response = shared.put('/shared/k', b'v2', {'If-None-Match': '"abc"'})
    assert (response.status_int, error_code(response)) == (501, 'NotImplemented')


def test_if_match_replaces_only_that_version(shared):
    etag = shared.head('/shared/k').headers['ETag']
    refused = shared.put('/shared/k', b'v2', {'If-Match': '"0123"'})
    assert (refused.status_int, error_code(refused)) == (412, 'PreconditionFailed')
    assert shared.put('/shared/k', b'v2', {'If-Match': etag}).status_int == 200
    assert shared.get('/shared/k').body == b'v2'
    missing = shared.put('/shared/absent', b'x', {'If-Match': etag})
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchKey')


def test_the_condition_is_decided_when_the_write_commits(shared):
    """The body streams before the commit; a write that got in meanwhile wins the
    If-None-Match race and the later one is refused without leaving anything."""
    store = shared.app_store()
    bucket = store.get_bucket('shared')
    attrs = {'content_type': 'text/plain', 'headers': {}, 'meta': {}, 'acl': 'private'}

    def body():
        yield b'first half '
        store.put_object(bucket, 'race', iter([b'winner']), attrs)
        yield b'second half'
    with pytest.raises(Exception) as e:
        store.put_object(bucket, 'race', body(), attrs,
                         precondition=conditions.write_precondition({'If-None-Match': '*'}))
    assert getattr(e.value, 'code', None) == 'PreconditionFailed'
    assert shared.get('/shared/race').body == b'winner'
    assert list((shared.buckets_path / 'shared' / 'tmp').iterdir()) == []


def test_complete_multipart_upload_if_none_match(shared):
    upload_id = doc(shared.post('/shared/k?uploads')).findtext('UploadId')
    etag = shared.put('/shared/k?partNumber=1&uploadId=' + upload_id,
                      b'p').headers['ETag'].strip('"')
    done = MULTIPART_DONE % etag.encode()
    refused = shared.post('/shared/k?uploadId=' + upload_id, done, {'If-None-Match': '*'})
    assert (refused.status_int, error_code(refused)) == (412, 'PreconditionFailed')
    assert shared.get('/shared/k').body == b'v1'
    assert shared.post('/shared/k?uploadId=' + upload_id, done).status_int == 200
    assert shared.get('/shared/k').body == b'p'


# ----------------------------------------------------------- conditional DELETE

def test_delete_if_match(shared):
    etag = shared.head('/shared/k').headers['ETag']
    refused = shared.delete('/shared/k', headers={'If-Match': '"0000"'})
    assert (refused.status_int, error_code(refused)) == (412, 'PreconditionFailed')
    size = shared.delete('/shared/k', headers={'x-amz-if-match-size': '3'})
    assert (size.status_int, error_code(size)) == (412, 'PreconditionFailed')
    assert shared.get('/shared/k').body == b'v1'
    assert shared.delete('/shared/k', headers={'If-Match': etag,
                                               'x-amz-if-match-size': '2'}).status_int == 204
    gone = shared.delete('/shared/k', headers={'If-Match': '*'})
    assert (gone.status_int, error_code(gone)) == (404, 'NoSuchKey')
    bad = shared.delete('/shared/k', headers={'x-amz-if-match-size': 'big'})
    assert (bad.status_int, error_code(bad)) == (400, 'InvalidArgument')


def test_delete_objects_checks_each_etag(shared):
    shared.put('/shared/other', b'o')
    etag = shared.head('/shared/other').headers['ETag']
    body = ('<Delete><Object><Key>k</Key><ETag>"ffff"</ETag></Object>'
            '<Object><Key>other</Key><ETag>%s</ETag></Object></Delete>' % etag).encode()
    result = doc(shared.post('/shared?delete', body))
    assert [e.findtext('Key') for e in result.findall('Deleted')] == ['other']
    assert [(e.findtext('Key'), e.findtext('Code')) for e in result.findall('Error')] \
        == [('k', 'PreconditionFailed')]
    assert shared.get('/shared/k').body == b'v1'
    assert shared.get('/shared/other').status_int == 404


# ----------------------------------------------------------- presigned expiry

@pytest.mark.parametrize('expires', [0, -7, 604801])
def test_presigned_url_outside_a_week_is_access_denied(shared, expires):
    req = shared.presigned('GET', '/shared/k')
    req.query_string = req.query_string.replace('X-Amz-Expires=3600',
                                                'X-Amz-Expires=%d' % expires)
    response = req.get_response(shared.app)
    assert (response.status_int, error_code(response)) == (403, 'AccessDenied')
