"""The identity app behind its paste pipeline, on the accounts of tests/unit/auth."""
import json

import pytest
import webob

from nova import wsgi
from tests.unit.auth.conftest import (  # noqa: F401
    PASSWORD, _empty_token_cache, accounts, ctx, db_ctx, empty_db, issue, synced_db)


@pytest.fixture
def api(accounts):  # noqa: F811 -- the imported fixture
    """call(method, path, body=None, token=None, **headers) through the paste pipeline."""
    app = wsgi.Loader().load_app('identity')

    def call(method, path, body=None, token=None, **headers):
        req = webob.Request.blank(path, method=method, host='keystone.example.org:5000')
        if body is not None:
            req.body = json.dumps(body).encode('utf-8')
            req.content_type = 'application/json'
        if token is not None:
            req.headers['X-Auth-Token'] = token
        req.headers.update({name.replace('_', '-'): v for name, v in headers.items()})
        return req.get_response(app)
    return call


def password_auth(user='alice', password=PASSWORD, scope=None, by_id=False,
                  domain=None):
    user_ref = {'id': user} if by_id else {'name': user,
                                           'domain': domain or {'name': 'Default'}}
    auth = {'identity': {'methods': ['password'],
                         'password': {'user': dict(user_ref, password=password)}}}
    if scope is not None:
        auth['scope'] = scope
    return {'auth': auth}
