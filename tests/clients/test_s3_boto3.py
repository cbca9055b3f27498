"""nova-objectstore driven by unmodified boto3 (and urllib for anonymous and
presigned requests), as a user of the running cloud would.

Two non-admin users in two projects (alice, bob) are made with nova-manage.
Virtual-host-style requests go to <bucket>.localhost: glibc does not resolve
*.localhost names (RFC 6761 says they are loopback), so the ``localhost_dns``
fixture resolves them to 127.0.0.1 in this process, the way systemd-resolved
or an /etc/hosts line would; boto3 itself is untouched and sends
``Host: <bucket>.localhost:<port>``.
"""
import base64
import concurrent.futures
import datetime
import hashlib
import http.client
import io
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

import boto3
import botocore
import pytest
from boto3.s3.transfer import TransferConfig
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.clients import s3_standalone

MiB = 1024 ** 2


def _unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:10])


@pytest.fixture(scope='module')
def people(cloud):
    """alice and bob: members of two different projects, with EC2 keys."""
    names = {'alice': _unique('alice'), 'bob': _unique('bob')}
    made = s3_standalone.credentials(cloud.flagfile, *names.values())
    return {who: made[name] for who, name in names.items()}


@pytest.fixture(scope='module')
def localhost_dns():
    """Resolve <anything>.localhost to 127.0.0.1 in this process (RFC 6761)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith('.localhost'):
            host = '127.0.0.1'
        return real(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, 'getaddrinfo', getaddrinfo)
        yield


@pytest.fixture(scope='module')
def connect(cloud, people, localhost_dns):
    """connect(user='alice', style='path', **config) -> a boto3 S3 client."""
    endpoint = cloud.novarc()['S3_URL']

    def connect(user='alice', style='path', secret=None, **config):
        url = endpoint
        if style == 'virtual':
            url = endpoint.replace('127.0.0.1', 'localhost')
        creds = people[user]
        return boto3.client(
            's3', endpoint_url=url, region_name='RegionOne',
            aws_access_key_id=creds.access, aws_secret_access_key=secret or creds.secret,
            config=Config(s3={'addressing_style': style}, retries={'max_attempts': 1},
                          **config))
    return connect


@pytest.fixture(scope='module')
def s3(connect):
    return connect()


@pytest.fixture
def bucket(s3):
    """A new bucket of alice's, emptied and deleted after the test."""
    name = _unique('t')
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=name):
        for item in page.get('Contents', []):
            s3.delete_object(Bucket=name, Key=item['Key'])
    for upload in s3.list_multipart_uploads(Bucket=name).get('Uploads', []):
        s3.abort_multipart_upload(Bucket=name, Key=upload['Key'], UploadId=upload['UploadId'])
    s3.delete_bucket(Bucket=name)


def code_of(excinfo):
    error = excinfo.value.response
    return error['ResponseMetadata']['HTTPStatusCode'], error['Error']['Code']


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


# ----------------------------------------------------------------- buckets

def test_novarc_carries_the_s3_endpoint_and_its_keys_work(cloud):
    env = cloud.novarc()
    assert env['S3_URL'] == cloud.url('objectstore')
    admin = boto3.client('s3', endpoint_url=env['S3_URL'], region_name=env['AWS_DEFAULT_REGION'],
                         aws_access_key_id=env['AWS_ACCESS_KEY_ID'],
                         aws_secret_access_key=env['AWS_SECRET_ACCESS_KEY'])
    assert admin.list_buckets()['ResponseMetadata']['HTTPStatusCode'] == 200


@pytest.mark.parametrize('style', ['path', 'virtual'])
def test_bucket_lifecycle(connect, style):
    s3 = connect(style=style)
    sent = []
    s3.meta.events.register('before-send.s3', lambda request, **kw: sent.append(request.url))
    name = _unique('life')
    s3.create_bucket(Bucket=name)
    assert name in [b['Name'] for b in s3.list_buckets()['Buckets']]
    assert s3.head_bucket(Bucket=name)['ResponseMetadata']['HTTPStatusCode'] == 200
    s3.put_object(Bucket=name, Key='inside', Body=b'x')
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert code_of(e) == (409, 'BucketNotEmpty')
    s3.delete_object(Bucket=name, Key='inside')
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert code_of(e)[0] == 404
    host = urllib.parse.urlsplit(sent[0]).hostname
    assert host == (name + '.localhost' if style == 'virtual' else '127.0.0.1')


