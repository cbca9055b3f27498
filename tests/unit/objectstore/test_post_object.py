"""POST object: browser-form uploads signed by boto3's generate_presigned_post
(SigV4), policy conditions, success answers, anonymous forms, S3's errors."""
import uuid

import boto3
import pytest
import webob
from botocore.config import Config

from tests.unit.objectstore.conftest import ENDPOINT, doc, error_code


def form(fields, content=b'file body', filename='photo.jpg', boundary=None):
    """A multipart/form-data body: the fields in order, then the file."""
    boundary = boundary or uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (
            boundary.encode(), name.encode(), value.encode()))
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                 b'Content-Type: image/jpeg\r\n\r\n' % (boundary.encode(), filename.encode())
                 + content + b'\r\n--%s--\r\n' % boundary.encode())
    return b''.join(parts), 'multipart/form-data; boundary=%s' % boundary


def post(s3, bucket, fields, **kw):
    body, content_type = form(fields, **kw)
    req = webob.Request.blank('/' + bucket, method='POST', body=body)
    req.headers['Content-Type'] = content_type
    req.headers['Host'] = 'localhost:3333'
    return req.get_response(s3.app)


def presigned(s3, bucket, key, fields=None, conditions=None, expires=3600, user='alice',
              version='s3v4'):
    client = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1',
                          aws_access_key_id=s3.keys[user].access,
                          aws_secret_access_key=s3.keys[user].secret,
                          config=Config(signature_version=version))
    return client.generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions,
                                          ExpiresIn=expires)['fields']


@pytest.fixture
def forms(s3):
    s3.put('/forms')
    return s3


@pytest.mark.parametrize('version', ['s3v4', 's3'])
def test_a_signed_form_uploads_the_file(forms, version):
    fields = presigned(forms, 'forms', 'uploads/${filename}',
                       fields={'Content-Type': 'image/jpeg', 'x-amz-meta-by': 'form'},
                       conditions=[['starts-with', '$key', 'uploads/'],
                                   {'Content-Type': 'image/jpeg'}, {'x-amz-meta-by': 'form'}],
                       version=version)
    assert ('x-amz-signature' in fields) == (version == 's3v4')
    response = post(forms, 'forms', fields, content=b'\x00jpeg\r\n--not-the-boundary')
    assert response.status_int == 204
    got = forms.get('/forms/uploads/photo.jpg')
    assert got.body == b'\x00jpeg\r\n--not-the-boundary'
    assert got.headers['Content-Type'] == 'image/jpeg'
    assert got.headers['x-amz-meta-by'] == 'form'


def test_success_action_status_and_redirect(forms):
    fields = presigned(forms, 'forms', 'k', fields={'success_action_status': '201'},
                       conditions=[{'success_action_status': '201'}])
    created = post(forms, 'forms', fields)
    assert created.status_int == 201 and doc(created).findtext('Key') == 'k'
    fields = presigned(forms, 'forms', 'k2',
                       fields={'success_action_redirect': 'https://app.example.com/done'},
                       conditions=[{'success_action_redirect': 'https://app.example.com/done'}])
    moved = post(forms, 'forms', fields)
    assert moved.status_int == 303
    assert moved.headers['Location'].startswith('https://app.example.com/done?bucket=forms')


def test_policy_conditions_are_enforced(forms):
    fields = presigned(forms, 'forms', 'k', conditions=[['content-length-range', 1, 10]])
    too_big = post(forms, 'forms', fields, content=b'x' * 11)
    assert (too_big.status_int, error_code(too_big)) == (400, 'EntityTooLarge')
    assert forms.get('/forms/k').status_int == 404
    fields = presigned(forms, 'forms', 'k')
    fields['x-amz-meta-sneaky'] = 'yes'
    extra = post(forms, 'forms', fields)
    assert (extra.status_int, error_code(extra)) == (403, 'AccessDenied')
    fields = presigned(forms, 'forms', 'k')
    fields['key'] = 'other'
    moved = post(forms, 'forms', fields)
    assert (moved.status_int, error_code(moved)) == (403, 'AccessDenied')
    fields = presigned(forms, 'forms', 'k', expires=-10)
    expired = post(forms, 'forms', fields)
    assert (expired.status_int, error_code(expired)) == (403, 'AccessDenied')
    fields = presigned(forms, 'forms', 'k')
    fields['x-amz-signature'] = '0' * 64
    forged = post(forms, 'forms', fields)
    assert (forged.status_int, error_code(forged)) == (403, 'SignatureDoesNotMatch')


def test_who_may_post(forms):
    fields = presigned(forms, 'forms', 'k', user='rita')
    reader = post(forms, 'forms', fields)
    assert (reader.status_int, error_code(reader)) == (403, 'AccessDenied')
    fields = presigned(forms, 'forms', 'k', user='dave')
    other = post(forms, 'forms', fields)
    assert (other.status_int, error_code(other)) == (403, 'AccessDenied')
    anonymous = post(forms, 'forms', {'key': 'anon'})
    assert (anonymous.status_int, error_code(anonymous)) == (403, 'AccessDenied')
    forms.put('/forms?acl', headers={'x-amz-acl': 'public-read-write'})
    assert post(forms, 'forms', {'key': 'anon'}).status_int == 204
    assert forms.get('/forms/anon').body == b'file body'


def test_malformed_forms(forms):
    no_key = post(forms, 'forms', {})
    assert (no_key.status_int, error_code(no_key)) == (400, 'InvalidArgument')
    req = webob.Request.blank('/forms', method='POST', body=b'key=x')
    req.headers['Content-Type'] = 'application/x-www-form-urlencoded'
    not_multipart = req.get_response(forms.app)
    assert not_multipart.status_int == 412
    body, content_type = form({'key': 'x'})
    req = webob.Request.blank('/forms', method='POST', body=body[:40])
    req.headers['Content-Type'] = content_type
    torn = req.get_response(forms.app)
    assert 400 <= torn.status_int < 500 and error_code(torn)
