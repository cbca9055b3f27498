"""Identity in SQL: users, projects, role assignments, EC2 credentials, tokens.

Deleting a user or a project deletes what hangs off it (role assignments,
credentials, tokens) in the same transaction. Who may do what is the caller's
business (nova.auth.manager and the identity API).
"""
import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import auth_models as models
from nova.db import errors
from nova.db import query
from nova.db import session as db_session

User = models.User
Project = models.Project
Role = models.Role
UserProjectRole = models.UserProjectRole
Ec2Credential = models.Ec2Credential
Token = models.Token


def _get(model, not_found, *criteria):
    with db_session.reader() as session:
        return query.first(session, sa.select(model).where(*criteria), not_found)


def _update(model, row_id, values, not_found):
    with db_session.writer() as session:
        row = query.first(session, sa.select(model).where(model.id == row_id), not_found)
        row.update(values)
    return row


def _delete(session, model, *criteria):
    session.execute(sa.delete(model).where(*criteria).execution_options(
        synchronize_session=False))


# ------------------------------------------------------------------- users

def user_create(context, values):
    """A new user; UserExists when the name is taken."""
    user = User(**values)
    with errors.duplicate_raises(lambda: exception.UserExists(name=values.get('name'))):
        with db_session.writer() as session:
            session.add(user)
    return user


def user_get(context, user_id):
    return _get(User, lambda: exception.UserNotFound(user_id=user_id), User.id == user_id)


def user_get_by_name(context, name):
    return _get(User, lambda: exception.UserNotFound(user_id=name), User.name == name)


def user_get_by_email(context, email):
    """The first user (by name) with that e-mail address; UserNotFound."""
    with db_session.reader() as session:
        found = session.scalars(sa.select(User).where(User.email == email)
                                .order_by(User.name).limit(1)).first()
    if found is None:
        raise exception.UserNotFound(user_id=email)
    return found


def user_get_all(context):
    with db_session.reader() as session:
        return list(session.scalars(sa.select(User).order_by(User.name)))


def user_update(context, user_id, values):
    """Change columns; UserExists when renamed to a name that is taken."""
    with errors.duplicate_raises(lambda: exception.UserExists(name=values.get('name'))):
        return _update(User, user_id, values, lambda: exception.UserNotFound(user_id=user_id))


def user_destroy(context, user_id):
    """Delete the user with its role assignments, credentials and tokens."""
    with db_session.writer() as session:
        query.first(session, sa.select(User.id).where(User.id == user_id),
                    lambda: exception.UserNotFound(user_id=user_id))
        for model in (UserProjectRole, Ec2Credential, Token):
            _delete(session, model, model.user_id == user_id)
        _delete(session, User, User.id == user_id)


# ---------------------------------------------------------------- projects

def project_create(context, values):
    """A new project; ProjectExists when the name is taken."""
    project = Project(**values)
    with errors.duplicate_raises(lambda: exception.ProjectExists(name=values.get('name'))):
        with db_session.writer() as session:
            session.add(project)
    return project


def project_get(context, project_id):
    return _get(Project, lambda: exception.ProjectNotFound(project_id=project_id),
                Project.id == project_id)


def project_get_by_name(context, name):
    return _get(Project, lambda: exception.ProjectNotFound(project_id=name),
                Project.name == name)


def project_get_all(context, name=None):
    stmt = sa.select(Project).order_by(Project.name)
    if name is not None:
        stmt = stmt.where(Project.name == name)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def project_get_all_by_user(context, user_id):
    """The projects on which the user has at least one role."""
    has_role = sa.select(UserProjectRole.id).where(
        UserProjectRole.project_id == Project.id, UserProjectRole.user_id == user_id).exists()
    with db_session.reader() as session:
        return list(session.scalars(sa.select(Project).where(has_role).order_by(Project.name)))


def project_update(context, project_id, values):
    """Change columns; ProjectExists when renamed to a name that is taken."""
    with errors.duplicate_raises(lambda: exception.ProjectExists(name=values.get('name'))):
        return _update(Project, project_id, values,
                       lambda: exception.ProjectNotFound(project_id=project_id))