def test_invalid_and_taken_bucket_names(s3, connect, bucket):
    for name in ('ab', 'Upper', '-dash', '192.168.1.1', 'a..b'):
        with pytest.raises(ClientError) as e:
            s3.create_bucket(Bucket=name)
        assert code_of(e) == (400, 'InvalidBucketName'), name
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=bucket)
    assert code_of(e) == (409, 'BucketAlreadyOwnedByYou')
    with pytest.raises(ClientError) as e:
        connect('bob').create_bucket(Bucket=bucket)
    assert code_of(e) == (409, 'BucketAlreadyExists')


# ----------------------------------------------------------------- listings

LISTED = ['a.txt', 'dir/1', 'dir/2', 'dir/sub/3', 'docs/x', 'z']


@pytest.fixture
def filled(s3, bucket):
    for key in LISTED:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_list_objects_v1(s3, filled):
    listed = s3.list_objects(Bucket=filled)
    assert [o['Key'] for o in listed['Contents']] == LISTED
    assert listed['Contents'][1]['Size'] == 5
    assert listed['Contents'][1]['ETag'] == '"%s"' % hashlib.md5(b'dir/1').hexdigest()
    rolled = s3.list_objects(Bucket=filled, Delimiter='/')
    assert [o['Key'] for o in rolled['Contents']] == ['a.txt', 'z']
    assert [p['Prefix'] for p in rolled['CommonPrefixes']] == ['dir/', 'docs/']
    inside = s3.list_objects(Bucket=filled, Prefix='dir/', Delimiter='/')
    assert [o['Key'] for o in inside['Contents']] == ['dir/1', 'dir/2']
    assert [p['Prefix'] for p in inside['CommonPrefixes']] == ['dir/sub/']
    first = s3.list_objects(Bucket=filled, MaxKeys=2)
    assert first['IsTruncated'] and [o['Key'] for o in first['Contents']] == LISTED[:2]
    rest = s3.list_objects(Bucket=filled, Marker=LISTED[1])
    assert [o['Key'] for o in rest['Contents']] == LISTED[2:] and not rest['IsTruncated']
    pages = s3.get_paginator('list_objects').paginate(Bucket=filled, Delimiter='/',
                                                        PaginationConfig={'PageSize': 1})
    seen = [(o.get('Key') or o.get('Prefix'))
            for page in pages for o in page.get('Contents', []) + page.get('CommonPrefixes', [])]
    assert seen == ['a.txt', 'dir/', 'docs/', 'z']


def test_list_objects_v2(s3, filled):
    first = s3.list_objects_v2(Bucket=filled, MaxKeys=3)
    assert first['KeyCount'] == 3 and first['IsTruncated']
    rest = s3.list_objects_v2(Bucket=filled, ContinuationToken=first['NextContinuationToken'])
    assert [o['Key'] for o in first['Contents'] + rest['Contents']] == LISTED
    assert not rest['IsTruncated']
    after = s3.list_objects_v2(Bucket=filled, StartAfter='dir/sub/3', Prefix='d')
    assert [o['Key'] for o in after['Contents']] == ['docs/x']
    pages = list(s3.get_paginator('list_objects_v2').paginate(
        Bucket=filled, Prefix='dir/', PaginationConfig={'PageSize': 1}))
    assert [o['Key'] for p in pages for o in p['Contents']] == ['dir/1', 'dir/2', 'dir/sub/3']
    assert len(pages) == 3
    empty = s3.list_objects_v2(Bucket=filled, Prefix='nothing')
    assert empty['KeyCount'] == 0 and 'Contents' not in empty


# ----------------------------------------------------------------- objects

