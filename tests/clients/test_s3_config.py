"""Bucket and object configuration with unmodified boto3 and the AWS CLI:
tagging, CORS (and a browser's preflight), bucket policies, lifecycle rules
applied by a running nova-objectstore's periodic sweep."""
import json
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.clients import s3_standalone
from tests.harness.s3_clients import code_of


def test_object_and_bucket_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key='k', Body=b'v', Tagging='team=red&tier=1')
    assert s3.head_object(Bucket=bucket, Key='k')['ResponseMetadata']['HTTPHeaders'][
        'x-amz-tagging-count'] == '2'
    s3.put_object_tagging(Bucket=bucket, Key='k', Tagging={'TagSet': [
        {'Key': 'team', 'Value': 'blue'}]})
    assert s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet'] == [
        {'Key': 'team', 'Value': 'blue'}]
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key='k', Tagging={'TagSet': [
            {'Key': 'k%d' % n, 'Value': ''} for n in range(11)]})
    assert code_of(e) == (400, 'InvalidTag')
    s3.delete_object_tagging(Bucket=bucket, Key='k')
    assert s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet'] == []
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code_of(e) == (404, 'NoSuchTagSet')
    s3.put_bucket_tagging(Bucket=bucket, Tagging={'TagSet': [{'Key': 'cost', 'Value': 'x'}]})
    assert s3.get_bucket_tagging(Bucket=bucket)['TagSet'] == [{'Key': 'cost', 'Value': 'x'}]


def test_cors_and_a_preflight(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert code_of(e) == (404, 'NoSuchCORSConfiguration')
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={'CORSRules': [{
        'AllowedOrigins': ['https://app.example.com'], 'AllowedMethods': ['GET', 'PUT'],
        'AllowedHeaders': ['*'], 'MaxAgeSeconds': 60}]})
    assert s3.get_bucket_cors(Bucket=bucket)['CORSRules'][0]['AllowedMethods'] == ['GET', 'PUT']
    url = '%s/%s/k' % (s3.meta.endpoint_url, bucket)
    request = urllib.request.Request(url, method='OPTIONS', headers={
        'Origin': 'https://app.example.com', 'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type'})
    with urllib.request.urlopen(request) as response:
        assert response.headers['Access-Control-Allow-Origin'] == 'https://app.example.com'
        assert response.headers['Access-Control-Max-Age'] == '60'
    request.headers['Origin'] = 'https://evil.example.org'
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request)
    assert e.value.code == 403 and b'AccessForbidden' in e.value.read()
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={'CORSRules': [{
            'AllowedOrigins': ['*'], 'AllowedMethods': ['PATCH']}]})
    assert code_of(e) == (400, 'InvalidRequest')
    s3.delete_bucket_cors(Bucket=bucket)


def _anonymous_status(s3, bucket, key):
    try:
        with urllib.request.urlopen('%s/%s/%s' % (s3.meta.endpoint_url, bucket, key)) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_bucket_policy(s3, connect, people, bucket):
    s3.put_object(Bucket=bucket, Key='pub/k', Body=b'p')
    s3.put_object(Bucket=bucket, Key='priv/k', Body=b's')
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert code_of(e) == (404, 'NoSuchBucketPolicy')
    document = {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject',
         'Resource': 'arn:aws:s3:::%s/pub/*' % bucket},
        {'Effect': 'Deny', 'Principal': {'AWS': people['bob'].project_id},
         'Action': 's3:*', 'Resource': 'arn:aws:s3:::%s/*' % bucket}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)['Policy']) == document
    assert s3.get_bucket_policy_status(Bucket=bucket)['PolicyStatus']['IsPublic'] is True
    assert _anonymous_status(s3, bucket, 'pub/k') == 200
    assert _anonymous_status(s3, bucket, 'priv/k') == 403
    with pytest.raises(ClientError) as e:
        connect('bob').get_object(Bucket=bucket, Key='pub/k')
    assert code_of(e) == (403, 'AccessDenied')
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy='{"Statement": "nonsense"}')
    assert code_of(e) == (400, 'MalformedPolicy')
    s3.delete_bucket_policy(Bucket=bucket)
    assert _anonymous_status(s3, bucket, 'pub/k') == 403


def test_configuration_with_the_aws_cli(cloud, bucket, tmp_path):
    env = cloud.env(HOME=str(tmp_path))
    aws = ['aws', '--endpoint-url', env['S3_URL'], 's3api']
    cloud.run(*aws, 'put-bucket-tagging', '--bucket', bucket, '--tagging',
              'TagSet=[{Key=owner,Value=cli}]', env=env)
    tags = json.loads(cloud.run(*aws, 'get-bucket-tagging', '--bucket', bucket,
                                env=env).stdout)
    assert tags['TagSet'] == [{'Key': 'owner', 'Value': 'cli'}]
    (tmp_path / 'lc.json').write_text(json.dumps({'Rules': [{
        'ID': 'tmp', 'Filter': {'Prefix': 'tmp/'}, 'Status': 'Enabled',
        'Expiration': {'Days': 1}}]}))
    cloud.run(*aws, 'put-bucket-lifecycle-configuration', '--bucket', bucket,
              '--lifecycle-configuration', 'file://%s' % (tmp_path / 'lc.json'), env=env)
    shown = json.loads(cloud.run(*aws, 'get-bucket-lifecycle-configuration', '--bucket',
                                 bucket, env=env).stdout)
    assert shown['Rules'][0]['ID'] == 'tmp' and shown['Rules'][0]['Expiration']['Days'] == 1
    bad = cloud.run(*aws, 'put-bucket-policy', '--bucket', bucket, '--policy', '{}',
                    env=env, check=False)
    assert bad.returncode != 0 and 'MalformedPolicy' in bad.stderr


@pytest.fixture(scope='module')
def sweeping(tmp_path_factory):
    """A nova-objectstore of its own whose lifecycle sweep runs every second."""
    state_path = str(tmp_path_factory.mktemp('lifecycle'))
    daemon, endpoint, creds = s3_standalone.start(state_path, s3_lifecycle_interval=1)
    yield endpoint, creds
    daemon.stop()


def test_the_running_daemon_applies_lifecycle_rules(sweeping):
    endpoint, creds = sweeping
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret)
    s3.create_bucket(Bucket='swept')
    s3.put_object(Bucket='swept', Key='tmp/old', Body=b'x')
    s3.put_object(Bucket='swept', Key='keep', Body=b'x')
    upload = s3.create_multipart_upload(Bucket='swept', Key='tmp/big')['UploadId']
    s3.put_bucket_lifecycle_configuration(Bucket='swept', LifecycleConfiguration={'Rules': [
        {'ID': 'past', 'Filter': {'Prefix': 'tmp/'}, 'Status': 'Enabled',
         'Expiration': {'Date': '2001-01-01T00:00:00Z'}}]})
    deadline = time.monotonic() + 30
    while 'tmp/old' in [o['Key'] for o in s3.list_objects_v2(Bucket='swept').get(
            'Contents', [])]:
        assert time.monotonic() < deadline, 'the lifecycle sweep never ran'
        time.sleep(0.2)
    assert [o['Key'] for o in s3.list_objects_v2(Bucket='swept')['Contents']] == ['keep']
    assert s3.list_parts(Bucket='swept', Key='tmp/big', UploadId=upload)['UploadId'] == upload