def project_destroy(context, project_id):
    """Delete the project with its role assignments, credentials and tokens."""
    with db_session.writer() as session:
        query.first(session, sa.select(Project.id).where(Project.id == project_id),
                    lambda: exception.ProjectNotFound(project_id=project_id))
        for model in (UserProjectRole, Ec2Credential, Token):
            _delete(session, model, model.project_id == project_id)
        session.execute(sa.update(User).where(User.default_project_id == project_id)
                        .values(default_project_id=None)
                        .execution_options(synchronize_session=False))
        _delete(session, Project, Project.id == project_id)


# ------------------------------------------------------------------- roles

def role_get_by_name(context, name):
    return _get(Role, lambda: exception.RoleNotFound(role_id=name), Role.name == name)


def role_get(context, role_id):
    return _get(Role, lambda: exception.RoleNotFound(role_id=role_id), Role.id == role_id)


def role_get_all(context):
    with db_session.reader() as session:
        return list(session.scalars(sa.select(Role).order_by(Role.name)))


def role_create(context, name):
    """A new role; RoleExists when the name is taken."""
    role = Role(name=name)
    with errors.duplicate_raises(lambda: exception.RoleExists(name=name)):
        with db_session.writer() as session:
            session.add(role)
    return role


def role_destroy(context, role_id):
    """Delete the role with its assignments; the tokens of its holders are revoked."""
    with db_session.writer() as session:
        query.first(session, sa.select(Role.id).where(Role.id == role_id),
                    lambda: exception.RoleNotFound(role_id=role_id))
        holders = sa.select(UserProjectRole.user_id).where(UserProjectRole.role_id == role_id)
        session.execute(sa.update(Token).where(Token.user_id.in_(holders))
                        .values(revoked=True).execution_options(synchronize_session=False))
        _delete(session, UserProjectRole, UserProjectRole.role_id == role_id)
        _delete(session, Role, Role.id == role_id)


