"""The auth manager: users, projects, roles, EC2 credentials, authentication."""
import pytest

from nova import exception
from nova.auth import manager
from nova.auth import tokens
from nova.db import api as db
from tests.unit.auth.conftest import PASSWORD


def test_users_are_created_found_and_listed(db_ctx):
    user = manager.create_user(db_ctx, 'ann', 'pw', email='ann@example.org')
    assert len(user.id) == 32 and user.enabled and user.password_hash.startswith('scrypt$')
    assert manager.get_user(db_ctx, user.id).name == 'ann'
    assert manager.get_user_by_name(db_ctx, 'ann').id == user.id
    assert manager.find_user(db_ctx, user.id).id == manager.find_user(db_ctx, 'ann').id
    assert [u.name for u in manager.list_users(db_ctx)] == ['ann']
    with pytest.raises(exception.UserExists):
        manager.create_user(db_ctx, 'ann')
    with pytest.raises(exception.UserNotFound):
        manager.find_user(db_ctx, 'nobody')
    with pytest.raises(exception.InvalidInput):
        manager.create_user(db_ctx, ' ')


def test_authenticate_by_name_or_id(accounts):
    alice = accounts.users['alice']
    assert manager.authenticate('alice', PASSWORD).id == alice.id
    assert manager.authenticate(alice.id, PASSWORD).id == alice.id


def test_authentication_failures_look_alike(accounts):
    with pytest.raises(exception.AuthenticationFailed) as wrong:
        manager.authenticate('alice', 'wrong')
    with pytest.raises(exception.AuthenticationFailed) as unknown:
        manager.authenticate('mallory', 'wrong')
    assert wrong.value.code == unknown.value.code == 401
    assert str(wrong.value) == str(unknown.value) == 'Invalid username or password.'
    with pytest.raises(exception.AuthenticationFailed):
        manager.authenticate('alice', '')


def test_user_without_password_cannot_log_in(db_ctx):
    manager.create_user(db_ctx, 'svc')
    with pytest.raises(exception.AuthenticationFailed):
        manager.authenticate('svc', '')


def test_disabled_user_is_refused_after_the_password_check(accounts):
    manager.update_user(accounts.ctx, accounts.users['alice'].id, enabled=False)
    with pytest.raises(exception.UserDisabled):
        manager.authenticate('alice', PASSWORD)
    with pytest.raises(exception.AuthenticationFailed):
        manager.authenticate('alice', 'wrong')


def test_password_change_revokes_tokens(accounts, issue):
    token, _ = issue('alice', 'A')
    manager.update_user(accounts.ctx, accounts.users['alice'].id, password='new one')
    assert tokens.validate(token) is None
    assert manager.authenticate('alice', 'new one')
    with pytest.raises(exception.AuthenticationFailed):
        manager.authenticate('alice', PASSWORD)


def test_delete_user_removes_roles_credentials_and_tokens(accounts, issue):
    ctxt, alice, project = accounts.ctx, accounts.users['alice'], accounts.projects['A']
    credential = manager.create_ec2_credentials(ctxt, alice.id, project.id)
    token, _ = issue('alice', 'A')
    manager.delete_user(ctxt, alice.id)
    assert tokens.validate(token) is None
    assert manager.get_roles(ctxt, alice.id, project.id) == []
    with pytest.raises(exception.Ec2CredentialNotFound):
        manager.get_ec2_credentials(ctxt, credential.access)
    with pytest.raises(exception.UserNotFound):
        manager.delete_user(ctxt, alice.id)
    manager.create_user(ctxt, 'alice')  # the name is free again


def test_projects_crud(db_ctx):
    project = manager.create_project(db_ctx, 'web', 'the web team')
    assert (project.domain_id, project.enabled) == ('default', True)
    assert manager.find_project(db_ctx, 'web').id == project.id
    assert manager.find_project(db_ctx, project.id).description == 'the web team'
    manager.update_project(db_ctx, project.id, name='www', description='renamed')
    assert manager.get_project_by_name(db_ctx, 'www').description == 'renamed'
    assert [p.name for p in manager.list_projects(db_ctx, name='www')] == ['www']
    with pytest.raises(exception.ProjectExists):
        manager.create_project(db_ctx, 'www')
    manager.delete_project(db_ctx, project.id)
    with pytest.raises(exception.ProjectNotFound):
        manager.get_project(db_ctx, project.id)


def test_delete_project_clears_assignments_and_default_project(accounts, issue):
    ctxt, project = accounts.ctx, accounts.projects['A']
    token, _ = issue('alice', 'A')
    manager.delete_project(ctxt, project.id)
    assert tokens.validate(token) is None
    assert manager.get_user(ctxt, accounts.users['alice'].id).default_project_id is None
    assert manager.list_user_projects(ctxt, accounts.users['alice'].id) == []


