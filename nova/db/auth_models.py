"""Identity tables: users, projects, roles, who has which role where, EC2 keys, tokens.

Identity rows are deleted for real (no ``deleted`` marker): a deleted user's
name may be taken again at once and nothing should authenticate as it. Ids are
uuid4 hex strings, as Keystone's are.
"""
import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, JSONEncoded, TimestampBase

DEFAULT_DOMAIN_ID = 'default'


def new_id():
    return uuid.uuid4().hex


class User(Base, TimestampBase):
    """A person or service that logs in; ``password_hash`` is an scrypt record."""

    __tablename__ = 'users'
    __table_args__ = (sa.UniqueConstraint('name', name='uniq_users0name'),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(255))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    default_project_id: Mapped[str | None] = mapped_column(sa.String(32))


class Project(Base, TimestampBase):
    """A tenant: owns instances, images, quotas; users act in it through roles."""

    __tablename__ = 'projects'
    __table_args__ = (sa.UniqueConstraint('name', name='uniq_projects0name'),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    domain_id: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_DOMAIN_ID)


class Role(Base, TimestampBase):
    """A named set of rights that policy rules test ('admin', 'manager', 'member',
    'reader', 'service'; an administrator may add more)."""

    __tablename__ = 'roles'
    __table_args__ = (sa.UniqueConstraint('name', name='uniq_roles0name'),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(255))


class UserProjectRole(Base, TimestampBase):
    """One role of one user on one project."""

    __tablename__ = 'user_project_roles'
    __table_args__ = (
        sa.UniqueConstraint('user_id', 'project_id', 'role_id',
                            name='uniq_user_project_roles0user_id0project_id0role_id'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('users.id'))
    project_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('projects.id'),
                                            index=True)
    role_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('roles.id'))


class Ec2Credential(Base, TimestampBase):
    """An access key and its secret: what EC2 and S3 requests are signed with."""

    __tablename__ = 'ec2_credentials'
    __table_args__ = (sa.UniqueConstraint('access', name='uniq_ec2_credentials0access'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    access: Mapped[str] = mapped_column(sa.String(20))
    secret: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('users.id'), index=True)
    project_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('projects.id'),
                                            index=True)


class Token(Base):
    """An issued token, keyed by the SHA-256 of its string (the string is never stored).

    ``roles`` is the list of {id, name} the token carries (implied roles
    included), fixed when it is issued.
    """

    __tablename__ = 'tokens'

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey('users.id'), index=True)
    project_id: Mapped[str | None] = mapped_column(sa.String(32), sa.ForeignKey('projects.id'),
                                                   index=True)
    roles: Mapped[list] = mapped_column(JSONEncoded)
    methods: Mapped[str] = mapped_column(sa.String(255))
    audit_id: Mapped[str] = mapped_column(sa.String(32))
    issued_at: Mapped[datetime.datetime]
    expires_at: Mapped[datetime.datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(default=False)


__all__ = ['User', 'Project', 'Role', 'UserProjectRole', 'Ec2Credential', 'Token']