def test_put_get_with_ranges_and_conditions(s3, bucket):
    body = os.urandom(100_000)
    etag = s3.put_object(Bucket=bucket, Key='k', Body=body)['ETag']
    assert etag == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key='k')
    assert got['Body'].read() == body and got['ContentLength'] == len(body)
    part = s3.get_object(Bucket=bucket, Key='k', Range='bytes=10-19')
    assert part['Body'].read() == body[10:20]
    assert part['ContentRange'] == 'bytes 10-19/100000'
    assert s3.get_object(Bucket=bucket, Key='k', Range='bytes=-5')['Body'].read() == body[-5:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k', Range='bytes=100000-')
    assert code_of(e) == (416, 'InvalidRange')
    assert s3.get_object(Bucket=bucket, Key='k', IfMatch=etag)['Body'].read() == body
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k', IfMatch='"0123"')
    assert code_of(e) == (412, 'PreconditionFailed')
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k', IfNoneMatch=etag)
    assert code_of(e)[0] == 304
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k', IfModifiedSince=later)
    assert code_of(e)[0] == 304
    earlier = later - datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key='k', IfModifiedSince=earlier)['Body'].read() == body


ODD_KEYS = ['a&b=c', 'hash#tag', 'percent%20', 'plus+sign', 'question?mark', 'tilde~',
            'with space', 'ünïcode/ключ/日本']


@pytest.mark.parametrize('style', ['path', 'virtual'])
def test_keys_with_unusual_characters(connect, bucket, style):
    s3 = connect(style=style)
    for key in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert [o['Key'] for o in s3.list_objects(Bucket=bucket)['Contents']] == ODD_KEYS
    assert [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']] == ODD_KEYS
    for key in ODD_KEYS:
        assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == key.encode()
    s3.copy_object(Bucket=bucket, Key='copy of ' + ODD_KEYS[-1],
                   CopySource={'Bucket': bucket, 'Key': ODD_KEYS[-1]})
    result = s3.delete_objects(Bucket=bucket, Delete={'Objects': [
        {'Key': key} for key in ODD_KEYS + ['copy of ' + ODD_KEYS[-1]]]})
    assert len(result['Deleted']) == len(ODD_KEYS) + 1
    assert 'Contents' not in s3.list_objects_v2(Bucket=bucket)


def test_metadata_head_and_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key='src', Body=b'data', ContentType='text/plain',
                  Metadata={'colour': 'blue', 'Shape': 'round'}, CacheControl='no-cache')
    head = s3.head_object(Bucket=bucket, Key='src')
    assert head['Metadata'] == {'colour': 'blue', 'shape': 'round'}
    assert (head['ContentType'], head['ContentLength'], head['CacheControl']) == (
        'text/plain', 4, 'no-cache')
    copied = s3.copy_object(Bucket=bucket, Key='copy', CopySource={'Bucket': bucket,
                                                                    'Key': 'src'})
    assert copied['CopyObjectResult']['ETag'] == head['ETag']
    copy = s3.get_object(Bucket=bucket, Key='copy')
    assert copy['Body'].read() == b'data' and copy['Metadata']['colour'] == 'blue'
    s3.copy_object(Bucket=bucket, Key='copy', CopySource='%s/src' % bucket,
                   MetadataDirective='REPLACE', Metadata={'new': '1'},
                   ContentType='application/json')
    replaced = s3.head_object(Bucket=bucket, Key='copy')
    assert replaced['Metadata'] == {'new': '1'}
    assert replaced['ContentType'] == 'application/json'
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key='x', CopySource='%s/missing' % bucket)
    assert code_of(e) == (404, 'NoSuchKey')


def test_delete_object_and_delete_objects(s3, bucket):
    for key in ('a', 'b', 'c'):
        s3.put_object(Bucket=bucket, Key=key, Body=b'1')
    assert s3.delete_object(Bucket=bucket, Key='a')['ResponseMetadata']['HTTPStatusCode'] == 204
    s3.delete_object(Bucket=bucket, Key='a')  # S3 answers the same for a missing key
    result = s3.delete_objects(Bucket=bucket, Delete={'Objects': [
        {'Key': 'b'}, {'Key': 'c'}, {'Key': 'never'}]})
    assert sorted(d['Key'] for d in result['Deleted']) == ['b', 'c', 'never']
    assert 'Contents' not in s3.list_objects_v2(Bucket=bucket)
    quiet = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'x'}], 'Quiet': True})
    assert 'Deleted' not in quiet and 'Errors' not in quiet


