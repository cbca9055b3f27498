"""The network API app (its router) on the in-process cloud of tests/functional/compute,
with nova-network's FlatManager, called as a member of proj-a (alice), of proj-b
(bob), a reader of proj-a and an admin; a network 10.8.0.0/24 and a floating IP
pool 'public' (172.24.4.0/28) exist."""
import json

import pytest
import webob

from nova.api.openstack.network import app_factory
from nova.network import api as network_api
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.api.openstack import fakes


class Client:
    def __init__(self, app, identity):
        self.app, self.identity = app, identity

    def request(self, method, path, body=None):
        req = webob.Request.blank('/v2.0' + path, method=method,
                                  base_url='http://localhost:9696')
        req.script_name = '/v2.0'
        req.path_info = path.split('?')[0]
        req.headers[fakes.CONTEXT_HEADER] = self.identity
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        response = req.get_response(self.app)
        response.data = json.loads(response.body) if response.body else None
        return response

    def get(self, path):
        return self.request('GET', path)

    def post(self, path, body):
        return self.request('POST', path, body)

    def put(self, path, body):
        return self.request('PUT', path, body)

    def delete(self, path):
        return self.request('DELETE', path)


@pytest.fixture
def network(cloud):  # noqa: F811 -- the imported fixture
    cloud.start('nova-network', 'nethost')
    api = network_api.API()
    api.create_floating_ips(cloud.admin, '172.24.4.0/28', pool='public')
    return api.create_network(cloud.admin, '10.8.0.0/24', label='private')


@pytest.fixture
def app(network):
    return fakes.ContextFilter(app_factory({}))


@pytest.fixture
def alice(app):
    return Client(app, 'alice:proj-a:member')


@pytest.fixture
def bob(app):
    return Client(app, 'bob:proj-b:member')


@pytest.fixture
def reader(app):
    return Client(app, 'rita:proj-a:reader')


@pytest.fixture
def admin(app):
    return Client(app, 'root:admin-proj:admin')
