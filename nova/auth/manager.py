"""The auth manager: users, projects, roles, EC2 credentials, password checks.

Membership of a project is having a role on it: 'member' to act, 'reader' to
look, 'admin' to administer the cloud (the classic global admin flag is the
admin role on a project). Roles imply others as Keystone's defaults do: admin
implies member, member implies reader; tokens and contexts carry the
implied roles too, so policy rules test one role name.

Functions take the caller's context first, as nova.db.api does; who may call
them is decided by the front ends (the identity API, nova-manage).
"""
import logging

from nova import context as nova_context
from nova import exception
from nova.auth import passwords
from nova.auth import roles as auth_roles
from nova.auth import tokens
from nova.db import api as db

LOG = logging.getLogger(__name__)

ACCESS_KEY_LENGTH = 20
SECRET_KEY_LENGTH = 40


def _find(by_name, by_id, ref, not_found):
    """A row by name, else by id (command lines accept either)."""
    try:
        return by_name(ref)
    except not_found:
        return by_id(ref)


# ------------------------------------------------------------------- users

def create_user(context, name, password=None, email=None, enabled=True,
                default_project_id=None, description=None):
    """A new user; a user without a password cannot log in (EC2 keys still work)."""
    if not name or not name.strip():
        raise exception.InvalidInput(reason='a user needs a name')
    if default_project_id is not None:
        db.project_get(context, default_project_id)
    return db.user_create(context, {
        'name': name, 'email': email, 'enabled': enabled, 'description': description,
        'default_project_id': default_project_id,
        'password_hash': passwords.hash_password(password) if password else None})


def get_user(context, user_id):
    return db.user_get(context, user_id)


def get_user_by_name(context, name):
    return db.user_get_by_name(context, name)


def find_user_by_email(context, email):
    """The user with that e-mail address (S3 grants by emailAddress), or None."""
    try:
        return db.user_get_by_email(context, email)
    except exception.UserNotFound:
        return None


def find_user(context, name_or_id):
    return _find(lambda ref: db.user_get_by_name(context, ref),
                 lambda ref: db.user_get(context, ref), name_or_id, exception.UserNotFound)


def list_users(context):
    return db.user_get_all(context)


def update_user(context, user_id, name=None, password=None, email=None, enabled=None,
                default_project_id=None, description=None):
    """Change what is given; a new password or disabling revokes the user's tokens."""
    if default_project_id is not None:
        db.project_get(context, default_project_id)
    values = {key: value for key, value in (
        ('name', name), ('email', email), ('enabled', enabled), ('description', description),
        ('default_project_id', default_project_id)) if value is not None}
    if password is not None:
        values['password_hash'] = passwords.hash_password(password)
    user = db.user_update(context, user_id, values)
    if password is not None or enabled is False:
        db.token_revoke_all(context, user_id=user_id)
        tokens.invalidate_cache()
    return user


def change_password(user_id, original_password, password):
    """A user's own password change: AuthenticationFailed unless original_password is
    the current one; the user's tokens are revoked."""
    ctxt = nova_context.get_admin_context()
    user = authenticate(user_id, original_password)
    return update_user(ctxt, user.id, password=password)


def delete_user(context, user_id):
    """Delete the user, its roles, credentials and tokens."""
    db.user_destroy(context, user_id)
    tokens.invalidate_cache()


# ---------------------------------------------------------------- projects

def create_project(context, name, description=None, enabled=True):
    if not name or not name.strip():
        raise exception.InvalidInput(reason='a project needs a name')
    return db.project_create(context, {'name': name, 'description': description,
                                       'enabled': enabled})


def get_project(context, project_id):
    return db.project_get(context, project_id)


def get_project_by_name(context, name):
    return db.project_get_by_name(context, name)


def find_project(context, name_or_id):
    return _find(lambda ref: db.project_get_by_name(context, ref),
                 lambda ref: db.project_get(context, ref), name_or_id,
                 exception.ProjectNotFound)


def list_projects(context, name=None):
    return db.project_get_all(context, name=name)


def list_user_projects(context, user_id):
    """The projects on which the user has a role."""
    return db.project_get_all_by_user(context, user_id)


def update_project(context, project_id, name=None, description=None, enabled=None):
    """Change what is given; disabling revokes every token scoped to the project."""
    values = {key: value for key, value in (
        ('name', name), ('description', description), ('enabled', enabled))
        if value is not None}
    project = db.project_update(context, project_id, values)
    if enabled is False:
        db.token_revoke_all(context, project_id=project_id)
        tokens.invalidate_cache()
    return project


def delete_project(context, project_id):
    """Delete the project with its role assignments, credentials and tokens.

    Resources the project owns (instances, images) are not touched here.
    """
    db.project_destroy(context, project_id)
    tokens.invalidate_cache()


# ------------------------------------------------------------------- roles

def list_roles(context):
    return db.role_get_all(context)


def get_role_by_name(context, name):
    return db.role_get_by_name(context, name)


def get_role(context, role_id):
    return db.role_get(context, role_id)


def find_role(context, name_or_id):
    return _find(lambda ref: db.role_get_by_name(context, ref),
                 lambda ref: db.role_get(context, ref), name_or_id, exception.RoleNotFound)


