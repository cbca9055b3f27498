"""Object operations through the objectstore pipeline: put, get, head, copy,
conditions, ranges, metadata, keys, and multipart uploads."""
import base64
import hashlib
import urllib.parse

from tests.unit.objectstore.conftest import doc, error_code


def status_code(response):
    return response.status_int, error_code(response)


def test_put_get_head_with_stored_headers(s3):
    s3.put('/bkt')
    put = s3.put('/bkt/dir/k', b'hello', headers={
        'Content-Type': 'text/plain', 'x-amz-meta-Colour': 'blue',
        'Content-Disposition': 'attachment', 'Cache-Control': 'max-age=1'})
    assert put.headers['ETag'] == '"%s"' % hashlib.md5(b'hello').hexdigest()
    got = s3.get('/bkt/dir/k')
    assert got.body == b'hello'
    assert got.headers['Content-Type'] == 'text/plain'
    assert got.headers['x-amz-meta-colour'] == 'blue'
    assert (got.headers['Content-Disposition'], got.headers['Cache-Control']) == (
        'attachment', 'max-age=1')
    assert got.headers['Accept-Ranges'] == 'bytes' and 'Last-Modified' in got.headers
    head = s3.head('/bkt/dir/k')
    assert head.headers['Content-Length'] == '5' and head.body == b''
    assert s3.get('/bkt/nothing').status_int == 404
    assert doc(s3.get('/bkt/nothing')).findtext('Key') == 'nothing'
    plain = s3.put('/bkt/untyped', b'x', headers={'Content-Type': ''})
    assert plain.status_int == 200


def test_response_overrides_need_a_signature(s3):
    s3.put('/bkt')
    s3.put('/bkt/k', b'x', headers={'x-amz-acl': 'public-read'})
    got = s3.get('/bkt/k?response-content-type=image/png&response-cache-control=no-store')
    assert (got.headers['Content-Type'], got.headers['Cache-Control']) == (
        'image/png', 'no-store')
    anonymous = s3.get('/bkt/k?response-content-type=image/png', user=None)
    assert status_code(anonymous) == (400, 'InvalidRequest')
    assert s3.get('/bkt/k', user=None).body == b'x'


def test_content_md5_invalid_or_mismatched(s3):
    s3.put('/bkt')
    assert status_code(s3.put('/bkt/k', b'data', headers={'Content-MD5': 'nope'})) == (
        400, 'InvalidDigest')
    wrong = base64.b64encode(hashlib.md5(b'other').digest()).decode()
    assert status_code(s3.put('/bkt/k', b'data', headers={'Content-MD5': wrong})) == (
        400, 'BadDigest')
    assert s3.head('/bkt/k').status_int == 404
    right = base64.b64encode(hashlib.md5(b'data').digest()).decode()
    assert s3.put('/bkt/k', b'data', headers={'Content-MD5': right}).status_int == 200


def test_metadata_is_limited(s3):
    s3.put('/bkt')
    response = s3.put('/bkt/k', b'x', headers={'x-amz-meta-big': 'v' * 2100})
    assert status_code(response) == (400, 'MetadataTooLarge')


def test_unsafe_and_overlong_keys(s3):
    s3.put('/bkt')
    for key in ('a/../b', 'a/./b', '..'):
        response = s3.put('/bkt/' + key, b'x')
        assert status_code(response) == (400, 'InvalidArgument'), key
    assert status_code(s3.put('/bkt/' + 'k' * 1025, b'x')) == (400, 'KeyTooLongError')
    for key in ('sp ace', 'ünïcode/ключ', 'per%25cent', 'a' * 1024):
        path = '/bkt/' + urllib.parse.quote(key)
        assert s3.put(path, key.encode()).status_int == 200, key
        assert s3.get(path).body == key.encode()


def test_conditions_on_get(s3):
    s3.put('/bkt')
    etag = s3.put('/bkt/k', b'v').headers['ETag']
    last_modified = s3.head('/bkt/k').headers['Last-Modified']
    cases = [({'If-Match': etag}, 200), ({'If-Match': '"other", ' + etag}, 200),
             ({'If-Match': '"other"'}, 412), ({'If-None-Match': '*'}, 304),
             ({'If-None-Match': etag}, 304), ({'If-None-Match': '"other"'}, 200),
             ({'If-Modified-Since': last_modified}, 304),
             ({'If-Unmodified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT'}, 412),
             ({'If-Unmodified-Since': last_modified}, 200),
             ({'If-Match': etag, 'If-Unmodified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT'}, 200),
             ({'If-Modified-Since': 'not a date'}, 200)]
    for headers, status in cases:
        response = s3.get('/bkt/k', headers=headers)
        assert response.status_int == status, headers
        if status == 304:
            assert response.body == b'' and response.headers['ETag'] == etag


