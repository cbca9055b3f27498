"""boto3 clients of the running cloud's nova-objectstore, as fixtures for the
S3 client test modules (loaded by tests/conftest.py): two users in two
projects, path- and virtual-host-style connections, a bucket per test.

Virtual-host-style requests go to <bucket>.localhost: glibc does not resolve
*.localhost names (RFC 6761 says they are loopback), so ``localhost_dns``
resolves them to 127.0.0.1 in this process, the way systemd-resolved or an
/etc/hosts line would; boto3 itself is untouched and sends
``Host: <bucket>.localhost:<port>``.
"""
import base64
import hashlib
import socket
import uuid

import boto3
import pytest
from botocore.config import Config

from tests.clients import s3_standalone

MiB = 1024 ** 2


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:10])


@pytest.fixture(scope='module')
def people(cloud):
    """alice and bob: members of two different projects, and rita, a reader of
    alice's project, with EC2 keys."""
    names = {'alice': unique('alice'), 'bob': unique('bob'), 'rita': unique('rita')}
    made = s3_standalone.credentials(cloud.flagfile, names['alice'], names['bob'],
                                     readers={names['rita']: names['alice']})
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
    name = unique('t')
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator('list_object_versions').paginate(Bucket=name):
        for item in page.get('Versions', []) + page.get('DeleteMarkers', []):
            s3.delete_object(Bucket=name, Key=item['Key'], VersionId=item['VersionId'])
    for upload in s3.list_multipart_uploads(Bucket=name).get('Uploads', []):
        s3.abort_multipart_upload(Bucket=name, Key=upload['Key'], UploadId=upload['UploadId'])
    s3.delete_bucket(Bucket=name)


def code_of(excinfo):
    error = excinfo.value.response
    return error['ResponseMetadata']['HTTPStatusCode'], error['Error']['Code']


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()
