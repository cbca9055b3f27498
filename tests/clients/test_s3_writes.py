"""Who may write and when, with unmodified boto3 and the AWS CLI: a project
reader only reads, conditional writes and deletes, ListBuckets pages, empty
listings, and presigned URLs outside S3's expiry range."""
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.harness.s3_clients import code_of, unique


@pytest.fixture(scope='module')
def reader(connect):
    return connect('rita')


@pytest.fixture
def holding(s3, bucket):
    s3.put_object(Bucket=bucket, Key='k', Body=b'v1')
    return bucket


def _writes(bucket):
    """Every write a reader might try: (name, call on a boto3 client)."""
    return [
        ('create_bucket', lambda c: c.create_bucket(Bucket=unique('r'))),
        ('delete_bucket', lambda c: c.delete_bucket(Bucket=bucket)),
        ('put_bucket_acl', lambda c: c.put_bucket_acl(Bucket=bucket, ACL='public-read')),
        ('put_object', lambda c: c.put_object(Bucket=bucket, Key='k', Body=b'x')),
        ('copy_object', lambda c: c.copy_object(Bucket=bucket, Key='c',
                                                CopySource={'Bucket': bucket, 'Key': 'k'})),
        ('put_object_acl', lambda c: c.put_object_acl(Bucket=bucket, Key='k',
                                                      ACL='public-read')),
        ('delete_object', lambda c: c.delete_object(Bucket=bucket, Key='k')),
        ('delete_objects', lambda c: c.delete_objects(
            Bucket=bucket, Delete={'Objects': [{'Key': 'k'}]})),
        ('create_multipart_upload', lambda c: c.create_multipart_upload(
            Bucket=bucket, Key='m')),
    ]


def test_a_reader_reads_and_every_write_is_access_denied(s3, reader, holding):
    assert reader.get_object(Bucket=holding, Key='k')['Body'].read() == b'v1'
    assert [o['Key'] for o in reader.list_objects_v2(Bucket=holding)['Contents']] == ['k']
    for name, write in _writes(holding):
        with pytest.raises(ClientError) as e:
            write(reader)
        assert code_of(e) == (403, 'AccessDenied'), name
    upload = s3.create_multipart_upload(Bucket=holding, Key='m')['UploadId']
    for name, write in (
            ('upload_part', lambda c: c.upload_part(Bucket=holding, Key='m', UploadId=upload,
                                                    PartNumber=1, Body=b'p')),
            ('abort_multipart_upload', lambda c: c.abort_multipart_upload(
                Bucket=holding, Key='m', UploadId=upload))):
        with pytest.raises(ClientError) as e:
            write(reader)
        assert code_of(e) == (403, 'AccessDenied'), name
    assert s3.get_object(Bucket=holding, Key='k')['Body'].read() == b'v1'
    assert s3.get_bucket_acl(Bucket=holding)['Grants'][0]['Permission'] == 'FULL_CONTROL'
    assert len(s3.get_bucket_acl(Bucket=holding)['Grants']) == 1


def test_a_reader_with_the_aws_cli(cloud, people, holding, tmp_path):
    rita = people['rita']
    env = cloud.env(AWS_ACCESS_KEY_ID=rita.access, AWS_SECRET_ACCESS_KEY=rita.secret,
                    HOME=str(tmp_path))
    aws = ['aws', '--endpoint-url', env['S3_URL']]
    listed = cloud.run(*aws, 's3', 'ls', 's3://%s' % holding, env=env)
    assert ' k' in listed.stdout
    (tmp_path / 'f').write_bytes(b'x')
    for args in (('s3', 'cp', str(tmp_path / 'f'), 's3://%s/new' % holding),
                 ('s3', 'rm', 's3://%s/k' % holding),
                 ('s3api', 'put-bucket-acl', '--bucket', holding, '--acl', 'public-read')):
        refused = cloud.run(*aws, *args, env=env, check=False)
        assert refused.returncode != 0 and 'AccessDenied' in refused.stderr, args