def test_content_md5_is_checked(s3, bucket):
    good = s3.put_object(Bucket=bucket, Key='k', Body=b'payload', ContentMD5=md5_b64(b'payload'))
    assert good['ETag'] == '"%s"' % hashlib.md5(b'payload').hexdigest()
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key='bad', Body=b'payload', ContentMD5=md5_b64(b'other'))
    assert code_of(e) == (400, 'BadDigest')
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key='bad')
    assert code_of(e)[0] == 404


def test_checksums_are_kept_and_checked_by_boto3(cloud, s3, bucket):
    body = os.urandom(50_000)
    put = s3.put_object(Bucket=bucket, Key='crc', Body=body)  # boto3 sends a CRC32
    crc = base64.b64encode(zlib.crc32(body).to_bytes(4, 'big')).decode()
    assert put['ChecksumCRC32'] == crc
    got = s3.get_object(Bucket=bucket, Key='crc', ChecksumMode='ENABLED')
    assert got['ChecksumCRC32'] == crc and got['Body'].read() == body
    sha = s3.put_object(Bucket=bucket, Key='sha', Body=body, ChecksumAlgorithm='SHA256')
    assert sha['ChecksumSHA256'] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert s3.head_object(Bucket=bucket, Key='sha', ChecksumMode='ENABLED')[
        'ChecksumSHA256'] == sha['ChecksumSHA256']
    # the disk flips a bit: boto3 notices from the stored checksum
    objects = os.path.join(cloud.state_path, 'buckets', bucket, 'objects')
    path = os.path.join(objects, next(n for n in os.listdir(objects) if n.startswith('crc')))
    with open(path, 'r+b') as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(botocore.exceptions.FlexibleChecksumError):
        s3.get_object(Bucket=bucket, Key='crc', ChecksumMode='ENABLED')['Body'].read()


# ----------------------------------------------------------------- multipart

def test_multipart_upload(s3, bucket):
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), b'tail']
    upload = s3.create_multipart_upload(Bucket=bucket, Key='mp', Metadata={'k': 'v'},
                                        ContentType='application/x-test')
    uid = upload['UploadId']
    assert [u['UploadId'] for u in s3.list_multipart_uploads(Bucket=bucket)['Uploads']] == [uid]
    etags = [s3.upload_part(Bucket=bucket, Key='mp', UploadId=uid, PartNumber=n + 1,
                            Body=data)['ETag'] for n, data in enumerate(parts)]
    assert etags == ['"%s"' % hashlib.md5(data).hexdigest() for data in parts]
    listed = s3.list_parts(Bucket=bucket, Key='mp', UploadId=uid)
    assert [(p['PartNumber'], p['Size']) for p in listed['Parts']] == [
        (1, 5 * MiB), (2, 5 * MiB), (3, 4)]
    first = s3.list_parts(Bucket=bucket, Key='mp', UploadId=uid, MaxParts=1)
    assert first['IsTruncated'] and first['NextPartNumberMarker'] == 1
    done = s3.complete_multipart_upload(Bucket=bucket, Key='mp', UploadId=uid, MultipartUpload={
        'Parts': [{'PartNumber': n + 1, 'ETag': etag} for n, etag in enumerate(etags)]})
    expected = hashlib.md5(b''.join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert done['ETag'] == '"%s-3"' % expected
    got = s3.get_object(Bucket=bucket, Key='mp')
    assert got['Body'].read() == b''.join(parts)
    assert (got['ETag'], got['Metadata'], got['ContentType']) == (
        done['ETag'], {'k': 'v'}, 'application/x-test')
    assert 'Uploads' not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key='mp', UploadId=uid)
    assert code_of(e) == (404, 'NoSuchUpload')


