"""The objectstore app on a fresh database and buckets_path, and requests to it
signed by botocore's own signers (SigV4, SigV2, presigned) or anonymous."""
import types
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import webob
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from nova import wsgi
from nova.auth import manager
from nova.conf import CONF
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401

ENDPOINT = 'http://localhost:3333'


@pytest.fixture
def keys(db_ctx):  # noqa: F811 -- the imported fixture
    """EC2 credentials: alice (member of A), rita (reader of A), dave (member of B),
    root (admin of ops)."""
    found, projects = {}, {}
    for user, project, role in (('alice', 'A', 'member'), ('rita', 'A', 'reader'),
                                ('dave', 'B', 'member'), ('root', 'ops', 'admin')):
        p = projects.get(project) or manager.create_project(db_ctx, project)
        projects[project] = p
        u = manager.create_user(db_ctx, user, 'pw', default_project_id=p.id,
                                email=user + '@example.com')
        manager.add_role(db_ctx, u.id, p.id, role)
        cred = manager.create_ec2_credentials(db_ctx, u.id, p.id)
        found[user] = types.SimpleNamespace(access=cred.access, secret=cred.secret,
                                            project_id=p.id)
    return found


@pytest.fixture
def buckets_path(tmp_path):
    path = tmp_path / 'buckets'
    CONF.set_override('buckets_path', str(path))
    return path


@pytest.fixture
def app(keys, buckets_path):
    """The 'objectstore' paste pipeline (request_id, then the S3 app)."""
    return wsgi.Loader().load_app('objectstore')


def _canonical_query(path):
    """The path with its query encoded as botocore's serializer encodes it."""
    path, sep, query = path.partition('?')
    if not sep:
        return path
    return path + '?' + '&'.join(
        '%s=%s' % (urllib.parse.quote(k, safe='-_.~'), urllib.parse.quote(v, safe='-_.~'))
        if eq else urllib.parse.quote(k, safe='-_.~')
        for k, eq, v in (urllib.parse.unquote(item).partition('=') and (
            urllib.parse.unquote(item.partition('=')[0]), item.partition('=')[1],
            urllib.parse.unquote(item.partition('=')[2])) for item in query.split('&')))


class Client:
    """Sends signed (or anonymous) requests to the app through webob."""

    def __init__(self, app, keys, buckets_path=None):
        self.app, self.keys, self.buckets_path = app, keys, buckets_path

    def app_store(self):
        """A Store over the app's buckets_path (to act beside the app)."""
        from nova.objectstore import storage
        return storage.Store(str(self.buckets_path))

    def prepare(self, method, path, body=b'', headers=None, user='alice', sign='v4',
                host='localhost:3333', unsigned=False):
        """The webob.Request a botocore-signed request becomes on the server."""
        url = 'http://%s%s' % (host, _canonical_query(path))
        aws = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        bucket = host.split(':')[0].rpartition('.localhost')[0]
        if bucket:  # what botocore signs for virtual-host-style SigV2
            aws.auth_path = '/' + bucket + urllib.parse.urlsplit(url).path
        creds = Credentials(self.keys[user].access, self.keys[user].secret) if user else None
        if user and sign == 'v4':
            aws.context['client_config'] = types.SimpleNamespace(
                s3={'payload_signing_enabled': not unsigned})
            botocore_auth.S3SigV4Auth(creds, 's3', 'us-east-1').add_auth(aws)
        elif user and sign == 'v2':
            botocore_auth.HmacV1Auth(creds).add_auth(aws)
        prepared = aws.prepare()
        split = urllib.parse.urlsplit(prepared.url)
        req = webob.Request.blank(split.path + ('?' + split.query if split.query else ''),
                                  method=method, body=body)
        for name, value in prepared.headers.items():
            req.headers[name] = value.decode() if isinstance(value, bytes) else value
        req.headers['Host'] = host
        return req

    def call(self, method, path, body=b'', headers=None, **kw):
        return self.prepare(method, path, body, headers, **kw).get_response(self.app)

    def __getattr__(self, method):
        if method.upper() in ('GET', 'PUT', 'POST', 'DELETE', 'HEAD'):
            return lambda path, *a, **kw: self.call(method.upper(), path, *a, **kw)
        raise AttributeError(method)

    def presigned(self, method, path, user='alice', expires=3600, host='localhost:3333'):
        aws = AWSRequest(method=method, url='http://%s%s' % (host, path))
        botocore_auth.S3SigV4QueryAuth(
            Credentials(self.keys[user].access, self.keys[user].secret), 's3', 'us-east-1',
            expires=expires).add_auth(aws)
        split = urllib.parse.urlsplit(aws.prepare().url)
        req = webob.Request.blank(split.path + '?' + split.query, method=method)
        req.headers['Host'] = host
        return req


@pytest.fixture
def s3(app, keys, buckets_path):
    return Client(app, keys, buckets_path)


def error_code(response):
    """The <Code> of an S3 error document."""
    return ET.fromstring(response.body).findtext('Code')


def doc(response):
    """The response document with the S3 namespace dropped from the tags."""
    root = ET.fromstring(response.body)
    for node in root.iter():
        node.tag = node.tag.rpartition('}')[2]
    return root
