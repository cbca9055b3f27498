"""POST/GET/HEAD/DELETE /v3/auth/tokens as Keystone answers them."""
import re
import time

import pytest
import webob

from nova import wsgi
from nova.auth import manager
from nova.conf import CONF
from tests.unit.api.identity.conftest import password_auth

ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')
BY_NAME = {'project': {'name': 'A', 'domain': {'name': 'Default'}}}
OPS = {'project': {'name': 'ops', 'domain': {'id': 'default'}}}


def test_issue_by_names(api, accounts):
    response = api('POST', '/v3/auth/tokens', password_auth(scope=BY_NAME))
    assert response.status_int == 201 and response.content_type == 'application/json'
    assert response.headers['X-Subject-Token']
    token = response.json['token']
    alice, project = accounts.users['alice'], accounts.projects['A']
    domain = {'id': 'default', 'name': 'Default'}
    assert token['methods'] == ['password']
    assert token['user'] == {'id': alice.id, 'name': 'alice', 'domain': domain,
                             'password_expires_at': None}
    assert token['project'] == {'id': project.id, 'name': 'A', 'domain': domain}
    assert [r['name'] for r in token['roles']] == ['member', 'reader']
    assert ISO.match(token['issued_at']) and ISO.match(token['expires_at'])
    assert len(token['audit_ids']) == 1 and token['is_domain'] is False
    assert token['catalog']


def test_issue_by_ids(api, accounts):
    alice, project = accounts.users['alice'], accounts.projects['A']
    response = api('POST', '/v3/auth/tokens',
                   password_auth(alice.id, by_id=True, scope={'project': {'id': project.id}}))
    assert response.status_int == 201
    assert response.json['token']['project']['id'] == project.id


@pytest.mark.parametrize('domain', [{'id': 'default'}, {'name': 'default'}])
def test_domain_by_id_or_name(api, domain):
    scope = {'project': {'name': 'A', 'domain': domain}}
    assert api('POST', '/v3/auth/tokens',
               password_auth(domain=domain, scope=scope)).status_int == 201


def test_catalog_shape(api):
    CONF.set_override('osapi_compute_listen_port', 18774)
    token = api('POST', '/v3/auth/tokens', password_auth(scope=BY_NAME)).json['token']
    services = {s['type']: s for s in token['catalog']}
    assert set(services) == {'compute', 'image', 'identity', 'ec2', 's3', 'monitoring',
                             'block-storage', 'volumev3', 'network'}
    assert {s['name'] for s in token['catalog']} == {'nova', 'glance', 'keystone', 'ec2',
                                                      's3', 'cloudwatch', 'cinder', 'cinderv3',
                                                      'neutron'}
    urls = {kind: s['endpoints'][0]['url'] for kind, s in services.items()}
    project = token['project']['id']  # the block-storage URLs carry it, as Cinder's
    assert urls == {'compute': 'http://keystone.example.org:18774/v2.1',
                    'image': 'http://keystone.example.org:9292',
                    'identity': 'http://keystone.example.org:5000/v3',
                    'ec2': 'http://keystone.example.org:8773/services/Cloud',
                    's3': 'http://keystone.example.org:3333',
                    'monitoring': 'http://keystone.example.org:8777',
                    'block-storage': 'http://keystone.example.org:8776/v3/' + project,
                    'volumev3': 'http://keystone.example.org:8776/v3/' + project,
                    'network': 'http://keystone.example.org:9696'}
    for service in token['catalog']:
        assert service['id']
        assert sorted(e['interface'] for e in service['endpoints']) == ['admin', 'internal',
                                                                          'public']
        for endpoint in service['endpoints']:
            assert endpoint['id'] and endpoint['region'] == endpoint['region_id'] == 'RegionOne'


def test_public_endpoint_host_flag(api):
    CONF.set_override('public_endpoint_host', 'cloud.example.com')
    token = api('POST', '/v3/auth/tokens', password_auth(scope=BY_NAME)).json['token']
    assert all(e['url'].startswith('http://cloud.example.com:')
               for s in token['catalog'] for e in s['endpoints'])


def test_no_scope_uses_the_default_project(api, accounts):
    token = api('POST', '/v3/auth/tokens', password_auth()).json['token']
    assert token['project']['name'] == 'A' and token['catalog']


def test_unscoped_without_default_project(api, accounts):
    manager.create_user(accounts.ctx, 'ann', 'pw')
    response = api('POST', '/v3/auth/tokens', password_auth('ann', 'pw'))
    assert response.status_int == 201
    token = response.json['token']
    assert 'project' not in token and 'catalog' not in token and 'roles' not in token
    explicit = api('POST', '/v3/auth/tokens', password_auth(scope='unscoped')).json['token']
    assert 'project' not in explicit


def test_rescope_with_the_token_method(api, accounts):
    unscoped = api('POST', '/v3/auth/tokens', password_auth(scope='unscoped'))
    body = {'auth': {'identity': {'methods': ['token'], 'token': {
        'id': unscoped.headers['X-Subject-Token']}}, 'scope': BY_NAME}}
    response = api('POST', '/v3/auth/tokens', body)
    assert response.status_int == 201 and response.json['token']['methods'] == ['token']
    body['auth']['identity']['token']['id'] = 'forged'
    assert api('POST', '/v3/auth/tokens', body).status_int == 401