def test_multipart_errors_and_abort(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key='m')['UploadId']
    small = s3.upload_part(Bucket=bucket, Key='m', UploadId=uid, PartNumber=1, Body=b'1')
    last = s3.upload_part(Bucket=bucket, Key='m', UploadId=uid, PartNumber=2, Body=b'2')
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key='m', UploadId=uid, MultipartUpload={
            'Parts': [{'PartNumber': 1, 'ETag': small['ETag']},
                      {'PartNumber': 2, 'ETag': last['ETag']}]})
    assert code_of(e) == (400, 'EntityTooSmall')
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key='m', UploadId=uid, MultipartUpload={
            'Parts': [{'PartNumber': 1, 'ETag': '"%s"' % ('0' * 32)}]})
    assert code_of(e) == (400, 'InvalidPart')
    s3.abort_multipart_upload(Bucket=bucket, Key='m', UploadId=uid)
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key='m', UploadId=uid, PartNumber=3, Body=b'3')
    assert code_of(e) == (404, 'NoSuchUpload')
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key='m')
    assert code_of(e)[0] == 404


def test_upload_file_and_download_file_in_parts(s3, bucket, tmp_path):
    data = os.urandom(13 * MiB)
    source, target = tmp_path / 'up.bin', tmp_path / 'down.bin'
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                            max_concurrency=4)
    s3.upload_file(str(source), bucket, 'file.bin', Config=config)
    head = s3.head_object(Bucket=bucket, Key='file.bin')
    assert head['ContentLength'] == len(data) and head['ETag'].endswith('-3"')
    s3.download_file(bucket, 'file.bin', str(target), Config=config)
    assert hashlib.md5(target.read_bytes()).digest() == hashlib.md5(data).digest()
    s3.upload_file(str(source), bucket, 'default.bin')  # defaults: 8 MiB parts
    assert s3.head_object(Bucket=bucket, Key='default.bin')['ETag'].endswith('-2"')
    fileobj = io.BytesIO()
    s3.download_fileobj(bucket, 'default.bin', fileobj)  # defaults: ranged GETs
    assert fileobj.getvalue() == data


# ----------------------------------------------------------------- access

def test_canned_acls_and_anonymous_access(cloud, connect, s3, bucket):
    s3.put_object(Bucket=bucket, Key='public', Body=b'for all', ACL='public-read')
    s3.put_object(Bucket=bucket, Key='private', Body=b'mine')
    url = cloud.url('objectstore', '/%s/' % bucket)
    with urllib.request.urlopen(url + 'public') as response:
        assert response.read() == b'for all'
    for path in ('private', ''):  # a private object, the (private) bucket listing
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + path)
        assert e.value.code == 403 and b'<Code>AccessDenied</Code>' in e.value.read()
    anonymous = connect(signature_version=botocore.UNSIGNED)
    assert anonymous.get_object(Bucket=bucket, Key='public')['Body'].read() == b'for all'
    with pytest.raises(ClientError) as e:
        anonymous.put_object(Bucket=bucket, Key='public', Body=b'defaced')
    assert code_of(e) == (403, 'AccessDenied')
    grants = s3.get_object_acl(Bucket=bucket, Key='public')['Grants']
    assert {g['Permission'] for g in grants} == {'FULL_CONTROL', 'READ'}
    s3.put_object_acl(Bucket=bucket, Key='public', ACL='private')
    with pytest.raises(ClientError) as e:
        anonymous.get_object(Bucket=bucket, Key='public')
    assert code_of(e) == (403, 'AccessDenied')
    s3.put_bucket_acl(Bucket=bucket, ACL='public-read')
    keys = [o['Key'] for o in anonymous.list_objects_v2(Bucket=bucket)['Contents']]
    assert keys == ['private', 'public']


def test_another_project_cannot_see_the_bucket(connect, s3, bucket):
    s3.put_object(Bucket=bucket, Key='secret', Body=b's')
    bob = connect('bob')
    assert bucket not in [b['Name'] for b in bob.list_buckets()['Buckets']]
    attempts = [lambda: bob.get_object(Bucket=bucket, Key='secret'),
                lambda: bob.put_object(Bucket=bucket, Key='new', Body=b'n'),
                lambda: bob.list_objects_v2(Bucket=bucket),
                lambda: bob.delete_object(Bucket=bucket, Key='secret'),
                lambda: bob.delete_bucket(Bucket=bucket),
                lambda: bob.copy_object(Bucket=bucket, Key='c', CopySource='%s/secret' % bucket),
                lambda: bob.get_object_acl(Bucket=bucket, Key='secret')]
    for attempt in attempts:
        with pytest.raises(ClientError) as e:
            attempt()
        assert code_of(e) == (403, 'AccessDenied')
    with pytest.raises(ClientError) as e:
        bob.head_bucket(Bucket=bucket)
    assert code_of(e)[0] == 403
    assert s3.get_object(Bucket=bucket, Key='secret')['Body'].read() == b's'