def test_ranges(s3):
    s3.put('/bkt')
    s3.put('/bkt/k', b'0123456789')
    for spec, status, body in (('bytes=2-4', 206, b'234'), ('bytes=7-', 206, b'789'),
                               ('bytes=-3', 206, b'789'), ('bytes=5-100', 206, b'56789'),
                               ('bytes=4-2', 200, b'0123456789'),
                               ('bytes=0-1,4-5', 200, b'0123456789'),
                               ('items=1-2', 200, b'0123456789')):
        response = s3.get('/bkt/k', headers={'Range': spec})
        assert (response.status_int, response.body) == (status, body), spec
    outside = s3.get('/bkt/k', headers={'Range': 'bytes=10-'})
    assert status_code(outside) == (416, 'InvalidRange')
    assert outside.headers['Content-Range'] == 'bytes */10'
    assert s3.get('/bkt/k?partNumber=1').body == b'0123456789'


def test_copy(s3):
    s3.put('/src')
    s3.put('/dst')
    etag = s3.put('/src/k', b'copied', headers={'x-amz-meta-a': '1'}).headers['ETag']
    copy = s3.put('/dst/k', headers={'x-amz-copy-source': '/src/k'})
    assert doc(copy).findtext('ETag') == etag
    assert s3.get('/dst/k').headers['x-amz-meta-a'] == '1'
    failed = s3.put('/dst/k2', headers={'x-amz-copy-source': 'src/k',
                                         'x-amz-copy-source-if-match': '"nope"'})
    assert status_code(failed) == (412, 'PreconditionFailed')
    onto_itself = s3.put('/src/k', headers={'x-amz-copy-source': 'src/k'})
    assert status_code(onto_itself) == (400, 'InvalidRequest')
    replaced = s3.put('/src/k', headers={'x-amz-copy-source': 'src/k',
                                          'x-amz-metadata-directive': 'REPLACE',
                                          'x-amz-meta-b': '2'})
    assert replaced.status_int == 200
    assert s3.get('/src/k').headers.get('x-amz-meta-b') == '2'
    assert 'x-amz-meta-a' not in s3.get('/src/k').headers
    bad = s3.put('/dst/k3', headers={'x-amz-copy-source': 'src/k',
                                      'x-amz-metadata-directive': 'MERGE'})
    assert status_code(bad) == (400, 'InvalidArgument')
    assert status_code(s3.put('/dst/k4', headers={'x-amz-copy-source': 'nokey'})) == (
        400, 'InvalidArgument')
    assert status_code(s3.put('/dst/k4', headers={'x-amz-copy-source': 'gone/k'})) == (
        404, 'NoSuchBucket')


def test_copy_needs_read_access_to_the_source(s3):
    s3.put('/alices')
    s3.put('/alices/private', b'p')
    s3.put('/alices/public', b'q', headers={'x-amz-acl': 'public-read'})
    s3.put('/daves', user='dave')
    denied = s3.put('/daves/k', headers={'x-amz-copy-source': 'alices/private'}, user='dave')
    assert status_code(denied) == (403, 'AccessDenied')
    missing = s3.put('/daves/k', headers={'x-amz-copy-source': 'alices/none'}, user='dave')
    assert status_code(missing) == (403, 'AccessDenied')  # no hint of what exists
    allowed = s3.put('/daves/k', headers={'x-amz-copy-source': 'alices/public'}, user='dave')
    assert allowed.status_int == 200
    assert s3.get('/daves/k', user='dave').body == b'q'


def test_object_acl(s3):
    s3.put('/bkt')
    s3.put('/bkt/k', b'x')
    assert s3.get('/bkt/k', user=None).status_int == 403
    assert s3.put('/bkt/k?acl', headers={'x-amz-acl': 'public-read'}).status_int == 200
    assert s3.get('/bkt/k', user=None).body == b'x'
    grants = doc(s3.get('/bkt/k?acl')).findall('AccessControlList/Grant')
    assert sorted(g.findtext('Permission') for g in grants) == ['FULL_CONTROL', 'READ']
    assert status_code(s3.put('/bkt/k?acl', headers={'x-amz-acl': 'private'}, user='dave')) == (
        403, 'AccessDenied')


# ----------------------------------------------------------------- multipart

def _start(s3, path, **kw):
    return doc(s3.post(path + '?uploads', **kw)).findtext('UploadId')


def _complete(s3, path, upload_id, parts, **kw):
    body = '<CompleteMultipartUpload>%s</CompleteMultipartUpload>' % ''.join(
        '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>' % part for part in parts)
    return s3.post('%s?uploadId=%s' % (path, upload_id), body.encode(), **kw)