def role_assignment_get_all(context, user_id=None, project_id=None, role_id=None):
    """[(UserProjectRole, user name, project name, role name)] matching the filters,
    ordered by user, project and role name."""
    stmt = (sa.select(UserProjectRole, User.name, Project.name, Role.name)
            .join(User, User.id == UserProjectRole.user_id)
            .join(Project, Project.id == UserProjectRole.project_id)
            .join(Role, Role.id == UserProjectRole.role_id)
            .order_by(User.name, Project.name, Role.name))
    for column, value in ((UserProjectRole.user_id, user_id),
                          (UserProjectRole.project_id, project_id),
                          (UserProjectRole.role_id, role_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    with db_session.reader() as session:
        return [tuple(row) for row in session.execute(stmt)]


def user_role_add(context, user_id, project_id, role_id):
    """Grant a role; granting one the user already has changes nothing."""
    try:
        with db_session.writer() as session:
            session.add(UserProjectRole(user_id=user_id, project_id=project_id,
                                        role_id=role_id))
    except sa.exc.IntegrityError as e:
        if not errors.is_duplicate(e):
            raise


def user_role_remove(context, user_id, project_id, role_id=None):
    """Take one role (or, role_id None, every role) away and revoke the user's
    tokens on the project. Returns how many assignments were removed."""
    criteria = [UserProjectRole.user_id == user_id, UserProjectRole.project_id == project_id]
    if role_id is not None:
        criteria.append(UserProjectRole.role_id == role_id)
    with db_session.writer() as session:
        removed = session.execute(sa.delete(UserProjectRole).where(*criteria)
                                  .execution_options(synchronize_session=False)).rowcount
        if removed:
            session.execute(sa.update(Token)
                            .where(Token.user_id == user_id, Token.project_id == project_id)
                            .values(revoked=True)
                            .execution_options(synchronize_session=False))
    return removed


def user_roles_get(context, user_id, project_id):
    """The roles assigned to the user on the project (not the implied ones)."""
    stmt = (sa.select(Role).join(UserProjectRole, UserProjectRole.role_id == Role.id)
            .where(UserProjectRole.user_id == user_id, UserProjectRole.project_id == project_id)
            .order_by(Role.name))
    with db_session.reader() as session:
        return list(session.scalars(stmt))


# ---------------------------------------------------------- ec2 credentials

def ec2_credential_create(context, values):
    credential = Ec2Credential(**values)
    with db_session.writer() as session:
        session.add(credential)
    return credential


def ec2_credential_get_by_access(context, access):
    return _get(Ec2Credential, lambda: exception.Ec2CredentialNotFound(access=access),
                Ec2Credential.access == access)


def ec2_credential_get_all(context, user_id=None):
    stmt = sa.select(Ec2Credential).order_by(Ec2Credential.id)
    if user_id is not None:
        stmt = stmt.where(Ec2Credential.user_id == user_id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def ec2_credential_destroy(context, access):
    with db_session.writer() as session:
        deleted = session.execute(sa.delete(Ec2Credential).where(Ec2Credential.access == access)
                                  .execution_options(synchronize_session=False)).rowcount
    if not deleted:
        raise exception.Ec2CredentialNotFound(access=access)


# ------------------------------------------------------------------ tokens

def token_create(context, values):
    """Store a token and drop the expired ones (nothing can use them any more)."""
    token = Token(**values)
    with db_session.writer() as session:
        _delete(session, Token, Token.expires_at < utils.utcnow())
        session.add(token)
    return token


def token_get_with_names(context, token_id):
    """(token, user name, project name or None); TokenNotFound when unknown."""
    stmt = (sa.select(Token, User.name, Project.name)
            .join(User, User.id == Token.user_id)
            .outerjoin(Project, Project.id == Token.project_id)
            .where(Token.id == token_id))
    with db_session.reader() as session:
        row = session.execute(stmt).first()
    if row is None:
        raise exception.TokenNotFound()
    return tuple(row)


# built once: every API request runs it (its construction cost more than its run)
_TOKEN_REVOKED = sa.select(Token.revoked).where(Token.id == sa.bindparam('b_id',
                                                                          type_=sa.String))


def token_is_live(context, token_id):
    """Whether the token is still stored and not revoked: one primary-key read,
    so that every API process sees a revocation at once."""
    with db_session.connection(one_statement=True) as conn:
        revoked = conn.execute(_TOKEN_REVOKED, {'b_id': token_id}).scalar()
    return revoked is not None and not revoked


def token_revoke(context, token_id):
    with db_session.writer() as session:
        revoked = session.execute(sa.update(Token).where(Token.id == token_id)
                                  .values(revoked=True)
                                  .execution_options(synchronize_session=False)).rowcount
    if not revoked:
        raise exception.TokenNotFound()


def token_revoke_all(context, user_id=None, project_id=None):
    """Revoke every token of a user, or of a project (disabled, password changed)."""
    criteria = []
    if user_id is not None:
        criteria.append(Token.user_id == user_id)
    if project_id is not None:
        criteria.append(Token.project_id == project_id)
    if not criteria:
        raise ValueError('token_revoke_all needs a user_id or a project_id')
    with db_session.writer() as session:
        session.execute(sa.update(Token).where(*criteria).values(revoked=True)
                        .execution_options(synchronize_session=False))


__all__ = ['user_create', 'user_get', 'user_get_by_name', 'user_get_by_email',
           'user_get_all', 'user_update', 'user_destroy', 'project_create', 'project_get',
           'project_get_by_name',
           'project_get_all', 'project_get_all_by_user', 'project_update', 'project_destroy',
           'role_get_by_name', 'role_get', 'role_get_all', 'role_create', 'role_destroy',
           'role_assignment_get_all', 'user_role_add', 'user_role_remove',
           'user_roles_get', 'ec2_credential_create', 'ec2_credential_get_by_access',
           'ec2_credential_get_all', 'ec2_credential_destroy', 'token_create',
           'token_get_with_names', 'token_is_live', 'token_revoke', 'token_revoke_all']
