"""Bucket policies: documents checked when set (MalformedPolicy), evaluated
with the ACLs (Allow grants, Deny wins), conditions on the caller's address
and transport, and the owner's way back."""
import json

import pytest

from tests.unit.objectstore.conftest import doc, error_code


def policy(*statements):
    return json.dumps({'Version': '2012-10-17', 'Statement': list(statements)}).encode()


def statement(effect, principal, action, resource, condition=None):
    found = {'Effect': effect, 'Principal': principal, 'Action': action,
             'Resource': resource}
    if condition:
        found['Condition'] = condition
    return found


PUBLIC_READ = statement('Allow', '*', 's3:GetObject', 'arn:aws:s3:::pol/*')


@pytest.fixture
def pol(s3):
    s3.put('/pol')
    s3.put('/pol/public/k', b'p')
    s3.put('/pol/secret/k', b's')
    return s3


def status(response):
    return response.status_int, error_code(response) if response.body else None


def test_set_get_delete(pol):
    missing = pol.get('/pol?policy')
    assert status(missing) == (404, 'NoSuchBucketPolicy')
    assert pol.put('/pol?policy', policy(PUBLIC_READ)).status_int == 204
    assert json.loads(pol.get('/pol?policy').body)['Statement'][0]['Action'] == 's3:GetObject'
    assert doc(pol.get('/pol?policyStatus')).findtext('IsPublic') == 'true'
    assert status(pol.put('/pol?policy', policy(PUBLIC_READ), user='dave')) == (
        403, 'AccessDenied')
    assert status(pol.put('/pol?policy', policy(PUBLIC_READ), user='rita')) == (
        403, 'AccessDenied')
    assert pol.delete('/pol?policy').status_int == 204
    assert pol.get('/pol?policy').status_int == 404


def test_public_read_by_policy(pol):
    assert pol.get('/pol/public/k', user=None).status_int == 403
    pol.put('/pol?policy', policy(statement('Allow', '*', 's3:GetObject',
                                            'arn:aws:s3:::pol/public/*')))
    assert pol.get('/pol/public/k', user=None).body == b'p'
    assert pol.get('/pol/public/k', user='dave').body == b'p'
    assert pol.get('/pol/secret/k', user=None).status_int == 403
    # GetObject is not ListBucket: a missing key stays AccessDenied
    assert status(pol.get('/pol/public/none', user=None)) == (403, 'AccessDenied')
    assert status(pol.get('/pol', user=None)) == (403, 'AccessDenied')


def test_allow_for_one_project(pol):
    dave = pol.keys['dave'].project_id
    pol.put('/pol?policy', policy(statement(
        'Allow', {'AWS': 'arn:aws:iam::%s:root' % dave}, ['s3:PutObject', 's3:ListBucket'],
        ['arn:aws:s3:::pol', 'arn:aws:s3:::pol/*'])))
    assert pol.put('/pol/from-dave', b'd', user='dave').status_int == 200
    assert pol.get('/pol', user='dave').status_int == 200
    assert pol.get('/pol/public/k', user='dave').status_int == 403
    assert pol.put('/pol/anon', b'a', user=None).status_int == 403


def test_deny_wins_even_for_the_owner_but_not_for_policy_requests(pol):
    pol.put('/pol?policy', policy(statement('Deny', '*', 's3:DeleteObject',
                                            'arn:aws:s3:::pol/secret/*')))
    assert status(pol.delete('/pol/secret/k')) == (403, 'AccessDenied')
    assert pol.delete('/pol/public/k').status_int == 204
    assert pol.delete('/pol?policy').status_int == 204
    assert pol.delete('/pol/secret/k').status_int == 204
    pol.put('/pol?policy', policy(statement('Deny', '*', 's3:*', 'arn:aws:s3:::pol/*')))
    assert status(pol.get('/pol/public/none')) == (403, 'AccessDenied')
    assert pol.get('/pol/secret/k', user='root').status_int == 404  # admins are not denied


def test_conditions_on_address_and_transport(pol):
    pol.put('/pol?policy', policy(
        statement('Allow', '*', 's3:GetObject', 'arn:aws:s3:::pol/*',
                  {'IpAddress': {'aws:SourceIp': '10.1.0.0/16'}}),
        statement('Deny', '*', 's3:PutObject', 'arn:aws:s3:::pol/*',
                  {'Bool': {'aws:SecureTransport': 'false'}})))
    inside = pol.prepare('GET', '/pol/public/k', user=None)
    inside.remote_addr = '10.1.2.3'
    assert inside.get_response(pol.app).body == b'p'
    outside = pol.prepare('GET', '/pol/public/k', user=None)
    outside.remote_addr = '192.0.2.1'
    assert outside.get_response(pol.app).status_int == 403
    assert status(pol.put('/pol/new', b'x')) == (403, 'AccessDenied')  # over http
    secure = pol.prepare('PUT', '/pol/new', b'x')
    secure.scheme = 'https'
    secure.environ['wsgi.url_scheme'] = 'https'
    assert secure.get_response(pol.app).status_int == 200


@pytest.mark.parametrize('document', [
    b'not json',
    b'[]',
    policy({'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::pol/*'}),
    policy(statement('Maybe', '*', 's3:GetObject', 'arn:aws:s3:::pol/*')),
    policy(statement('Allow', '*', 'ec2:RunInstances', 'arn:aws:s3:::pol/*')),
    policy(statement('Allow', '*', 's3:GetObject', 'arn:aws:s3:::other-bucket/*')),
    policy(statement('Allow', '*', 's3:GetObject', 'arn:aws:s3:::pol/*',
                     {'DateGreaterThan': {'aws:CurrentTime': '2020-01-01'}})),
    policy(statement('Allow', '*', 's3:GetObject', 'arn:aws:s3:::pol/*',
                     {'IpAddress': {'aws:SourceIp': 'not-an-address'}})),
    json.dumps({'Version': '2001-01-01', 'Statement': [PUBLIC_READ]}).encode(),
])
def test_malformed_policies(pol, document):
    response = pol.put('/pol?policy', document)
    assert status(response) == (400, 'MalformedPolicy')
    assert pol.get('/pol?policy').status_int == 404
