"""Tokens: issue, validate through a short cache, expire, revoke; their contexts."""
import time

import pytest

from nova import context as nova_context
from nova import exception
from nova.auth import manager
from nova.auth import tokens
from nova.conf import CONF
from nova.db import api as db
from tests.unit.db import compute_helpers


def test_issue_scoped_token(issue, accounts):
    token, info = issue('alice', 'A')
    assert len(token) >= 40 and info.auth_token == token
    assert info.id == tokens.token_id(token) != token
    assert (info.user_name, info.project_name, info.scoped) == ('alice', 'A', True)
    assert info.role_names == ['member', 'reader']
    assert all(len(role['id']) == 32 for role in info.roles)
    assert info.methods == ('password',)
    assert (info.expires_at - info.issued_at).total_seconds() == CONF.token_expiration
    # the database knows the hash only
    row, user_name, project_name = db.token_get_with_names(accounts.ctx, info.id)
    assert (row.user_id, user_name, project_name) == (info.user_id, 'alice', 'A')


def test_unscoped_token_has_no_roles(issue):
    _, info = issue('alice')
    assert not info.scoped and info.roles == () and info.project_name is None


def test_issue_refuses_projects_without_a_role_and_disabled_ones(accounts, issue):
    with pytest.raises(exception.ProjectAccessDenied):
        issue('alice', 'B')
    manager.update_project(accounts.ctx, accounts.projects['A'].id, enabled=False)
    with pytest.raises(exception.ProjectDisabled):
        tokens.issue(accounts.users['alice'], manager.get_project_by_name(accounts.ctx, 'A'))
    manager.update_user(accounts.ctx, accounts.users['dave'].id, enabled=False)
    with pytest.raises(exception.UserDisabled):
        tokens.issue(manager.get_user_by_name(accounts.ctx, 'dave'))


def test_validate_returns_the_same_token(issue):
    token, info = issue('alice', 'A')
    tokens.invalidate_cache()
    found = tokens.validate(token)
    assert found == info  # from the database, the same fields
    assert tokens.validate(token) is found  # then from the cache


def test_unknown_and_empty_tokens_are_invalid(accounts):
    assert tokens.validate('forged') is None
    assert tokens.validate('') is None and tokens.validate(None) is None


def test_tokens_expire(accounts, issue):
    CONF.set_override('token_expiration', 1)
    token, _ = issue('alice', 'A')
    assert tokens.validate(token) is not None  # now cached too
    time.sleep(1.1)
    assert tokens.validate(token) is None
    tokens.invalidate_cache()
    assert tokens.validate(token) is None


def test_expired_tokens_are_purged_when_a_token_is_issued(accounts, issue):
    CONF.set_override('token_expiration', 1)
    _, old = issue('alice', 'A')
    time.sleep(1.1)
    issue('bob', 'A')
    with pytest.raises(exception.TokenNotFound):
        db.token_get_with_names(accounts.ctx, old.id)


def test_revoke_takes_effect_at_once_in_this_process(issue):
    token, _ = issue('alice', 'A')
    assert tokens.validate(token) is not None
    tokens.revoke(token)
    assert tokens.validate(token) is None
    with pytest.raises(exception.TokenNotFound):
        tokens.revoke('never-issued')


def test_other_processes_revocations_are_seen_at_once(accounts, issue):
    CONF.set_override('token_cache_ttl', 3600)
    token, info = issue('alice', 'A')
    assert tokens.validate(token) is not None  # remembered now
    db.token_revoke(accounts.ctx, info.id)  # as another process would
    assert tokens.validate(token) is None


def test_a_remembered_token_costs_one_revocation_read(accounts, issue):
    CONF.set_override('token_cache_ttl', 3600)
    token, _info = issue('alice', 'A')
    tokens.validate(token)
    with compute_helpers.count_statements() as statements:
        assert tokens.validate(token).user_name == 'alice'
    reads = compute_helpers.queries(statements)
    assert len(reads) == 1 and 'revoked' in reads[0] and 'JOIN' not in reads[0]


def test_no_cache_with_zero_ttl(accounts, issue):
    CONF.set_override('token_cache_ttl', 0)
    token, info = issue('alice', 'A')
    assert tokens.validate(token) is not None
    db.token_revoke(accounts.ctx, info.id)
    assert tokens.validate(token) is None


def test_cache_stays_bounded(monkeypatch, accounts, issue):
    monkeypatch.setattr(tokens, 'CACHE_SIZE', 3)
    issued = [issue('alice', 'A')[0] for _ in range(5)]
    for token in issued:
        assert tokens.validate(token) is not None
    assert len(tokens._cache._entries) <= 3


def test_context_from_token(issue):
    token, info = issue('root', 'ops')
    ctx = tokens.context_from_token(info, request_id='req-42')
    assert (ctx.user_id, ctx.project_id, ctx.user_name, ctx.project_name) == (
        info.user_id, info.project_id, 'root', 'ops')
    assert ctx.roles == ['admin', 'manager', 'member', 'reader'] and ctx.is_admin
    assert ctx.auth_token == token and ctx.request_id == 'req-42'
    assert nova_context.get_current() is ctx
    _, member = issue('alice', 'A')
    assert not tokens.context_from_token(member).is_admin


def test_rescoped_token_method(accounts, issue):
    _, first = issue('alice')
    token, info = tokens.issue(accounts.users['alice'], accounts.projects['A'],
                               methods=['token'])
    assert info.methods == ('token',) and tokens.validate(token).methods == ('token',)
    assert info.audit_id != first.audit_id
