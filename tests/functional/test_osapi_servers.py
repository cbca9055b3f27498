"""The compute API of a real nova-all over HTTP, with identity tokens: a project
member creates, lists, shows, updates, acts on and deletes servers; bad requests,
other projects and quota get Nova's answers."""
import json
import re
import time
import urllib.error
import urllib.request

import pytest

from tests.harness import daemons

PASSWORD = 'correct horse battery'
# run by nova-manage shell python: two projects, each with one member, and the image
ACCOUNTS = """
from nova.auth import manager
from nova.image import service
service.ensure_default_image(context)
for project_name, user_name in (('demo', 'alice'), ('other', 'bob')):
    project = manager.create_project(context, project_name)
    user = manager.create_user(context, user_name, %r)
    manager.add_user_to_project(context, user.id, project.id)
"""


def _request(url, method='GET', token=None, body=None, raw=None, version=None):
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['X-Auth-Token'] = token
    if version:
        headers['OpenStack-API-Version'] = 'compute %s' % version
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                        else None)
    req = urllib.request.Request(url, method=method, headers=headers, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read()
            return response.status, response.headers, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, error.headers, json.loads(text) if text else None


class Cloud:
    def __init__(self, ports):
        self.compute = 'http://127.0.0.1:%d/v2.1' % ports['osapi_compute']
        self.identity = 'http://127.0.0.1:%d/v3' % ports['identity']

    def token(self, user, project, password=PASSWORD):
        status, headers, _ = _request(self.identity + '/auth/tokens', 'POST', body={'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'name': 'Default'}, 'password': password}}},
            'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}})
        assert status == 201
        return headers['X-Subject-Token']

    def call(self, token, method, path, body=None, **kwargs):
        return _request(self.compute + path, method, token, body, **kwargs)

    def wait_status(self, token, server_id, status, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            code, _, body = self.call(token, 'GET', '/servers/' + server_id)
            if code == 200 and body['server']['status'] == status:
                return body['server']
            if time.monotonic() > deadline:
                raise AssertionError('server %s not %s: %s' % (server_id, status, body))
            time.sleep(0.2)

    def wait_gone(self, token, server_id, timeout=60):
        deadline = time.monotonic() + timeout
        while self.call(token, 'GET', '/servers/' + server_id)[0] != 404:
            assert time.monotonic() < deadline, 'server %s still there' % server_id
            time.sleep(0.2)


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('osapi')
    ports = {name: daemons.free_port() for name in
             ('osapi_compute', 'objectstore', 'image', 'identity')}
    flags = {'state_path': str(tmp), 'transport_url': 'inproc://',
             'sql_connection': 'sqlite:///$state_path/nova.sqlite', 'host': 'testhost',
             'report_interval': 1, 'periodic_interval': 1,
             'enabled_apis': 'osapi_compute,identity'}
    for name, port in ports.items():
        flags.update({'%s_listen' % name: '127.0.0.1', '%s_listen_port' % name: port})
    flagfile = daemons.write_flagfile(str(tmp / 'nova.flags'), **flags)
    daemons.manage(flagfile, 'db', 'sync')
    daemons.manage(flagfile, 'bootstrap', 'admin')
    admin_password = dict(re.findall(r'^export (\w+)=(\S+)$', (tmp / 'novarc').read_text(),
                                     re.M))['OS_PASSWORD']
    script = tmp / 'accounts.py'
    script.write_text(ACCOUNTS % PASSWORD)
    daemons.manage(flagfile, 'shell', 'python', str(script))
    nova_all = daemons.Daemon('nova-all', flagfile, str(tmp))
    try:
        c = Cloud(ports)
        daemons.wait_for(lambda: _up(c.compute) or nova_all.proc.poll() is not None,
                         timeout=60, what='osapi_compute')
        assert nova_all.proc.poll() is None, nova_all.log()[-3000:]
        c.admin = c.token('admin', 'admin', admin_password)
        c.alice, c.bob = c.token('alice', 'demo'), c.token('bob', 'other')
        c.flagfile = flagfile
        yield c
    finally:
        nova_all.stop()


def _up(url):
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except OSError:
        return False


def _boot(cloud, name='demo', **server):
    server = dict({'name': name, 'imageRef': _image(cloud), 'flavorRef': '1',
                   'networks': 'none'}, **server)
    status, headers, body = cloud.call(cloud.alice, 'POST', '/servers', {'server': server},
                                       version='2.37')
    assert status == 202, body
    assert headers['Location'].endswith('/servers/' + body['server']['id'])
    return body['server']


def _image(cloud):
    from nova.image import service
    return service.DEFAULT_IMAGE_ID


def test_server_lifecycle(cloud):
    created = _boot(cloud, metadata={'role': 'web'})
    assert created['adminPass']
    server = cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')
    assert server['metadata'] == {'role': 'web'}

    status, headers, listed = cloud.call(cloud.alice, 'GET', '/servers')
    assert status == 200 and created['id'] in [s['id'] for s in listed['servers']]
    assert headers['x-openstack-request-id'].startswith('req-')
    assert headers['x-compute-request-id'] == headers['x-openstack-request-id']
    assert headers['OpenStack-API-Version'] == 'compute 2.1'
    status, _, detail = cloud.call(cloud.alice, 'GET', '/servers/detail', version='latest')
    [mine] = [s for s in detail['servers'] if s['id'] == created['id']]
    assert mine['flavor']['original_name'] == 'm1.tiny' and mine['locked'] is False

    status, _, updated = cloud.call(cloud.alice, 'PUT', '/servers/' + created['id'],
                                    {'server': {'name': 'renamed'}})
    assert status == 200 and updated['server']['name'] == 'renamed'

    assert cloud.call(cloud.alice, 'POST', '/servers/%s/action' % created['id'],
                      {'os-stop': None})[0] == 202
    cloud.wait_status(cloud.alice, created['id'], 'SHUTOFF')
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers/%s/action' % created['id'],
                                 {'os-stop': None})
    assert status == 409
    assert body['conflictingRequest']['message'] == (
        "Cannot 'stop' instance %s while it is in vm_state stopped" % created['id'])
    assert cloud.call(cloud.alice, 'POST', '/servers/%s/action' % created['id'],
                      {'os-start': None})[0] == 202
    cloud.wait_status(cloud.alice, created['id'], 'ACTIVE')

    assert cloud.call(cloud.bob, 'GET', '/servers/' + created['id'])[0] == 404
    assert cloud.call(cloud.bob, 'DELETE', '/servers/' + created['id'])[0] == 404
    assert cloud.call(cloud.admin, 'GET', '/servers/' + created['id'])[0] == 200

    assert cloud.call(cloud.alice, 'DELETE', '/servers/' + created['id'])[0] == 204
    cloud.wait_gone(cloud.alice, created['id'])


def test_bad_requests(cloud):
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers', raw=b'{"server": ')
    assert status == 400 and body['badRequest']['message'] == 'Malformed request body'
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers', {'server': {
        'name': 'x', 'flavorRef': '1', 'imageRef': _image(cloud), 'colour': 'red'}})
    assert status == 400 and "'colour' was unexpected" in body['badRequest']['message']
    status, _, body = cloud.call(cloud.alice, 'GET', '/servers', version='3.0')
    assert status == 406 and 'is not supported by the API' in body['notAcceptable']['message']
    assert cloud.call(cloud.alice, 'GET', '/servers', version='two')[0] == 400
    assert cloud.call(None, 'GET', '/servers')[0] == 401


def test_quota_exceeded(cloud):
    status, _, body = cloud.call(cloud.alice, 'POST', '/servers', {'server': {
        'name': 'many', 'imageRef': _image(cloud), 'flavorRef': '1',
        'min_count': 11, 'max_count': 11}})
    assert status == 403
    assert body['forbidden']['message'].startswith(
        'Quota exceeded for instances: Requested 11, but already used')
