"""Browser-form uploads (POST object) against the running cloud: a form signed
by boto3's generate_presigned_post, sent as a browser sends it (requests'
multipart/form-data), and S3's answers to forms that break their policy."""
import xml.etree.ElementTree as ET

import pytest
import requests


@pytest.fixture(scope='module')
def signer(connect):
    return connect(signature_version='s3v4')


def test_a_form_upload_lands_in_the_bucket(s3, signer, bucket):
    post = signer.generate_presigned_post(
        bucket, 'photos/${filename}', Fields={'success_action_status': '201',
                                              'Content-Type': 'image/png'},
        Conditions=[['starts-with', '$key', 'photos/'], {'success_action_status': '201'},
                    {'Content-Type': 'image/png'}, ['content-length-range', 1, 1024]])
    sent = requests.post(post['url'], data=post['fields'],
                         files={'file': ('cat.png', b'\x89PNG not really')}, timeout=60)
    assert sent.status_code == 201, sent.text
    assert ET.fromstring(sent.content).findtext('Key') == 'photos/cat.png'
    got = s3.get_object(Bucket=bucket, Key='photos/cat.png')
    assert got['Body'].read() == b'\x89PNG not really'
    assert got['ContentType'] == 'image/png'
    too_big = requests.post(post['url'], data=post['fields'],
                            files={'file': ('big.png', b'x' * 2000)}, timeout=60)
    assert too_big.status_code == 400 and b'EntityTooLarge' in too_big.content
    tampered = dict(post['fields'], key='elsewhere/${filename}')
    refused = requests.post(post['url'], data=tampered,
                            files={'file': ('cat.png', b'x')}, timeout=60)
    assert refused.status_code == 403 and b'AccessDenied' in refused.content


def test_a_readers_form_is_refused(connect, bucket):
    reader = connect('rita', signature_version='s3v4')
    post = reader.generate_presigned_post(bucket, 'k')
    sent = requests.post(post['url'], data=post['fields'], files={'file': ('f', b'x')},
                         timeout=60)
    assert sent.status_code == 403 and b'AccessDenied' in sent.content
