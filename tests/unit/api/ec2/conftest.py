"""The EC2 app (its paste pipeline) on the in-process cloud of tests/functional/compute,
called with requests botocore signs, as boto3 would send them."""
import datetime
import types
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import webob

from nova import wsgi
from nova.auth import manager
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture

URL = 'http://ec2.test:8773/services/Cloud'
REGION = 'RegionOne'
NS = '{http://ec2.amazonaws.com/doc/2016-11-15/}'


class Reply:
    """A response: status, body, error code, and the texts of elements by tag."""

    def __init__(self, response):
        self.status = response.status_int
        self.body = response.body.decode('utf-8')
        self.tree = ET.fromstring(self.body)

    @property
    def code(self):
        node = self.tree.find('Errors/Error/Code')
        return node.text if node is not None else None

    def texts(self, tag):
        return [n.text for n in self.tree.iter(NS + tag)]


class Client:
    """EC2 query requests as one credential, signed with SigV4 (or SigV2)."""

    def __init__(self, app, access, secret):
        self.app, self.access, self.secret = app, access, secret

    def signed(self, action, version=4, secret=None, when=None, method='POST', **params):
        body = dict(params, Action=action, Version='2016-11-15')
        if method == 'GET':
            request = botocore.awsrequest.AWSRequest(method='GET', url=URL, params=body)
        else:
            request = botocore.awsrequest.AWSRequest(
                method='POST', url=URL, data=body,
                headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
        credentials = botocore.credentials.Credentials(self.access, secret or self.secret)
        if version == 2:
            botocore.auth.SigV2Auth(credentials).add_auth(request)
        else:
            signer = botocore.auth.SigV4Auth(credentials, 'ec2', REGION)
            if when is not None:
                original = botocore.auth.get_current_datetime
                botocore.auth.get_current_datetime = lambda: when
            try:
                signer.add_auth(request)
            finally:
                if when is not None:
                    botocore.auth.get_current_datetime = original
        prepared = request.prepare()
        req = webob.Request.blank(prepared.url, method=method, headers=dict(prepared.headers))
        if method == 'POST':
            req.body = prepared.body.encode() if isinstance(prepared.body, str) else \
                urllib.parse.urlencode(body).encode()
        return req

    def call(self, action, **kwargs):
        return Reply(self.signed(action, **kwargs).get_response(self.app))


def _account(ctx, name, role='member', project=None):
    project = project or manager.create_project(ctx, name)
    user = manager.create_user(ctx, name + '-user')
    manager.add_role(ctx, user.id, project.id, role)
    return manager.create_ec2_credentials(ctx, user.id, project.id)


@pytest.fixture
def ec2(cloud):  # noqa: F811 -- the imported fixture
    """Clients of project a (member), b (member) and ops (admin) on one app, and
    a_reader (a reader of project a)."""
    app = wsgi.Loader().load_app('ec2')
    creds = {name: _account(cloud.admin, name, role)
             for name, role in (('a', 'member'), ('b', 'member'), ('ops', 'admin'))}
    creds['a_reader'] = _account(cloud.admin, 'a_reader', 'reader',
                                 manager.get_project(cloud.admin, creds['a'].project_id))
    clients = {name: Client(app, c.access, c.secret) for name, c in creds.items()}
    return types.SimpleNamespace(app=app, creds=creds, **clients)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)
