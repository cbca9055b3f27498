"""The paste filters: TokenAuth and NoAuth contexts, 401 bodies, pipeline choice."""
import json

import pytest
import webob
import webob.dec
from paste import deploy

from nova import context as nova_context
from nova import exception
from nova.api import auth
from nova.api import middleware
from nova.auth import tokens
from nova.conf import CONF


@webob.dec.wsgify
def echo(req):
    """Answers with what the filter told it."""
    ctx = req.environ['nova.context']
    return webob.Response(json={
        'user_id': ctx.user_id, 'project_id': ctx.project_id, 'roles': ctx.roles,
        'is_admin': ctx.is_admin, 'request_id': ctx.request_id,
        'current': nova_context.get_current() is ctx,
        'headers': {name: req.headers.get(name) for name in auth.IDENTITY_HEADERS}})


def call(app, token=None, **headers):
    req = webob.Request.blank('/servers', headers=headers, host='api.example.org:8774')
    req.environ[middleware.ENV_REQUEST_ID] = 'req-1'
    if token is not None:
        req.headers['X-Auth-Token'] = token
    return req.get_response(app)


def test_valid_token_becomes_the_context(issue):
    token, info = issue('alice', 'A')
    response = call(auth.TokenAuth(echo), token, **{'X-Roles': 'admin'})
    body = response.json
    assert response.status_int == 200
    assert (body['user_id'], body['project_id']) == (info.user_id, info.project_id)
    assert body['roles'] == ['member', 'reader'] and not body['is_admin']
    assert body['request_id'] == 'req-1' and body['current']
    assert body['headers'] == {'X-Identity-Status': 'Confirmed', 'X-User-Id': info.user_id,
                               'X-User-Name': 'alice', 'X-Project-Id': info.project_id,
                               'X-Project-Name': 'A', 'X-Roles': 'member,reader'}


@pytest.mark.parametrize('token', [None, '', 'forged'])
def test_missing_or_bad_token_is_401_json(accounts, token):
    response = call(auth.TokenAuth(echo), token)
    assert response.status_int == 401 and response.content_type == 'application/json'
    assert response.json == {'error': {'code': 401, 'title': 'Unauthorized',
                                       'message': auth.UNAUTHORIZED}}
    assert response.headers['WWW-Authenticate'] == 'Keystone uri="http://api.example.org:5000"'


def test_revoked_token_is_401(issue):
    token, _ = issue('alice', 'A')
    tokens.revoke(token)
    assert call(auth.TokenAuth(echo), token).status_int == 401


def test_text_fault_format(accounts):
    response = call(auth.TokenAuth(echo, fault_format='text'), 'forged')
    assert response.status_int == 401 and response.content_type == 'text/plain'
    assert response.text.strip() == auth.UNAUTHORIZED


def test_unknown_fault_format_is_a_config_error():
    with pytest.raises(exception.ConfigError):
        auth.TokenAuth(echo, fault_format='xml')


def test_noauth_refuses_to_run_without_the_flag():
    with pytest.raises(exception.ConfigError, match='noauth2'):
        auth.NoAuth(echo)


def test_noauth_trusts_user_and_project():
    CONF.set_override('auth_strategy', 'noauth2')
    app = auth.NoAuth(echo)
    body = call(app, 'joe:proj').json
    assert (body['user_id'], body['project_id'], body['is_admin']) == ('joe', 'proj', False)
    assert body['roles'] == ['member', 'reader'] and body['current']
    admin = call(app, 'admin:ops').json
    assert admin['is_admin'] and admin['roles'] == ['admin', 'manager', 'member', 'reader']
    anyone = call(app).json
    assert (anyone['user_id'], anyone['project_id'], anyone['is_admin']) == (
        'admin', 'admin', True)
    assert call(app, 'solo').json['project_id'] == 'solo'


PASTE = """
[composite:api]
use = call:nova.api.auth:pipeline_factory
keystone = request_id authtoken echo
noauth2 = request_id noauth2 echo

[filter:request_id]
paste.filter_factory = nova.api.middleware:RequestId.factory

[filter:authtoken]
paste.filter_factory = nova.api.auth:TokenAuth.factory

[filter:noauth2]
paste.filter_factory = nova.api.auth:NoAuth.factory

[app:echo]
paste.app_factory = tests.unit.auth.test_api_auth:echo_factory
"""


def echo_factory(global_conf, **local_conf):
    return echo


@pytest.fixture
def paste_file(tmp_path):
    path = tmp_path / 'api-paste.ini'
    path.write_text(PASTE)
    return 'config:%s' % path


def test_pipeline_factory_follows_auth_strategy(paste_file, issue):
    app = deploy.loadapp(paste_file, name='api')
    assert call(app, 'joe:proj').status_int == 401
    token, _ = issue('bob', 'A')
    response = call(app, token)
    assert response.json['roles'] == ['reader']
    assert response.json['request_id'] == response.headers['x-openstack-request-id']
    CONF.set_override('auth_strategy', 'noauth2')
    app = deploy.loadapp(paste_file, name='api')
    assert json.loads(call(app, 'joe:proj').body)['user_id'] == 'joe'
