"""Bucket versioning with unmodified boto3 and the AWS CLI: enabling and
suspending, version ids, delete markers, reads and deletes by version,
ListObjectVersions (and emptying a bucket with it, as tools do), S3's errors."""
import json

import pytest
from botocore.exceptions import ClientError

from tests.harness.s3_clients import code_of


def _enable(s3, bucket, status='Enabled'):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': status})


def test_versions_and_delete_markers(s3, bucket):
    assert 'Status' not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key='k', Body=b'null version')
    _enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)['Status'] == 'Enabled'
    one = s3.put_object(Bucket=bucket, Key='k', Body=b'one')['VersionId']
    two = s3.put_object(Bucket=bucket, Key='k', Body=b'two')['VersionId']
    assert s3.get_object(Bucket=bucket, Key='k', VersionId=one)['Body'].read() == b'one'
    assert s3.get_object(Bucket=bucket, Key='k', VersionId='null')['Body'].read() == \
        b'null version'
    assert s3.head_object(Bucket=bucket, Key='k')['VersionId'] == two
    deleted = s3.delete_object(Bucket=bucket, Key='k')
    assert deleted['DeleteMarker'] is True
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k')
    assert code_of(e) == (404, 'NoSuchKey')
    assert e.value.response['ResponseMetadata']['HTTPHeaders']['x-amz-delete-marker'] == 'true'
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v['VersionId'], v['IsLatest']) for v in listed['Versions']] == [
        (two, False), (one, False), ('null', False)]
    assert [(m['VersionId'], m['IsLatest']) for m in listed['DeleteMarkers']] == [
        (deleted['VersionId'], True)]
    s3.delete_object(Bucket=bucket, Key='k', VersionId=deleted['VersionId'])
    assert s3.get_object(Bucket=bucket, Key='k')['Body'].read() == b'two'
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key='k', VersionId='f' * 32)
    assert code_of(e) == (404, 'NoSuchVersion')
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Maybe'})
    assert code_of(e) == (400, 'IllegalVersioningConfigurationException')


def test_suspended_versioning_writes_the_null_version(s3, bucket):
    _enable(s3, bucket)
    kept = s3.put_object(Bucket=bucket, Key='k', Body=b'kept')['VersionId']
    _enable(s3, bucket, 'Suspended')
    assert s3.put_object(Bucket=bucket, Key='k', Body=b'1').get('VersionId') == 'null'
    s3.put_object(Bucket=bucket, Key='k', Body=b'2')
    versions = s3.list_object_versions(Bucket=bucket)['Versions']
    assert [v['VersionId'] for v in versions] == ['null', kept]


def test_emptying_a_versioned_bucket_with_list_object_versions(s3, bucket):
    _enable(s3, bucket)
    for n in range(3):
        s3.put_object(Bucket=bucket, Key='k%d' % (n % 2), Body=b'%d' % n)
    s3.delete_object(Bucket=bucket, Key='k0')
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert code_of(e) == (409, 'BucketNotEmpty')
    for page in s3.get_paginator('list_object_versions').paginate(
            Bucket=bucket, PaginationConfig={'PageSize': 2}):
        doomed = [{'Key': v['Key'], 'VersionId': v['VersionId']}
                  for v in page.get('Versions', []) + page.get('DeleteMarkers', [])]
        if doomed:
            result = s3.delete_objects(Bucket=bucket, Delete={'Objects': doomed})
            assert 'Errors' not in result
    listed = s3.list_object_versions(Bucket=bucket)
    assert 'Versions' not in listed and 'DeleteMarkers' not in listed


def test_versions_with_the_aws_cli(cloud, s3, bucket, tmp_path):
    env = cloud.env(HOME=str(tmp_path))
    aws = ['aws', '--endpoint-url', env['S3_URL'], 's3api']
    cloud.run(*aws, 'put-bucket-versioning', '--bucket', bucket,
              '--versioning-configuration', 'Status=Enabled', env=env)
    (tmp_path / 'f').write_bytes(b'cli')
    first = json.loads(cloud.run(*aws, 'put-object', '--bucket', bucket, '--key', 'k',
                                 '--body', str(tmp_path / 'f'), env=env).stdout)['VersionId']
    cloud.run(*aws, 'put-object', '--bucket', bucket, '--key', 'k', '--body',
              str(tmp_path / 'f'), env=env)
    listed = json.loads(cloud.run(*aws, 'list-object-versions', '--bucket', bucket,
                                  env=env).stdout)
    assert len(listed['Versions']) == 2 and listed['Versions'][1]['VersionId'] == first
    cloud.run(*aws, 'get-object', '--bucket', bucket, '--key', 'k', '--version-id', first,
              str(tmp_path / 'back'), env=env)
    assert (tmp_path / 'back').read_bytes() == b'cli'
    missing = cloud.run(*aws, 'get-object', '--bucket', bucket, '--key', 'k', '--version-id',
                        'e' * 32, str(tmp_path / 'x'), env=env, check=False)
    assert missing.returncode != 0 and 'NoSuchVersion' in missing.stderr
