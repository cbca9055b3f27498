"""Additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), multipart
checksums (COMPOSITE and FULL_OBJECT), GetObjectAttributes, partNumber reads
and a repeated CompleteMultipartUpload."""
import base64
import hashlib

import pytest
from awscrt import checksums as crt

from tests.unit.objectstore.conftest import doc, error_code

PART = 5 * 1024 ** 2


def b64(digest):
    return base64.b64encode(digest).decode()


SUMS = {
    'crc32': lambda d: b64(crt.crc32(d).to_bytes(4, 'big')),
    'crc32c': lambda d: b64(crt.crc32c(d).to_bytes(4, 'big')),
    'crc64nvme': lambda d: b64(crt.crc64nvme(d).to_bytes(8, 'big')),
    'sha1': lambda d: b64(hashlib.sha1(d).digest()),
    'sha256': lambda d: b64(hashlib.sha256(d).digest()),
}


@pytest.fixture
def sums(s3):
    s3.put('/sums')
    return s3


@pytest.mark.parametrize('algorithm', sorted(SUMS))
def test_each_algorithm_is_checked_and_kept(sums, algorithm):
    data = b'checksummed body'
    header = 'x-amz-checksum-' + algorithm
    put = sums.put('/sums/k', data, {header: SUMS[algorithm](data)})
    assert put.status_int == 200 and put.headers[header] == SUMS[algorithm](data)
    got = sums.get('/sums/k', headers={'x-amz-checksum-mode': 'ENABLED'})
    assert got.headers[header] == SUMS[algorithm](data)
    assert got.headers['x-amz-checksum-type'] == 'FULL_OBJECT'
    bad = sums.put('/sums/k', data, {header: SUMS[algorithm](b'other')})
    assert (bad.status_int, error_code(bad)) == (400, 'BadDigest')
    assert sums.get('/sums/k').body == data


def _upload(s3, key, parts, headers):
    created = s3.post('/sums/%s?uploads' % key, headers=headers)
    upload = doc(created).findtext('UploadId')
    etags = []
    for number, data in enumerate(parts, 1):
        etags.append(s3.put('/sums/%s?partNumber=%d&uploadId=%s' % (key, number, upload),
                            data).headers['ETag'])
    return created, upload, etags


def _complete_body(etags, algorithm=None, values=()):
    parts = ''
    for number, etag in enumerate(etags, 1):
        extra = ''
        if algorithm:
            extra = '<Checksum%s>%s</Checksum%s>' % (algorithm.upper(), values[number - 1],
                                                     algorithm.upper())
        parts += '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag>%s</Part>' % (
            number, etag, extra)
    return ('<CompleteMultipartUpload>%s</CompleteMultipartUpload>' % parts).encode()


def test_composite_multipart_checksum(sums):
    parts = [b'a' * PART, b'b' * 10]
    created, upload, etags = _upload(sums, 'comp', parts,
                                     {'x-amz-checksum-algorithm': 'SHA256'})
    assert created.headers['x-amz-checksum-algorithm'] == 'SHA256'
    assert created.headers['x-amz-checksum-type'] == 'COMPOSITE'
    listed = doc(sums.get('/sums/comp?uploadId=' + upload))
    values = [p.findtext('ChecksumSHA256') for p in listed.findall('Part')]
    assert values == [SUMS['sha256'](p) for p in parts]
    done = doc(sums.post('/sums/comp?uploadId=' + upload,
                         _complete_body(etags, 'sha256', values)))
    expected = b64(hashlib.sha256(b''.join(base64.b64decode(v) for v in values)).digest())
    assert done.findtext('ChecksumSHA256') == expected + '-2'
    assert done.findtext('ChecksumType') == 'COMPOSITE'
    got = sums.head('/sums/comp', headers={'x-amz-checksum-mode': 'ENABLED'})
    assert got.headers['x-amz-checksum-sha256'] == expected + '-2'
    assert got.headers['x-amz-checksum-type'] == 'COMPOSITE'


@pytest.mark.parametrize('algorithm', ['crc32', 'crc32c', 'crc64nvme'])
def test_full_object_crc_of_a_multipart_object(sums, algorithm):
    parts = [b'x' * PART, b'y' * (PART + 3), b'z' * 7]
    created, upload, etags = _upload(sums, 'full', parts, {
        'x-amz-checksum-algorithm': algorithm.upper(), 'x-amz-checksum-type': 'FULL_OBJECT'})
    assert created.headers['x-amz-checksum-type'] == 'FULL_OBJECT'
    done = doc(sums.post('/sums/full?uploadId=' + upload, _complete_body(etags)))
    element = 'Checksum' + algorithm.upper()
    assert done.findtext(element) == SUMS[algorithm](b''.join(parts))
    assert done.findtext('ChecksumType') == 'FULL_OBJECT'


