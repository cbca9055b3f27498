"""What a running nova-all answers to bad requests, as Nova and Keystone answer them:
malformed JSON and unknown fields (400 naming them), wrong microversions (406/400),
expired, forged and revoked tokens (401 with Keystone's body), another project's
server (404), quota exceeded (403 with Nova's message), wrong state (409)."""
import json
import time
import uuid

import pytest
import requests

PASSWORD = 'pw-negative-tests'
# run by nova-manage shell python: a token of USER on PROJECT that lives one second
EXPIRED_TOKEN = """
import time
from nova.auth import manager, tokens
from nova.conf import CONF
CONF.set_override('token_expiration', 1)
user = manager.find_user(context, %(user)r)
project = manager.find_project(context, %(project)r)
token, info = tokens.issue(user, project)
time.sleep(1.5)
print('TOKEN=' + token)
"""


class Member:
    """A user with the member role on a project of its own, talking plain HTTP."""

    def __init__(self, cloud, prefix):
        self.cloud = cloud
        self.user, self.project = '%s-user-%s' % (prefix, uuid.uuid4().hex[:6]), None
        self.project = '%s-%s' % (prefix, uuid.uuid4().hex[:6])
        cloud.manage('project', 'create', self.project)
        cloud.manage('user', 'create', self.user, '--password', PASSWORD,
                     '--project', self.project)
        self.token, self.project_id = self.login()

    def login(self):
        response = requests.post(self.cloud.url('identity', '/v3/auth/tokens'), json={
            'auth': {'identity': {'methods': ['password'], 'password': {'user': {
                'name': self.user, 'domain': {'name': 'Default'}, 'password': PASSWORD}}},
                'scope': {'project': {'name': self.project, 'domain': {'name': 'Default'}}}}},
            timeout=30)
        assert response.status_code == 201, response.text
        return response.headers['X-Subject-Token'], response.json()['token']['project']['id']

    def call(self, method, path, body=None, token=None, version=None, data=None):
        headers = {'X-Auth-Token': token or self.token, 'Content-Type': 'application/json'}
        if version:
            headers['OpenStack-API-Version'] = 'compute %s' % version
        if body is not None:
            data = json.dumps(body)
        return requests.request(method, self.cloud.url('osapi_compute', '/v2.1' + path),
                                headers=headers, data=data, timeout=60)

    def boot(self, name='neg'):
        response = self.call('POST', '/servers', {'server': {
            'name': name, 'imageRef': image_id(self), 'flavorRef': '1', 'networks': 'none'}},
            version='2.37')
        assert response.status_code == 202, response.text
        return response.json()['server']['id']

    def wait_status(self, server_id, status, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            server = self.call('GET', '/servers/' + server_id).json()['server']
            if server['status'] == status:
                return server
            assert time.monotonic() < deadline, server
            time.sleep(0.3)


def image_id(member):
    response = requests.get(member.cloud.url('image', '/v2/images?name=cirros'),
                            headers={'X-Auth-Token': member.token}, timeout=30)
    return response.json()['images'][0]['id']


@pytest.fixture(scope='module')
def alice(cloud):
    return Member(cloud, 'neg-a')


@pytest.fixture(scope='module')
def bob(cloud):
    return Member(cloud, 'neg-b')


def _fault(response, code, key):
    assert response.status_code == code, response.text
    body = response.json()
    assert list(body) == [key] and body[key]['code'] == code, body
    return body[key]['message']


def test_malformed_json_is_400(alice):
    response = alice.call('POST', '/servers', data='{"server": {"name": ')
    assert _fault(response, 400, 'badRequest') == 'Malformed request body'
    response = alice.call('POST', '/servers', data='[1, 2]')
    assert "[1, 2] is not of type 'object'" in _fault(response, 400, 'badRequest')


def test_unknown_and_invalid_fields_are_named(alice):
    server = {'name': 'x', 'imageRef': image_id(alice), 'flavorRef': '1', 'networks': 'none'}
    response = alice.call('POST', '/servers', {'server': dict(server, colour='blue')},
                          version='2.37')
    message = _fault(response, 400, 'badRequest')
    assert "Additional properties are not allowed ('colour' was unexpected)" in message
    response = alice.call('POST', '/servers', {'server': dict(server, min_count='many')},
                          version='2.37')
    assert 'min_count' in _fault(response, 400, 'badRequest')
    response = alice.call('POST', '/servers', {'server': dict(server, flavorRef='nope')},
                          version='2.37')
    assert _fault(response, 400, 'badRequest') == 'Invalid flavorRef provided.'
    response = alice.call('GET', '/servers?sort_key=bogus', version='2.75')
    assert 'sort_key' in _fault(response, 400, 'badRequest')


def test_wrong_microversions(alice):
    response = alice.call('GET', '/servers', version='2.1000')
    message = _fault(response, 406, 'notAcceptable')
    assert 'Version 2.1000 is not supported by the API' in message
    response = alice.call('GET', '/servers', version='1.1')
    _fault(response, 406, 'notAcceptable')
    response = alice.call('GET', '/servers', version='two.one')
    assert 'invalid format' in _fault(response, 400, 'badRequest')
    latest = alice.call('GET', '/servers', version='latest')
    assert latest.status_code == 200
    assert latest.headers['OpenStack-API-Version'].startswith('compute 2.')
    assert 'OpenStack-API-Version' in latest.headers['Vary']


def _keystone_401(response):
    assert response.status_code == 401, response.text
    assert response.json() == {'error': {
        'code': 401, 'title': 'Unauthorized',
        'message': 'The request you have made requires authentication.'}}
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_forged_missing_and_revoked_tokens_are_401(cloud, alice):
    _keystone_401(alice.call('GET', '/servers', token='not-a-token'))
    forged = alice.token[:-2] + ('AA' if not alice.token.endswith('AA') else 'BB')
    _keystone_401(alice.call('GET', '/servers', token=forged))
    response = requests.get(cloud.url('osapi_compute', '/v2.1/servers'), timeout=30)
    _keystone_401(response)

    token, _project = alice.login()
    assert alice.call('GET', '/servers', token=token).status_code == 200
    revoked = requests.delete(cloud.url('identity', '/v3/auth/tokens'), headers={
        'X-Auth-Token': token, 'X-Subject-Token': token}, timeout=30)
    assert revoked.status_code == 204
    _keystone_401(alice.call('GET', '/servers', token=token))


def test_expired_token_is_401(cloud, alice, tmp_path):
    script = tmp_path / 'expired.py'
    script.write_text(EXPIRED_TOKEN % {'user': alice.user, 'project': alice.project})
    output = cloud.manage('shell', 'python', str(script)).stdout
    token = output.split('TOKEN=')[1].split()[0]
    _keystone_401(alice.call('GET', '/servers', token=token))
    checked = requests.get(cloud.url('identity', '/v3/auth/tokens'), headers={
        'X-Auth-Token': alice.token, 'X-Subject-Token': token}, timeout=30)
    assert checked.status_code == 404  # Keystone: the subject token is not found


def test_the_openstack_cli_reports_a_wrong_password(cloud, alice):
    env = cloud.env(OS_USERNAME=alice.user, OS_PASSWORD='wrong', OS_PROJECT_NAME=alice.project)
    result = cloud.run('openstack', 'server', 'list', env=env, check=False)
    assert result.returncode != 0
    assert 'The request you have made requires authentication' in result.stderr
    assert '401' in result.stderr


def test_another_projects_server_is_404(alice, bob):
    server_id = alice.boot('private')
    path = '/servers/' + server_id
    not_found = 'Instance %s could not be found.' % server_id
    assert _fault(bob.call('GET', path), 404, 'itemNotFound') == not_found
    assert _fault(bob.call('PUT', path, {'server': {'name': 'mine'}}), 404,
                  'itemNotFound') == not_found
    assert _fault(bob.call('POST', path + '/action', {'os-stop': None}), 404,
                  'itemNotFound') == not_found
    assert _fault(bob.call('DELETE', path), 404, 'itemNotFound') == not_found
    assert _fault(bob.call('GET', path + '/metadata'), 404, 'itemNotFound')
    listed = bob.call('GET', '/servers/detail?all_tenants=1')
    assert listed.status_code == 403  # a member may not list every project
    assert server_id not in {s['id'] for s in bob.call('GET', '/servers').json()['servers']}
    # still there for its owner
    assert alice.call('GET', path).json()['server']['name'] == 'private'
    assert alice.call('DELETE', path).status_code == 204


def test_quota_exceeded_is_403_with_novas_message(cloud, bob):
    cloud.manage('project', 'quota', bob.project_id, 'instances', '1')
    first = bob.boot('q1')
    response = bob.call('POST', '/servers', {'server': {
        'name': 'q2', 'imageRef': image_id(bob), 'flavorRef': '1', 'networks': 'none'}},
        version='2.37')
    message = _fault(response, 403, 'forbidden')
    assert message == ('Quota exceeded for instances: Requested 1, but already used 1 '
                       'of 1 instances')
    assert bob.call('DELETE', '/servers/' + first).status_code == 204


def test_action_in_the_wrong_state_is_409(alice):
    server_id = alice.boot('states')
    alice.wait_status(server_id, 'ACTIVE')
    message = _fault(alice.call('POST', '/servers/%s/action' % server_id, {'os-start': None}),
                     409, 'conflictingRequest')
    assert message == ("Cannot 'start' instance %s while it is in vm_state active"
                       % server_id)
    assert alice.call('POST', '/servers/%s/action' % server_id,
                      {'os-stop': None}).status_code == 202
    alice.wait_status(server_id, 'SHUTOFF')
    message = _fault(alice.call('POST', '/servers/%s/action' % server_id,
                                {'confirmResize': None}), 409, 'conflictingRequest')
    assert "Cannot 'confirmResize' instance" in message or 'confirm' in message
    assert alice.call('DELETE', '/servers/' + server_id).status_code == 204