def test_disabling_a_project_revokes_its_tokens(accounts, issue):
    token, _ = issue('alice', 'A')
    other, _ = issue('dave', 'B')
    manager.update_project(accounts.ctx, accounts.projects['A'].id, enabled=False)
    assert tokens.validate(token) is None
    assert tokens.validate(other) is not None


def test_membership_is_having_a_role(accounts):
    ctxt, ann = accounts.ctx, manager.create_user(accounts.ctx, 'ann')
    project = accounts.projects['B']
    manager.add_user_to_project(ctxt, ann.id, project.id)
    manager.add_user_to_project(ctxt, ann.id, project.id)  # twice is harmless
    assert [r.name for r in manager.get_roles(ctxt, ann.id, project.id)] == ['member']
    assert [p.name for p in manager.list_user_projects(ctxt, ann.id)] == ['B']
    manager.remove_user_from_project(ctxt, ann.id, project.id)
    assert manager.list_user_projects(ctxt, ann.id) == []
    with pytest.raises(exception.RoleAssignmentNotFound):
        manager.remove_user_from_project(ctxt, ann.id, project.id)


def test_roles_imply_lesser_roles(accounts):
    ctxt, root, ops = accounts.ctx, accounts.users['root'], accounts.projects['ops']
    assert [r.name for r in manager.list_roles(ctxt)] == [
        'admin', 'manager', 'member', 'reader', 'service']
    assert all(manager.has_role(ctxt, root.id, ops.id, r)
               for r in ('admin', 'manager', 'member', 'reader'))
    bob, a = accounts.users['bob'], accounts.projects['A']
    assert manager.has_role(ctxt, bob.id, a.id, 'reader')
    assert not manager.has_role(ctxt, bob.id, a.id, 'member')
    assert not manager.has_role(ctxt, bob.id, ops.id, 'reader')


def test_role_add_and_remove(accounts, issue):
    ctxt, bob, a = accounts.ctx, accounts.users['bob'], accounts.projects['A']
    manager.add_role(ctxt, bob.id, a.id, 'member')
    assert manager.has_role(ctxt, bob.id, a.id, 'member')
    token, _ = issue('bob', 'A')
    manager.remove_role(ctxt, bob.id, a.id, 'member')
    assert tokens.validate(token) is None  # the grant it carried is gone
    assert manager.has_role(ctxt, bob.id, a.id, 'reader')
    with pytest.raises(exception.RoleAssignmentNotFound):
        manager.remove_role(ctxt, bob.id, a.id, 'member')
    with pytest.raises(exception.RoleNotFound):
        manager.add_role(ctxt, bob.id, a.id, 'superuser')
    with pytest.raises(exception.UserNotFound):
        manager.add_role(ctxt, 'nobody', a.id, 'member')


def test_ec2_credentials(accounts):
    ctxt, alice, a = accounts.ctx, accounts.users['alice'], accounts.projects['A']
    credential = manager.create_ec2_credentials(ctxt, alice.id, a.id)
    assert len(credential.access) == 20 and len(credential.secret) == 40
    found = manager.get_ec2_credentials(ctxt, credential.access)
    assert (found.secret, found.user_id, found.project_id) == (credential.secret, alice.id,
                                                                a.id)
    second = manager.create_ec2_credentials(ctxt, alice.id, a.id)
    assert second.access != credential.access
    assert len(manager.list_ec2_credentials(ctxt, alice.id)) == 2
    assert len(manager.list_ec2_credentials(ctxt)) == 2
    manager.delete_ec2_credentials(ctxt, credential.access)
    with pytest.raises(exception.Ec2CredentialNotFound):
        manager.delete_ec2_credentials(ctxt, credential.access)
    with pytest.raises(exception.ProjectAccessDenied):
        manager.create_ec2_credentials(ctxt, alice.id, accounts.projects['B'].id)


def test_user_context_for_ec2_and_s3(accounts):
    alice, a = accounts.users['alice'], accounts.projects['A']
    ctx = manager.user_context(alice.id, a.id, request_id='req-1')
    assert (ctx.user_id, ctx.project_id, ctx.user_name, ctx.project_name) == (
        alice.id, a.id, 'alice', 'A')
    assert ctx.roles == ['member', 'reader'] and not ctx.is_admin
    assert ctx.request_id == 'req-1'
    root, ops = accounts.users['root'], accounts.projects['ops']
    assert manager.user_context(root.id, ops.id).is_admin
    with pytest.raises(exception.ProjectAccessDenied):
        manager.user_context(alice.id, accounts.projects['B'].id)
    manager.update_project(accounts.ctx, a.id, enabled=False)
    with pytest.raises(exception.ProjectDisabled):
        manager.user_context(alice.id, a.id)


def test_db_token_revoke_all_needs_a_target(db_ctx):
    with pytest.raises(ValueError):
        db.token_revoke_all(db_ctx)
