"""Accounts on a fresh SQLite database: two projects and users with each role."""
import types

import pytest

from nova.auth import manager
from nova.auth import tokens
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401

PASSWORD = 'correct horse'


@pytest.fixture(autouse=True)
def _empty_token_cache():
    tokens.invalidate_cache()
    yield
    tokens.invalidate_cache()


@pytest.fixture
def accounts(db_ctx):  # noqa: F811 -- the imported fixture
    """alice: member of A; bob: reader of A; dave: member of B; root: admin of ops."""
    projects = {name: manager.create_project(db_ctx, name) for name in ('A', 'B', 'ops')}
    users = {}
    for name, project, role in (('alice', 'A', 'member'), ('bob', 'A', 'reader'),
                                ('dave', 'B', 'member'), ('root', 'ops', 'admin')):
        users[name] = manager.create_user(db_ctx, name, PASSWORD,
                                          default_project_id=projects[project].id)
        manager.add_role(db_ctx, users[name].id, projects[project].id, role)
    return types.SimpleNamespace(ctx=db_ctx, projects=projects, users=users)


@pytest.fixture
def issue(accounts):
    """issue('alice', 'A') -> (token string, TokenInfo)."""
    def _issue(user, project=None):
        return tokens.issue(accounts.users[user],
                            accounts.projects[project] if project else None)
    return _issue