def test_conditional_put(s3, holding):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=holding, Key='k', Body=b'v2', IfNoneMatch='*')
    assert code_of(e) == (412, 'PreconditionFailed')
    s3.put_object(Bucket=holding, Key='new', Body=b'n', IfNoneMatch='*')
    etag = s3.head_object(Bucket=holding, Key='k')['ETag']
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=holding, Key='k', Body=b'v2', IfMatch='"0000"')
    assert code_of(e) == (412, 'PreconditionFailed')
    s3.put_object(Bucket=holding, Key='k', Body=b'v2', IfMatch=etag)
    assert s3.get_object(Bucket=holding, Key='k')['Body'].read() == b'v2'
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=holding, Key='absent', Body=b'x', IfMatch=etag)
    assert code_of(e) == (404, 'NoSuchKey')


def test_conditional_complete_multipart_upload(s3, holding):
    upload = s3.create_multipart_upload(Bucket=holding, Key='k')['UploadId']
    part = s3.upload_part(Bucket=holding, Key='k', UploadId=upload, PartNumber=1, Body=b'p')
    parts = {'Parts': [{'PartNumber': 1, 'ETag': part['ETag']}]}
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=holding, Key='k', UploadId=upload,
                                     MultipartUpload=parts, IfNoneMatch='*')
    assert code_of(e) == (412, 'PreconditionFailed')
    s3.complete_multipart_upload(Bucket=holding, Key='k', UploadId=upload,
                                 MultipartUpload=parts)
    assert s3.get_object(Bucket=holding, Key='k')['Body'].read() == b'p'


def test_conditional_deletes(s3, holding):
    etag = s3.head_object(Bucket=holding, Key='k')['ETag']
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=holding, Key='k', IfMatch='"0000"')
    assert code_of(e) == (412, 'PreconditionFailed')
    result = s3.delete_objects(Bucket=holding, Delete={'Objects': [
        {'Key': 'k', 'ETag': '"0000"'}]})
    assert [(e['Key'], e['Code']) for e in result['Errors']] == [('k', 'PreconditionFailed')]
    s3.delete_object(Bucket=holding, Key='k', IfMatch=etag)
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=holding, Key='k', IfMatch=etag)
    assert code_of(e) == (404, 'NoSuchKey')


def test_conditional_put_with_the_aws_cli(cloud, holding, tmp_path):
    (tmp_path / 'f').write_bytes(b'x')
    run = cloud.run('aws', '--endpoint-url', cloud.env()['S3_URL'], 's3api', 'put-object',
                    '--bucket', holding, '--key', 'k', '--body', str(tmp_path / 'f'),
                    '--if-none-match', '*', env=cloud.env(HOME=str(tmp_path)), check=False)
    assert run.returncode != 0 and 'PreconditionFailed' in run.stderr


def test_list_buckets_in_pages(s3, connect):
    prefix = unique('pg')
    names = [prefix + '-%d' % i for i in range(3)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        pages = list(s3.get_paginator('list_buckets').paginate(
            Prefix=prefix, PaginationConfig={'PageSize': 2}))
        assert [[b['Name'] for b in page['Buckets']] for page in pages] == [names[:2],
                                                                              names[2:]]
        unchecked = connect(parameter_validation=False)  # boto3 itself refuses 0
        with pytest.raises(ClientError) as e:
            unchecked.list_buckets(MaxBuckets=0)
        assert code_of(e) == (400, 'InvalidArgument')
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


@pytest.mark.parametrize('version', [1, 2])
def test_max_keys_zero(s3, holding, version):
    if version == 2:
        page = s3.list_objects_v2(Bucket=holding, MaxKeys=0)
    else:
        page = s3.list_objects(Bucket=holding, MaxKeys=0)
    assert page['IsTruncated'] is False and 'Contents' not in page


@pytest.mark.parametrize('expires', [0, -7, 604801])
def test_presigned_url_out_of_range_is_403(s3, holding, expires):
    url = s3.generate_presigned_url('get_object', Params={'Bucket': holding, 'Key': 'k'},
                                    ExpiresIn=3600)
    url = url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=%d' % expires)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url)
    assert e.value.code == 403 and b'<Code>AccessDenied</Code>' in e.value.read()


def test_a_combined_content_encoding_keeps_its_space(s3, holding):
    s3.put_object(Bucket=holding, Key='enc', Body=b'x', ContentEncoding='gzip, br')
    assert s3.head_object(Bucket=holding, Key='enc')['ContentEncoding'] == 'gzip, br'


