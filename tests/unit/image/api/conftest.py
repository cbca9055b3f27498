"""The image paste pipeline on a fresh SQLite database, with real tokens.

Accounts (tests/unit/auth): alice is a member of project A, dave of B, root
an admin of 'ops'. ``api`` calls the pipeline as one of them.
"""
import json

import pytest
import webob

from nova import wsgi
from nova.conf import CONF
from tests.unit.auth.conftest import (  # noqa: F401
    PASSWORD, _empty_token_cache, accounts, ctx, db_ctx, empty_db, issue, synced_db)

DATA = bytes(range(256)) * 4096 + b'tail'  # 1 MiB and 4 bytes: more than one chunk


class Caller:
    """call(method, path, body=None, user='alice', **headers) through the pipeline."""

    def __init__(self, app, tokens, accounts):  # noqa: F811 -- not the fixture
        self.app, self.tokens, self.accounts = app, tokens, accounts

    def project(self, user):
        return {'alice': 'A', 'dave': 'B', 'root': 'ops'}[user]

    def project_id(self, user):
        return self.accounts.projects[self.project(user)].id

    def request(self, method, path, body=None, user='alice', content_type=None,
                **headers):
        req = webob.Request.blank(path, method=method, host='glance.example.org:9292')
        if isinstance(body, bytes):
            req.body = body
        elif body is not None:
            req.body = json.dumps(body).encode('utf-8')
            content_type = content_type or 'application/json'
        if content_type:
            req.content_type = content_type
        if user is not None:
            req.headers['X-Auth-Token'] = self.tokens[user]
        req.headers.update({name.replace('_', '-'): v for name, v in headers.items()})
        return req

    def __call__(self, method, path, body=None, user='alice', **kwargs):
        return self.request(method, path, body, user, **kwargs).get_response(self.app)

    def create(self, user='alice', **values):
        values.setdefault('name', 'img')
        values.setdefault('disk_format', 'raw')
        values.setdefault('container_format', 'bare')
        response = self('POST', '/v2/images', values, user=user)
        assert response.status_int == 201, response.text
        return response.json

    def upload(self, image_id, data=DATA, user='alice'):
        response = self('PUT', '/v2/images/%s/file' % image_id, data, user=user,
                        content_type='application/octet-stream')
        assert response.status_int == 204, response.text
        return response

    def active(self, user='alice', data=DATA, **values):
        image = self.create(user, **values)
        self.upload(image['id'], data, user)
        return self('GET', '/v2/images/%s' % image['id'], user=user).json


@pytest.fixture
def api(accounts, issue, tmp_path):  # noqa: F811 -- the imported fixtures
    CONF.set_override('state_path', str(tmp_path / 'state'))
    tokens = {user: issue(user, project)[0]
              for user, project in (('alice', 'A'), ('dave', 'B'), ('root', 'ops'))}
    return Caller(wsgi.Loader().load_app('image'), tokens, accounts)