UNAUTHORIZED = 'The request you have made requires authentication.'


def assert_401(response, message=UNAUTHORIZED):
    assert response.status_int == 401
    assert response.json == {'error': {'code': 401, 'message': message,
                                       'title': 'Unauthorized'}}
    assert response.headers['WWW-Authenticate'] == \
        'Keystone uri="http://keystone.example.org:5000"'


def test_bad_password_and_unknown_user_answer_alike(api):
    for body in (password_auth(password='wrong'), password_auth('mallory'),
                 password_auth(domain={'name': 'Other'})):
        assert_401(api('POST', '/v3/auth/tokens', body))


def test_scope_failures_are_401_like_a_wrong_password(api, accounts, caplog):
    """Keystone tells the caller nothing more than 401; the log says why."""
    caplog.set_level('INFO', logger='nova.api.identity.faults')
    response = api('POST', '/v3/auth/tokens', password_auth(scope={
        'project': {'name': 'B', 'domain': {'id': 'default'}}}))
    assert_401(response)
    assert 'User %s has no role on project %s.' % (
        accounts.users['alice'].id, accounts.projects['B'].id) in caplog.text
    assert_401(api('POST', '/v3/auth/tokens', password_auth(scope={
        'project': {'name': 'nope', 'domain': {'id': 'default'}}})))
    assert 'Could not find project: nope.' in caplog.text


def test_disabled_user_is_401(api, accounts):
    manager.update_user(accounts.ctx, accounts.users['alice'].id, enabled=False)
    assert_401(api('POST', '/v3/auth/tokens', password_auth()))


@pytest.mark.parametrize('body, field', [
    ({}, 'auth'),
    ({'auth': {}}, 'identity'),
    ({'auth': {'identity': {'methods': []}}}, 'methods'),
    ({'auth': {'identity': {'methods': ['password']}}}, 'password'),
    ({'auth': {'identity': {'methods': ['password'], 'password': {'user': {}}}}}, 'user'),
    (password_auth(scope={'domain': {'id': 'default'}}), 'scope'),
    (password_auth(user='ali\x00ce'), 'NUL'),  # PostgreSQL would refuse it with an error
])
def test_malformed_requests_are_400_naming_the_field(api, body, field):
    response = api('POST', '/v3/auth/tokens', body)
    assert response.status_int == 400 and response.json['error']['title'] == 'Bad Request'
    assert field in response.json['error']['message']


def test_invalid_json_is_400(accounts):
    req = webob.Request.blank('/v3/auth/tokens', method='POST', body=b'{not json')
    response = req.get_response(wsgi.Loader().load_app('identity'))
    assert response.status_int == 400 and 'JSON' in response.json['error']['message']


def test_unsupported_method_is_401(api):
    response = api('POST', '/v3/auth/tokens', {'auth': {'identity': {'methods': ['totp']}}})
    assert response.status_int == 401


def get_token(api, user='alice', scope=BY_NAME):
    return api('POST', '/v3/auth/tokens',
               password_auth(user, scope=scope)).headers['X-Subject-Token']


def test_validate_own_token(api):
    token = get_token(api)
    response = api('GET', '/v3/auth/tokens', token=token, X_Subject_Token=token)
    assert response.status_int == 200 and response.headers['X-Subject-Token'] == token
    assert response.json['token']['user']['name'] == 'alice' and response.json['token'][
        'catalog']
    nocatalog = api('GET', '/v3/auth/tokens?nocatalog', token=token, X_Subject_Token=token)
    assert 'catalog' not in nocatalog.json['token']
    head = api('HEAD', '/v3/auth/tokens', token=token, X_Subject_Token=token)
    assert head.status_int == 200 and head.body == b''


def test_validation_rules(api):
    alice = get_token(api)
    dave = get_token(api, 'dave', {'project': {'name': 'B', 'domain': {'id': 'default'}}})
    root = get_token(api, 'root', OPS)
    assert api('GET', '/v3/auth/tokens', token=dave, X_Subject_Token=alice).status_int == 403
    assert api('GET', '/v3/auth/tokens', token=root, X_Subject_Token=alice).status_int == 200
    missing = api('GET', '/v3/auth/tokens', token=alice, X_Subject_Token='forged')
    assert missing.status_int == 404 and missing.json['error']['title'] == 'Not Found'
    assert api('GET', '/v3/auth/tokens', token='forged', X_Subject_Token=alice).status_int \
        == 401


def test_delete_revokes(api):
    token = get_token(api)
    response = api('DELETE', '/v3/auth/tokens', token=token, X_Subject_Token=token)
    assert response.status_int == 204 and response.body == b''
    assert api('GET', '/v3/auth/tokens', token=token, X_Subject_Token=token).status_int == 401
    root = get_token(api, 'root', OPS)
    assert api('GET', '/v3/auth/tokens', token=root, X_Subject_Token=token).status_int == 404


def test_expired_token_is_not_found(api):
    CONF.set_override('token_expiration', 1)
    token = get_token(api)
    CONF.set_override('token_expiration', 3600)
    root = get_token(api, 'root', OPS)
    time.sleep(1.1)
    assert api('GET', '/v3/auth/tokens', token=root, X_Subject_Token=token).status_int == 404
