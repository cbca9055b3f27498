"""Who signed an S3 request and whether its body is what the signature says:
SigV4 (header, presigned, signed and unsigned aws-chunked bodies), SigV2
(header and query), and the errors S3 gives for each way of getting it wrong."""
import base64
import hashlib
import hmac
import time
import types
import urllib.parse
import zlib

import webob
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from nova.auth import signature
from nova.objectstore import auth
from nova.objectstore.errors import S3Error
from tests.unit.objectstore.conftest import error_code

# AWS's published example of a chunked upload (Signature Calculations for the
# Authorization Header: Transferring Payload in Multiple Chunks)
EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
EXAMPLE_SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9'
EXAMPLE_CHUNKS = (
    (b'a' * 65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'),
    (b'a' * 1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'),
    (b'', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'),
)


def _example_signer():
    key = signature.signing_key(EXAMPLE_SECRET, '20130524', 'us-east-1', 's3')
    return auth.ChunkSigner(key, '20130524T000000Z', '20130524/us-east-1/s3/aws4_request',
                            EXAMPLE_SEED)


def test_chunk_signatures_match_the_aws_example():
    signer = _example_signer()
    for data, expected in EXAMPLE_CHUNKS:
        signer.verify_chunk(hashlib.sha256(data).hexdigest(), expected)


def test_a_chunk_out_of_order_does_not_verify():
    signer = _example_signer()
    (data1, _sig1), (_data2, sig2), _last = EXAMPLE_CHUNKS
    try:
        signer.verify_chunk(hashlib.sha256(data1).hexdigest(), sig2)
    except S3Error as e:
        assert e.code == 'SignatureDoesNotMatch'
    else:
        raise AssertionError('a chunk verified with the next chunk\'s signature')


class DeclaredPayload(botocore_auth.S3SigV4Auth):
    """botocore's S3 signer declaring a given x-amz-content-sha256."""

    def __init__(self, declared, *args):
        super().__init__(*args)
        self.declared = declared

    def payload(self, request):
        return self.declared


def _streaming_request(keys, path, chunks, tamper=None):
    """A PUT whose body is aws-chunked with chained chunk signatures."""
    creds = Credentials(keys['alice'].access, keys['alice'].secret)
    data = b''.join(chunks)
    encoded_length = sum(len('%x;chunk-signature=%s\r\n' % (len(c), 'x' * 64)) + len(c) + 2
                         for c in chunks + [b''])
    aws = AWSRequest(method='PUT', url='http://localhost:3333' + path, headers={
        'Content-Encoding': 'aws-chunked', 'x-amz-decoded-content-length': str(len(data)),
        'Content-Length': str(encoded_length)})
    DeclaredPayload(auth.STREAMING_SIGNED, creds, 's3', 'us-east-1').add_auth(aws)
    prepared = aws.prepare()
    header = prepared.headers['Authorization']
    seed = header.rpartition('Signature=')[2]
    amz_date = prepared.headers['X-Amz-Date']
    scope = '%s/us-east-1/s3/aws4_request' % amz_date[:8]
    key = signature.signing_key(creds.secret_key, amz_date[:8], 'us-east-1', 's3')
    body, previous = b'', seed
    for n, chunk in enumerate(chunks + [b'']):
        string = '\n'.join(('AWS4-HMAC-SHA256-PAYLOAD', amz_date, scope, previous,
                            hashlib.sha256(b'').hexdigest(), hashlib.sha256(chunk).hexdigest()))
        previous = hmac.new(key, string.encode(), hashlib.sha256).hexdigest()
        if tamper == n:
            chunk = chunk[:-1] + b'!'
        body += b'%x;chunk-signature=%s\r\n%s\r\n' % (len(chunk), previous.encode(), chunk)
    req = webob.Request.blank(path, method='PUT', body=body)
    for name, value in prepared.headers.items():
        req.headers[name] = value.decode() if isinstance(value, bytes) else value
    req.headers['Host'] = 'localhost:3333'
    return req


def test_signed_streaming_body_is_decoded_and_verified(s3, app, keys):
    s3.put('/stream')
    chunks = [b'first chunk ' * 1000, b'second', b'third and last']
    response = _streaming_request(keys, '/stream/obj', chunks).get_response(app)
    assert response.status_int == 200, response.body
    got = s3.get('/stream/obj')
    assert got.body == b''.join(chunks)
    assert 'Content-Encoding' not in got.headers  # aws-chunked was the transfer, not the data
    tampered = _streaming_request(keys, '/stream/bad', chunks, tamper=1).get_response(app)
    assert (tampered.status_int, error_code(tampered)) == (403, 'SignatureDoesNotMatch')
    assert s3.head('/stream/bad').status_int == 404


def _declared(keys, path, body, headers, declared):
    creds = Credentials(keys['alice'].access, keys['alice'].secret)
    aws = AWSRequest(method='PUT', url='http://localhost:3333' + path, data=body,
                     headers=headers)
    DeclaredPayload(declared, creds, 's3', 'us-east-1').add_auth(aws)
    req = webob.Request.blank(path, method='PUT', body=body)
    for name, value in aws.prepare().headers.items():
        req.headers[name] = value.decode() if isinstance(value, bytes) else value
    req.headers['Host'] = 'localhost:3333'
    return req


def test_unsigned_aws_chunked_body_with_a_trailing_checksum(s3, app, keys):
    """What boto3 sends over https: STREAMING-UNSIGNED-PAYLOAD-TRAILER."""
    s3.put('/trail')
    data = b'checked by the trailer ' * 100

    def put(key, crc):
        trailer = 'x-amz-checksum-crc32:%s' % base64.b64encode(crc.to_bytes(4, 'big')).decode()
        body = b'%x\r\n%s\r\n0\r\n%s\r\n\r\n' % (len(data), data, trailer.encode())
        return _declared(keys, '/trail/' + key, body, {
            'Content-Encoding': 'aws-chunked', 'X-Amz-Trailer': 'x-amz-checksum-crc32',
            'X-Amz-Decoded-Content-Length': str(len(data))},
            auth.STREAMING_UNSIGNED_TRAILER).get_response(app)

    assert put('good', zlib.crc32(data)).status_int == 200
    assert s3.get('/trail/good').body == data
    bad = put('bad', zlib.crc32(data) ^ 1)
    assert (bad.status_int, error_code(bad)) == (400, 'BadDigest')
    assert s3.head('/trail/bad').status_int == 404


def test_body_not_matching_its_declared_sha256(s3, app):
    s3.put('/sha')
    req = s3.prepare('PUT', '/sha/k', b'the body')
    req.body = b'another body'
    response = req.get_response(app)
    assert (response.status_int, error_code(response)) == (400, 'XAmzContentSHA256Mismatch')
    assert s3.head('/sha/k').status_int == 404


def test_presigned_v4_expiry_and_tampering(s3, app):
    s3.put('/pre')
    s3.put('/pre/k', b'v')
    assert s3.presigned('GET', '/pre/k').get_response(app).body == b'v'
    expired = s3.presigned('GET', '/pre/k', expires=1)
    time.sleep(1.1)
    response = expired.get_response(app)
    assert (response.status_int, error_code(response)) == (403, 'AccessDenied')
    other = s3.presigned('GET', '/pre/k')
    other.path_info = '/pre/j'
    response = other.get_response(app)
    assert (response.status_int, error_code(response)) == (403, 'SignatureDoesNotMatch')


def _v2_query(keys, path, expires_in):
    aws = AWSRequest(method='GET', url='http://localhost:3333' + path)
    botocore_auth.HmacV1QueryAuth(Credentials(keys['alice'].access, keys['alice'].secret),
                                  expires=expires_in).add_auth(aws)
    split = urllib.parse.urlsplit(aws.prepare().url)
    req = webob.Request.blank(split.path + '?' + split.query)
    req.headers['Host'] = 'localhost:3333'
    return req


def test_signature_v2_header_and_query(s3, app, keys):
    s3.put('/two')
    assert s3.put('/two/k', b'v2', headers={'x-amz-meta-a': 'b'}, sign='v2').status_int == 200
    assert s3.get('/two/k', sign='v2').headers['x-amz-meta-a'] == 'b'
    assert s3.get('/two?acl', sign='v2').status_int == 200  # a sub-resource is signed
    assert _v2_query(keys, '/two/k', 60).get_response(app).body == b'v2'
    expired = _v2_query(keys, '/two/k', -10).get_response(app)
    assert (expired.status_int, error_code(expired)) == (403, 'AccessDenied')
    wrong = s3.prepare('GET', '/two/k', sign='v2')
    wrong.headers['Authorization'] = wrong.headers['Authorization'][:-4] + 'AAA='
    response = wrong.get_response(app)
    assert (response.status_int, error_code(response)) == (403, 'SignatureDoesNotMatch')


def test_malformed_and_unknown_credentials(s3, app, keys):
    s3.put('/m')
    cases = [
        ({'Authorization': 'Bearer abc'}, 400, 'InvalidArgument'),
        ({'Authorization': 'AWS4-HMAC-SHA256 Credential=garbage',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD'}, 400, 'AuthorizationHeaderMalformed'),
        ({'Authorization': 'AWS nocolon'}, 400, 'AuthorizationHeaderMalformed'),
    ]
    for headers, status, code in cases:
        req = webob.Request.blank('/m')
        req.headers.update(headers)
        req.headers['Host'] = 'localhost:3333'
        req.headers['x-amz-date'] = time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())
        response = req.get_response(app)
        assert (response.status_int, error_code(response)) == (status, code), headers
    s3.keys['ghost'] = types.SimpleNamespace(access='AKIDGHOST', secret='s' * 40)
    for sign in ('v4', 'v2'):
        response = s3.get('/m', user='ghost', sign=sign)
        assert (response.status_int, error_code(response)) == (403, 'InvalidAccessKeyId')
    missing = s3.prepare('GET', '/m')
    del missing.headers['X-Amz-Content-SHA256']
    response = missing.get_response(app)
    assert (response.status_int, error_code(response)) == (400, 'InvalidRequest')


def test_old_request_is_too_skewed(s3, app):
    s3.put('/skew')
    req = s3.prepare('GET', '/skew', sign='v2')
    req.headers['Date'] = 'Mon, 01 Jan 2001 00:00:00 GMT'
    response = req.get_response(app)
    assert (response.status_int, error_code(response)) == (403, 'RequestTimeTooSkewed')