def create_role(context, name):
    if not name or not name.strip():
        raise exception.InvalidInput(reason='a role needs a name')
    return db.role_create(context, name)


def delete_role(context, role_id):
    """Delete a role an administrator added, with its assignments; the built-in
    roles (admin, manager, member, reader, service) are what policies test: refused."""
    role = db.role_get(context, role_id)
    if role.name in auth_roles.BUILT_IN:
        raise exception.Forbidden(reason='the built-in role %s cannot be deleted' % role.name)
    db.role_destroy(context, role.id)
    tokens.invalidate_cache()


def list_role_assignments(context, user_id=None, project_id=None, role_id=None):
    """[(assignment, user name, project name, role name)] matching the filters."""
    return db.role_assignment_get_all(context, user_id=user_id, project_id=project_id,
                                      role_id=role_id)


def add_role(context, user_id, project_id, role):
    """Grant role (a name) to the user on the project; granting twice is harmless."""
    db.user_get(context, user_id)
    db.project_get(context, project_id)
    db.user_role_add(context, user_id, project_id, db.role_get_by_name(context, role).id)


def remove_role(context, user_id, project_id, role):
    """Take a role away; the user's tokens on the project are revoked."""
    removed = db.user_role_remove(context, user_id, project_id,
                                  db.role_get_by_name(context, role).id)
    if not removed:
        raise exception.RoleAssignmentNotFound(user_id=user_id, project_id=project_id,
                                               role_id=role)
    tokens.invalidate_cache()


def get_roles(context, user_id, project_id):
    """The Role rows assigned to the user on the project (implied ones not included)."""
    return db.user_roles_get(context, user_id, project_id)


def has_role(context, user_id, project_id, role):
    """Whether the user holds role on the project, directly or implied."""
    names = [r.name for r in db.user_roles_get(context, user_id, project_id)]
    return role in auth_roles.effective_roles(names)


def add_user_to_project(context, user_id, project_id, role=auth_roles.MEMBER):
    add_role(context, user_id, project_id, role)


def remove_user_from_project(context, user_id, project_id):
    """Take every role on the project away; RoleAssignmentNotFound if there was none."""
    if not db.user_role_remove(context, user_id, project_id):
        raise exception.RoleAssignmentNotFound(user_id=user_id, project_id=project_id,
                                               role_id='(any)')
    tokens.invalidate_cache()


# --------------------------------------------------------- ec2 credentials

def create_ec2_credentials(context, user_id, project_id):
    """A new random access key and secret for the user in a project it has a role on."""
    if not db.user_roles_get(context, user_id, project_id):
        raise exception.ProjectAccessDenied(user_id=user_id, project_id=project_id)
    return db.ec2_credential_create(context, {
        'access': passwords.generate_key(ACCESS_KEY_LENGTH),
        'secret': passwords.generate_password(SECRET_KEY_LENGTH),
        'user_id': user_id, 'project_id': project_id})


def list_ec2_credentials(context, user_id=None):
    return db.ec2_credential_get_all(context, user_id=user_id)


def get_ec2_credentials(context, access):
    """The credential (access, secret, user_id, project_id); Ec2CredentialNotFound."""
    return db.ec2_credential_get_by_access(context, access)


def delete_ec2_credentials(context, access):
    db.ec2_credential_destroy(context, access)


# --------------------------------------------------------- authentication

def authenticate(user, password):
    """The User row for a user name (or id) and its password.

    AuthenticationFailed for an unknown user or a wrong password alike (both
    cost one hash, so neither answers faster); UserDisabled only once the
    password was right.
    """
    ctxt = nova_context.get_admin_context()
    try:
        found = find_user(ctxt, user)
    except exception.UserNotFound:
        passwords.burn_time(password or '')
        LOG.info('Authentication failed: no user %s', user)
        raise exception.AuthenticationFailed()
    if not password or not passwords.verify_password(password, found.password_hash):
        LOG.info('Authentication failed: wrong password for user %s', found.id)
        raise exception.AuthenticationFailed()
    if not found.enabled:
        raise exception.UserDisabled(user_id=found.id)
    return found


def user_context(user_id, project_id, **kwargs):
    """A RequestContext for a user acting in a project (EC2 and S3 requests).

    UserDisabled, ProjectDisabled, or ProjectAccessDenied when the user has no
    role there; kwargs go to RequestContext (request_id, remote_address).
    """
    ctxt = nova_context.get_admin_context()
    user = db.user_get(ctxt, user_id)
    project = db.project_get(ctxt, project_id)
    if not user.enabled:
        raise exception.UserDisabled(user_id=user_id)
    if not project.enabled:
        raise exception.ProjectDisabled(project_id=project_id)
    roles = auth_roles.effective_roles(
        r.name for r in db.user_roles_get(ctxt, user_id, project_id))
    if not roles:
        raise exception.ProjectAccessDenied(user_id=user_id, project_id=project_id)
    return nova_context.RequestContext(
        user_id=user_id, project_id=project_id, roles=roles, user_name=user.name,
        project_name=project.name, **kwargs)