def test_presigned_urls(s3, bucket):
    s3.put_object(Bucket=bucket, Key='shared', Body=b'presigned body')
    url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'shared'},
                                    ExpiresIn=300)
    with urllib.request.urlopen(url) as response:
        assert response.read() == b'presigned body'
    tampered = url.replace('shared', 'sharee')
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(tampered)
    assert e.value.code == 403 and b'SignatureDoesNotMatch' in e.value.read()
    put_url = s3.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'up'},
                                        ExpiresIn=300)
    request = urllib.request.Request(put_url, data=b'uploaded', method='PUT')
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert s3.get_object(Bucket=bucket, Key='up')['Body'].read() == b'uploaded'


def test_signature_version_2_clients(connect, s3, bucket):
    for style in ('path', 'virtual'):
        v2 = connect(style=style, signature_version='s3')
        key = 'v2 %s/ünï+%%' % style
        v2.put_object(Bucket=bucket, Key=key, Body=b'two', Metadata={'m': '1'})
        assert v2.get_object(Bucket=bucket, Key=key)['Body'].read() == b'two'
    assert len(v2.list_objects(Bucket=bucket)['Contents']) == 2
    wrong = connect(signature_version='s3', secret='x' * 40)
    with pytest.raises(ClientError) as e:
        wrong.list_objects(Bucket=bucket)
    assert code_of(e) == (403, 'SignatureDoesNotMatch')


def test_error_codes(cloud, connect, s3, bucket):
    cases = [(lambda: s3.get_object(Bucket=bucket, Key='missing'), (404, 'NoSuchKey')),
             (lambda: s3.list_objects(Bucket='no-such-bucket-here'), (404, 'NoSuchBucket')),
             (lambda: s3.put_object(Bucket='no-such-bucket-here', Key='k', Body=b''),
              (404, 'NoSuchBucket')),
             (lambda: connect(secret='y' * 40).list_buckets(), (403, 'SignatureDoesNotMatch')),
             (lambda: s3.get_object(Bucket=bucket, Key='k', Range='bytes=5-'),
              (404, 'NoSuchKey'))]
    for call, expected in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert code_of(e) == expected
    unknown = boto3.client('s3', endpoint_url=cloud.url('objectstore'), region_name='RegionOne',
                           aws_access_key_id='AKIDNOTKNOWN', aws_secret_access_key='z' * 40)
    with pytest.raises(ClientError) as e:
        unknown.list_buckets()
    assert code_of(e) == (403, 'InvalidAccessKeyId')


# ----------------------------------------------------------------- over TLS