def test_checksum_types_the_algorithm_cannot_have(sums):
    for headers in ({'x-amz-checksum-algorithm': 'SHA1', 'x-amz-checksum-type': 'FULL_OBJECT'},
                    {'x-amz-checksum-algorithm': 'CRC64NVME',
                     'x-amz-checksum-type': 'COMPOSITE'},
                    {'x-amz-checksum-algorithm': 'MD4'},
                    {'x-amz-checksum-type': 'COMPOSITE'}):
        response = sums.post('/sums/k?uploads', headers=headers)
        assert (response.status_int, error_code(response)) == (400, 'InvalidRequest'), headers


def test_a_part_checksum_that_does_not_match_is_invalid_part(sums):
    _created, upload, etags = _upload(sums, 'k', [b'only part'],
                                      {'x-amz-checksum-algorithm': 'CRC32'})
    response = sums.post('/sums/k?uploadId=' + upload,
                         _complete_body(etags, 'crc32', [SUMS['crc32'](b'other')]))
    assert (response.status_int, error_code(response)) == (400, 'InvalidPart')


def test_completing_twice_answers_the_same(sums):
    _created, upload, etags = _upload(sums, 'twice', [b'p' * PART, b'q'], {})
    first = sums.post('/sums/twice?uploadId=' + upload, _complete_body(etags))
    again = sums.post('/sums/twice?uploadId=' + upload, _complete_body(etags))
    assert again.status_int == 200
    assert doc(again).findtext('ETag') == doc(first).findtext('ETag')
    gone = sums.put('/sums/twice?partNumber=1&uploadId=' + upload, b'late')
    assert (gone.status_int, error_code(gone)) == (404, 'NoSuchUpload')
    other_key = sums.post('/sums/other?uploadId=' + upload, _complete_body(etags))
    assert (other_key.status_int, error_code(other_key)) == (404, 'NoSuchUpload')


def test_part_number_reads(sums):
    parts = [b'a' * PART, b'b' * PART, b'c' * 5]
    _created, upload, etags = _upload(sums, 'parts', parts, {})
    sums.post('/sums/parts?uploadId=' + upload, _complete_body(etags))
    second = sums.get('/sums/parts?partNumber=2')
    assert second.status_int == 206 and second.body == parts[1]
    assert second.headers['Content-Range'] == 'bytes %d-%d/%d' % (PART, 2 * PART - 1,
                                                                  2 * PART + 5)
    assert second.headers['x-amz-mp-parts-count'] == '3'
    assert sums.head('/sums/parts?partNumber=3').headers['Content-Length'] == '5'
    beyond = sums.get('/sums/parts?partNumber=4')
    assert (beyond.status_int, error_code(beyond)) == (416, 'InvalidPartNumber')
    both = sums.get('/sums/parts?partNumber=1', headers={'Range': 'bytes=0-1'})
    assert (both.status_int, error_code(both)) == (400, 'InvalidRequest')
    sums.put('/sums/single', b'one piece')
    assert sums.get('/sums/single?partNumber=1').body == b'one piece'
    assert sums.get('/sums/single?partNumber=2').status_int == 416


def test_get_object_attributes(sums):
    parts = [b'a' * PART, b'b' * 3]
    _created, upload, etags = _upload(sums, 'attrs', parts,
                                      {'x-amz-checksum-algorithm': 'CRC32C'})
    sums.post('/sums/attrs?uploadId=' + upload, _complete_body(etags))
    asked = {'x-amz-object-attributes': 'ETag,Checksum,ObjectParts,StorageClass,ObjectSize',
             'x-amz-max-parts': '1'}
    found = doc(sums.get('/sums/attrs?attributes', headers=asked))
    assert found.findtext('ETag') == doc(sums.get('/sums?versions')).findtext(
        'Version/ETag').strip('"')
    assert found.findtext('ObjectSize') == str(PART + 3)
    assert found.findtext('StorageClass') == 'STANDARD'
    assert found.findtext('Checksum/ChecksumType') == 'COMPOSITE'
    assert found.findtext('ObjectParts/PartsCount') == '2'
    assert found.findtext('ObjectParts/IsTruncated') == 'true'
    assert [p.findtext('ChecksumCRC32C') for p in found.findall('ObjectParts/Part')] == [
        SUMS['crc32c'](parts[0])]
    missing = sums.get('/sums/attrs?attributes')
    assert (missing.status_int, error_code(missing)) == (400, 'InvalidRequest')
    bad = sums.get('/sums/attrs?attributes', headers={'x-amz-object-attributes': 'Colour'})
    assert (bad.status_int, error_code(bad)) == (400, 'InvalidArgument')
    denied = sums.get('/sums/attrs?attributes', headers=asked, user='dave')
    assert (denied.status_int, error_code(denied)) == (403, 'AccessDenied')
