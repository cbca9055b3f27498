"""The image paste pipeline on a fresh SQLite database, with real tokens.

alice is a member of project A, rita a reader of A, dave a member of B, root
an admin of 'ops'; ``api``
calls the pipeline as one of them. The migrated database with these accounts
and their tokens is built once per session and copied for every test.
"""
import json
import shutil
import types

import pytest
import webob

from nova import context as nova_context
from nova import wsgi
from nova.auth import manager
from nova.auth import tokens as auth_tokens
from nova.conf import CONF
from nova.db import migration
from nova.db import session as db_session

DATA = bytes(range(256)) * 4096 + b'tail'  # 1 MiB and 4 bytes: more than one chunk


class Caller:
    """call(method, path, body=None, user='alice', **headers) through the pipeline."""

    def __init__(self, app, tokens, accounts):  # noqa: F811 -- not the fixture
        self.app, self.tokens, self.accounts = app, tokens, accounts

    def project(self, user):
        return {'alice': 'A', 'rita': 'A', 'dave': 'B', 'root': 'ops'}[user]

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


PASSWORD = 'correct horse'
USERS = (('alice', 'A', 'member'), ('rita', 'A', 'reader'), ('dave', 'B', 'member'),
         ('root', 'ops', 'admin'))


@pytest.fixture(scope='session')
def _template(tmp_path_factory):
    """(database file, accounts, tokens): migrated, with the users above, once."""
    path = tmp_path_factory.mktemp('image-api-db') / 'nova.sqlite'
    CONF.set_override('sql_connection', 'sqlite:///%s' % path)
    try:
        migration.db_sync()
        ctxt = nova_context.get_admin_context()
        projects = {name: manager.create_project(ctxt, name) for name in ('A', 'B', 'ops')}
        users, tokens = {}, {}
        for name, project, role in USERS:
            users[name] = manager.create_user(ctxt, name, PASSWORD,
                                              default_project_id=projects[project].id)
            manager.add_role(ctxt, users[name].id, projects[project].id, role)
            tokens[name] = auth_tokens.issue(users[name], projects[project])[0]
    finally:
        db_session.dispose()
        CONF.clear_override('sql_connection')
    return path, types.SimpleNamespace(projects=projects, users=users), tokens


@pytest.fixture
def api(_template, tmp_path):
    template, accounts, tokens = _template
    state = tmp_path / 'state'
    state.mkdir()
    shutil.copyfile(template, state / 'nova.sqlite')
    CONF.set_override('state_path', str(state))
    CONF.set_override('sql_connection', 'sqlite:///%s' % (state / 'nova.sqlite'))
    auth_tokens.invalidate_cache()
    yield Caller(wsgi.Loader().load_app('image'), tokens, accounts)
    auth_tokens.invalidate_cache()
    db_session.dispose()