def test_multipart_round_trip_with_a_copied_part(s3, monkeypatch):
    from nova.conf import CONF
    CONF.set_override('s3_min_part_size', 4)
    s3.put('/bkt')
    s3.put('/bkt/source', b'ABCDEFGHIJ')
    upload = _start(s3, '/bkt/big', headers={'x-amz-meta-m': 'v', 'Content-Type': 'a/b'})
    one = s3.put('/bkt/big?partNumber=1&uploadId=%s' % upload, b'part-one').headers['ETag']
    copied = s3.put('/bkt/big?partNumber=2&uploadId=%s' % upload,
                    headers={'x-amz-copy-source': 'bkt/source',
                             'x-amz-copy-source-range': 'bytes=2-5'})
    two = doc(copied).findtext('ETag')
    assert two == '"%s"' % hashlib.md5(b'CDEF').hexdigest()
    listed = doc(s3.get('/bkt?uploads'))
    assert [u.findtext('UploadId') for u in listed.findall('Upload')] == [upload]
    parts = doc(s3.get('/bkt/big?uploadId=%s' % upload)).findall('Part')
    assert [(p.findtext('PartNumber'), p.findtext('Size')) for p in parts] == [
        ('1', '8'), ('2', '4')]
    done = _complete(s3, '/bkt/big', upload, [(1, one), (2, two)])
    expected = hashlib.md5(hashlib.md5(b'part-one').digest()
                           + hashlib.md5(b'CDEF').digest()).hexdigest()
    assert doc(done).findtext('ETag') == '"%s-2"' % expected
    assert doc(done).findtext('Location') == 'http://localhost:3333/bkt/big'
    got = s3.get('/bkt/big')
    assert got.body == b'part-oneCDEF'
    assert (got.headers['x-amz-meta-m'], got.headers['Content-Type']) == ('v', 'a/b')
    assert doc(s3.get('/bkt?uploads')).find('Upload') is None


def test_multipart_errors(s3):
    s3.put('/bkt')
    upload = _start(s3, '/bkt/m')
    one = s3.put('/bkt/m?partNumber=1&uploadId=%s' % upload, b'x' * 10).headers['ETag']
    two = s3.put('/bkt/m?partNumber=2&uploadId=%s' % upload, b'y').headers['ETag']
    assert status_code(_complete(s3, '/bkt/m', upload, [(2, two), (1, one)])) == (
        400, 'InvalidPartOrder')
    assert status_code(_complete(s3, '/bkt/m', upload, [(1, one), (2, two)])) == (
        400, 'EntityTooSmall')
    assert status_code(_complete(s3, '/bkt/m', upload, [(3, two)])) == (400, 'InvalidPart')
    assert status_code(s3.post('/bkt/m?uploadId=%s' % upload, b'<Nope/>')) == (
        400, 'MalformedXML')
    assert status_code(s3.put('/bkt/m?partNumber=0&uploadId=%s' % upload, b'z')) == (
        400, 'InvalidArgument')
    assert status_code(s3.put('/bkt/m?partNumber=10001&uploadId=%s' % upload, b'z')) == (
        400, 'InvalidArgument')
    assert status_code(s3.put('/bkt/other?partNumber=1&uploadId=%s' % upload, b'z')) == (
        404, 'NoSuchUpload')
    assert status_code(s3.put('/bkt/m?partNumber=1&uploadId=../../etc', b'z')) == (
        404, 'NoSuchUpload')
    assert status_code(s3.get('/bkt/m?uploadId=%s' % upload, user='dave')) == (
        403, 'AccessDenied')
    assert s3.delete('/bkt/m?uploadId=%s' % upload).status_int == 204
    assert status_code(s3.delete('/bkt/m?uploadId=%s' % upload)) == (404, 'NoSuchUpload')
    assert s3.head('/bkt/m').status_int == 404


def test_declared_checksums_are_verified_kept_and_returned_on_request(s3):
    import zlib
    s3.put('/bkt')
    crc = base64.b64encode(zlib.crc32(b'data').to_bytes(4, 'big')).decode()
    put = s3.put('/bkt/k', b'data', headers={'x-amz-checksum-crc32': crc})
    assert put.headers['x-amz-checksum-crc32'] == crc
    plain = s3.get('/bkt/k')
    assert 'x-amz-checksum-crc32' not in plain.headers
    asked = s3.get('/bkt/k', headers={'x-amz-checksum-mode': 'ENABLED'})
    assert (asked.headers['x-amz-checksum-crc32'], asked.headers['x-amz-checksum-type']) == (
        crc, 'FULL_OBJECT')
    ranged = s3.get('/bkt/k', headers={'x-amz-checksum-mode': 'ENABLED', 'Range': 'bytes=0-1'})
    assert 'x-amz-checksum-crc32' not in ranged.headers  # not the checksum of the range
    wrong = s3.put('/bkt/k2', b'data', headers={'x-amz-checksum-sha256': crc})
    assert status_code(wrong) == (400, 'BadDigest')
    assert status_code(s3.put('/bkt/k3', b'd', headers={'x-amz-checksum-crc32c': 'AAAAAA=='})) \
        == (400, 'BadDigest')


def test_a_put_must_say_how_long_its_body_is(s3, app):
    s3.put('/bkt')
    req = s3.prepare('PUT', '/bkt/k', b'')
    del req.environ['CONTENT_LENGTH']
    assert status_code(req.get_response(app)) == (411, 'MissingContentLength')
    assert s3.head('/bkt/k').status_int == 404
    assert s3.put('/bkt/empty', b'').status_int == 200
