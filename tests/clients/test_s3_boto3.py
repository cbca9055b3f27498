"""nova-objectstore driven by unmodified boto3 (and urllib for anonymous and
presigned requests), as a user of the running cloud would: buckets, listings,
objects, multipart uploads and access. The clients and the two users (alice,
bob, in two projects) are the fixtures of tests/harness/s3_clients.py; TLS,
torn and dropped uploads and crashes are in test_s3_robustness.py.
"""
import base64
import datetime
import hashlib
import io
import os
import urllib.error
import urllib.parse
import urllib.request
import zlib

import boto3
import botocore
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from tests.harness.s3_clients import MiB, code_of, md5_b64, unique


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
    name = unique('life')
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


