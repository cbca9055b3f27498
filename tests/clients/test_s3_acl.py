"""ACLs with unmodified boto3 and the AWS CLI: canned ACLs, grant headers,
AccessControlPolicy bodies, grantees by id, e-mail and group, enforced for
another project's user and for anonymous requests, and S3's error answers."""
import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.harness.s3_clients import code_of

ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'


def anonymous_get(s3, bucket, key=None):
    url = '%s/%s%s' % (s3.meta.endpoint_url, bucket, '/' + key if key else '')
    try:
        with urllib.request.urlopen(url) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def grants(acl):
    return [(g['Grantee'].get('ID') or g['Grantee'].get('URI'), g['Permission'])
            for g in acl['Grants']]


def test_canned_acls(s3, connect, people, bucket):
    bob = connect('bob')
    alice_id = people['alice'].project_id
    s3.put_bucket_acl(Bucket=bucket, ACL='authenticated-read')
    assert grants(s3.get_bucket_acl(Bucket=bucket)) == [(alice_id, 'FULL_CONTROL'),
                                                        (AUTHENTICATED, 'READ')]
    assert bob.list_objects_v2(Bucket=bucket)['KeyCount'] == 0
    assert anonymous_get(s3, bucket) == 403
    s3.put_bucket_acl(Bucket=bucket, ACL='public-read-write')
    bob.put_object(Bucket=bucket, Key='from-bob', Body=b'b', ACL='bucket-owner-read')
    assert s3.get_object(Bucket=bucket, Key='from-bob')['Body'].read() == b'b'
    owner = s3.get_object_acl(Bucket=bucket, Key='from-bob')['Owner']['ID']
    assert owner == people['bob'].project_id
    assert anonymous_get(s3, bucket) == 200
    s3.put_bucket_acl(Bucket=bucket, ACL='private')
    with pytest.raises(ClientError) as e:
        bob.put_object(Bucket=bucket, Key='again', Body=b'b')
    assert code_of(e) == (403, 'AccessDenied')


def test_grant_headers(s3, connect, people, bucket):
    bob = connect('bob')
    s3.put_object(Bucket=bucket, Key='k', Body=b'v',
                  GrantRead='emailAddress="%s"' % people['bob'].email)
    assert bob.get_object(Bucket=bucket, Key='k')['Body'].read() == b'v'
    s3.put_bucket_acl(Bucket=bucket, GrantWrite='id="%s"' % people['bob'].project_id,
                      GrantRead='uri="%s"' % ALL_USERS)
    bob.put_object(Bucket=bucket, Key='bobs', Body=b'b')
    assert anonymous_get(s3, bucket) == 200
    with pytest.raises(ClientError) as e:
        bob.get_bucket_acl(Bucket=bucket)
    assert code_of(e) == (403, 'AccessDenied')


def test_access_control_policy(s3, connect, people, bucket):
    alice_id, bob_id = people['alice'].project_id, people['bob'].project_id
    s3.put_object(Bucket=bucket, Key='k', Body=b'v')
    owner = s3.get_object_acl(Bucket=bucket, Key='k')['Owner']
    s3.put_object_acl(Bucket=bucket, Key='k', AccessControlPolicy={
        'Owner': owner, 'Grants': [
            {'Grantee': {'Type': 'CanonicalUser', 'ID': alice_id}, 'Permission': 'FULL_CONTROL'},
            {'Grantee': {'Type': 'CanonicalUser', 'ID': bob_id}, 'Permission': 'READ'},
            {'Grantee': {'Type': 'Group', 'URI': ALL_USERS}, 'Permission': 'READ'}]})
    assert grants(s3.get_object_acl(Bucket=bucket, Key='k')) == [
        (alice_id, 'FULL_CONTROL'), (bob_id, 'READ'), (ALL_USERS, 'READ')]
    assert anonymous_get(s3, bucket, 'k') == 200
    assert connect('bob').get_object(Bucket=bucket, Key='k')['Body'].read() == b'v'


@pytest.mark.parametrize('grant,expected', [
    ({'GrantRead': 'id="not-a-project"'}, (400, 'InvalidArgument')),
    ({'GrantRead': 'emailAddress="nobody@nowhere.example"'},
     (400, 'UnresolvableGrantByEmailAddress')),
    ({'GrantRead': 'uri="%s"' % ALL_USERS, 'ACL': 'private'}, (400, 'InvalidRequest')),
])
def test_bad_grants(s3, bucket, grant, expected):
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=bucket, **grant)
    assert code_of(e) == expected


def test_bad_policy_document(s3, people, bucket):
    owner = {'ID': people['alice'].project_id}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={'Owner': owner, 'Grants': [
            {'Grantee': {'Type': 'CanonicalUser', 'ID': 'nobody'}, 'Permission': 'READ'}]})
    assert code_of(e) == (400, 'InvalidArgument')


def test_acls_with_the_aws_cli(cloud, s3, people, bucket, tmp_path):
    aws = ['aws', '--endpoint-url', cloud.env()['S3_URL']]
    env = cloud.env(HOME=str(tmp_path))
    cloud.run(*aws, 's3api', 'put-bucket-acl', '--bucket', bucket, '--grant-read',
              'uri=%s' % ALL_USERS, env=env)
    shown = json.loads(cloud.run(*aws, 's3api', 'get-bucket-acl', '--bucket', bucket,
                                 env=env).stdout)
    assert (ALL_USERS, 'READ') in grants(shown)
    assert anonymous_get(s3, bucket) == 200
    (tmp_path / 'f').write_bytes(b'x')
    cloud.run(*aws, 's3', 'cp', str(tmp_path / 'f'), 's3://%s/pub' % bucket, '--acl',
              'public-read', env=env)
    assert anonymous_get(s3, bucket, 'pub') == 200
    refused = cloud.run(*aws, 's3api', 'put-bucket-acl', '--bucket', bucket, '--grant-read',
                        'id=nobody', env=env, check=False)
    assert refused.returncode != 0 and 'InvalidArgument' in refused.stderr
