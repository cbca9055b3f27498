"""nova-api serving identity as a real process: keystoneauth1 logs in with the
bootstrap novarc and finds the compute endpoint; tokens validate and revoke over HTTP."""
import json
import re
import urllib.error
import urllib.request

import pytest

from tests.harness import daemons

ks_session = pytest.importorskip('keystoneauth1.session')
ks_v3 = pytest.importorskip('keystoneauth1.identity.v3')
ks_exceptions = pytest.importorskip('keystoneauth1.exceptions')


@pytest.fixture
def cloud(tmp_path):
    """nova-api with only the identity app; yields (port, novarc values)."""
    port = daemons.free_port()
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), transport_url='inproc://',
        sql_connection='sqlite:///$state_path/nova.sqlite', enabled_apis='identity',
        identity_listen='127.0.0.1', identity_listen_port=port,
        osapi_compute_listen_port=18774, host='testhost')
    daemons.manage(flagfile, 'db', 'sync')
    daemons.manage(flagfile, 'bootstrap', 'admin')
    novarc = dict(re.findall(r'^export (\w+)=(\S+)$', (tmp_path / 'novarc').read_text(),
                             re.M))
    api = daemons.Daemon('nova-api', flagfile, str(tmp_path))
    try:
        daemons.wait_for(lambda: _up(port), timeout=30, what='identity on port %d: %s' % (
            port, api.log()[-2000:]))
        yield port, novarc
    finally:
        api.stop()


def _up(port):
    try:
        urllib.request.urlopen('http://127.0.0.1:%d/v3' % port, timeout=2).close()
        return True
    except OSError:
        return False


def _session(novarc, password=None):
    auth = ks_v3.Password(
        auth_url=novarc['OS_AUTH_URL'], username=novarc['OS_USERNAME'],
        password=password or novarc['OS_PASSWORD'], project_name=novarc['OS_PROJECT_NAME'],
        user_domain_name=novarc['OS_USER_DOMAIN_NAME'],
        project_domain_name=novarc['OS_PROJECT_DOMAIN_NAME'])
    return ks_session.Session(auth=auth)


def test_keystoneauth_password_login_finds_compute(cloud):
    port, novarc = cloud
    assert novarc['OS_AUTH_URL'] == 'http://127.0.0.1:%d/v3' % port
    session = _session(novarc)
    token = session.get_token()
    assert token
    assert session.get_endpoint(service_type='compute', interface='public',
                                region_name='RegionOne') == 'http://127.0.0.1:18774/v2.1'
    assert session.get_project_id()
    access = session.auth.get_access(session)
    assert access.role_names and 'admin' in access.role_names
    assert access.project_name == 'admin' and access.user_domain_name == 'Default'


def test_keystoneauth_wrong_password_is_unauthorized(cloud):
    _, novarc = cloud
    with pytest.raises(ks_exceptions.Unauthorized):
        _session(novarc, password='wrong').get_token()


def _request(port, method, path, headers=None, body=None):
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path), method=method,
                                 headers=headers or {},
                                 data=json.dumps(body).encode() if body else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_token_validate_and_revoke_over_http(cloud):
    port, novarc = cloud
    token = _session(novarc).get_token()
    headers = {'X-Auth-Token': token, 'X-Subject-Token': token}
    status, response_headers, body = _request(port, 'GET', '/v3/auth/tokens', headers)
    assert status == 200 and json.loads(body)['token']['user']['name'] == 'admin'
    assert response_headers['x-openstack-request-id'].startswith('req-')
    assert _request(port, 'DELETE', '/v3/auth/tokens', headers)[0] == 204
    status, response_headers, body = _request(port, 'GET', '/v3/auth/tokens', headers)
    assert status == 401 and json.loads(body)['error']['title'] == 'Unauthorized'
    assert response_headers['WWW-Authenticate'] == 'Keystone uri="http://127.0.0.1:%d"' % port