def _self_signed(directory):
    """(cert path, key path) of a certificate for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def _pipe(source, target):
    try:
        while True:
            data = source.recv(256 * 1024)
            if not data:
                break
            target.sendall(data)
    except (OSError, ValueError):  # ValueError: the TLS side was shut down meanwhile
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass


@pytest.fixture(scope='module')
def tls_endpoint(cloud, tmp_path_factory):
    """https://127.0.0.1:<port> terminating TLS in front of nova-objectstore (as a
    load balancer would), and the CA file that verifies it. Over https boto3 sends
    bodies aws-chunked with a trailing checksum (STREAMING-UNSIGNED-PAYLOAD-TRAILER)."""
    cert, key = _self_signed(str(tmp_path_factory.mktemp('tls')))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(('127.0.0.1', 0))
    upstream = ('127.0.0.1', cloud.ports['objectstore'])

    def serve():
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                client = context.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                raw.close()
                continue
            server = socket.create_connection(upstream)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield 'https://127.0.0.1:%d' % listener.getsockname()[1], cert
    listener.close()


def test_aws_chunked_bodies_with_trailing_checksums_over_tls(people, tls_endpoint, tmp_path):
    endpoint, ca = tls_endpoint
    creds = people['alice']
    s3 = boto3.client('s3', endpoint_url=endpoint, verify=ca, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret)
    declared = []
    s3.meta.events.register('before-send.s3', lambda request, **kw: declared.append(
        request.headers.get('X-Amz-Content-SHA256', b'').decode()))
    name = _unique('tls')
    s3.create_bucket(Bucket=name)
    body = os.urandom(300_000)
    put = s3.put_object(Bucket=name, Key='chunked', Body=body, Metadata={'via': 'tls'})
    assert put['ETag'] == '"%s"' % hashlib.md5(body).hexdigest()
    assert declared[-1] == 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
    got = s3.get_object(Bucket=name, Key='chunked')
    assert got['Body'].read() == body and got['Metadata'] == {'via': 'tls'}
    assert 'ContentEncoding' not in got  # aws-chunked is how it travelled, not what it is
    source = tmp_path / 'parts.bin'
    source.write_bytes(os.urandom(11 * MiB))
    s3.upload_file(str(source), name, 'parts', Config=TransferConfig(
        multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB))
    assert s3.head_object(Bucket=name, Key='parts')['ETag'].endswith('-3"')
    assert s3.get_object(Bucket=name, Key='parts')['Body'].read() == source.read_bytes()
    for key in ('chunked', 'parts'):
        s3.delete_object(Bucket=name, Key=key)
    s3.delete_bucket(Bucket=name)


# ----------------------------------------------------------------- robustness

def test_concurrent_writers_and_readers_never_see_a_torn_object(cloud, s3, bucket):
    """Every GET returns one whole version: its bytes match its ETag."""
    bodies = [bytes([n]) * (256 * 1024) for n in range(6)]
    s3.put_object(Bucket=bucket, Key='hot', Body=bodies[0])
    torn = []

    def write(n):
        for _ in range(5):
            s3.put_object(Bucket=bucket, Key='hot', Body=bodies[n])

    def read(_n):
        for _ in range(10):
            got = s3.get_object(Bucket=bucket, Key='hot')
            data = got['Body'].read()
            if '"%s"' % hashlib.md5(data).hexdigest() != got['ETag'] or data not in bodies:
                torn.append(got['ETag'])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(write, n) for n in range(1, 5)]
        futures += [pool.submit(read, n) for n in range(4)]
        for future in futures:
            future.result()
    assert torn == []
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 1
    assert os.listdir(os.path.join(cloud.state_path, 'buckets', bucket, 'tmp')) == []


class _UnsignedPayloadAuth(botocore_auth.S3SigV4Auth):
    def payload(self, request):
        return 'UNSIGNED-PAYLOAD'


def _start_put(endpoint, creds, path, length, first_bytes):
    """An HTTPConnection that sent a SigV4-signed PUT of length bytes (declared
    UNSIGNED-PAYLOAD) but only the first_bytes of its body."""
    split = urllib.parse.urlsplit(endpoint)
    request = AWSRequest(method='PUT', url=endpoint + path,
                         headers={'Content-Length': str(length), 'Host': split.netloc})
    _UnsignedPayloadAuth(Credentials(creds.access, creds.secret), 's3',
                         'RegionOne').add_auth(request)
    connection = http.client.HTTPConnection(split.hostname, split.port)
    connection.putrequest('PUT', path, skip_host=True, skip_accept_encoding=True)
    for name, value in request.prepare().headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(first_bytes)
    return connection


def _wait_for_files(directory, present, timeout=10):
    deadline = time.monotonic() + timeout
    while bool(os.listdir(directory)) != present:
        assert time.monotonic() < deadline, '%s never became %s' % (
            directory, 'non-empty' if present else 'empty')
        time.sleep(0.05)


def test_dropped_upload_leaves_no_object_and_no_file(cloud, people, s3, bucket):
    tmp = os.path.join(cloud.state_path, 'buckets', bucket, 'tmp')
    connection = _start_put(cloud.url('objectstore'), people['alice'], '/%s/dropped' % bucket,
                            64 * MiB, os.urandom(3 * MiB))
    _wait_for_files(tmp, present=True)  # the server is writing the upload
    connection.sock.shutdown(socket.SHUT_RDWR)  # then the client goes away
    connection.close()
    _wait_for_files(tmp, present=False)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key='dropped')
    assert code_of(e)[0] == 404
    objects = os.path.join(cloud.state_path, 'buckets', bucket, 'objects')
    assert [files for _, _, files in os.walk(objects) if files] == []


class PatternFile(io.RawIOBase):
    """size bytes of a repeated pseudo-random block, made on the fly (seekable,
    so that botocore can hash it before sending it)."""

    def __init__(self, size):
        self.size, self.pos = size, 0
        self.block = hashlib.shake_256(b'nova-objectstore').digest(MiB + 7)

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = base + offset
        return self.pos

    def read(self, n=-1):
        n = self.size - self.pos if n is None or n < 0 else min(n, self.size - self.pos)
        out = bytearray()
        while len(out) < n:
            at = self.pos % len(self.block)
            piece = self.block[at:at + n - len(out)]
            out += piece
            self.pos += len(piece)
        return bytes(out)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


@pytest.fixture(scope='module')
def objectstore_daemon(tmp_path_factory):
    """A nova-objectstore of its own: [Daemon] (a test may replace it), endpoint,
    credentials, state path."""
    state_path = str(tmp_path_factory.mktemp('objectstore'))
    daemon, endpoint, creds = s3_standalone.start(state_path)
    running = [daemon]
    yield running, endpoint, creds, state_path
    running[0].stop()


def test_one_gib_object_streams_through_bounded_memory(objectstore_daemon):
    """First on its daemon, so that the peak is this transfer's. The client skips
    hashing the body for the signature and checksums (the MD5 is checked here):
    that halves the time, and what is measured is the server's memory."""
    (daemon,), endpoint, creds, _state_path = objectstore_daemon
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret,
                      config=Config(s3={'payload_signing_enabled': False},
                                    request_checksum_calculation='when_required',
                                    response_checksum_validation='when_required'))
    s3.create_bucket(Bucket='big')
    before = s3_standalone.peak_rss_bytes(daemon.proc.pid)
    body = PatternFile(1024 ** 3)
    expected = hashlib.md5()
    for chunk in iter(lambda: body.read(8 * MiB), b''):
        expected.update(chunk)
    body.seek(0)
    put = s3.put_object(Bucket='big', Key='gib', Body=body)
    assert put['ETag'] == '"%s"' % expected.hexdigest()
    got = s3.get_object(Bucket='big', Key='gib')
    assert got['ContentLength'] == 1024 ** 3
    received = hashlib.md5()
    for chunk in iter(lambda: got['Body'].read(MiB), b''):
        received.update(chunk)
    assert received.hexdigest() == expected.hexdigest()
    peak = s3_standalone.peak_rss_bytes(daemon.proc.pid)
    assert peak < 100 * MiB, 'nova-objectstore peaked at %.1f MiB' % (peak / MiB)
    assert peak - before < 32 * MiB, 'streaming 1 GiB grew the daemon by %.1f MiB' % (
        (peak - before) / MiB)


def test_a_crash_mid_upload_leaves_no_object_and_keeps_acknowledged_ones(objectstore_daemon):
    running, endpoint, creds, state_path = objectstore_daemon
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret,
                      config=Config(retries={'max_attempts': 1}))
    s3.create_bucket(Bucket='crash')
    s3.put_object(Bucket='crash', Key='kept', Body=b'acknowledged before the crash')
    connection = _start_put(endpoint, creds, '/crash/torn', 64 * MiB, os.urandom(8 * MiB))
    _wait_for_files(os.path.join(state_path, 'buckets', 'crash', 'tmp'), present=True)
    running[0].proc.kill()  # SIGKILL: no cleanup of any kind
    running[0].stop()
    connection.close()
    running[0] = s3_standalone.run(os.path.join(state_path, 'nova.flags'), state_path,
                                   urllib.parse.urlsplit(endpoint).port)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket='crash', Key='torn')
    assert code_of(e)[0] == 404
    assert [o['Key'] for o in s3.list_objects_v2(Bucket='crash')['Contents']] == ['kept']
    body = s3.get_object(Bucket='crash', Key='kept')['Body'].read()
    assert body == b'acknowledged before the crash'
