"""Tables of the EC2 API: id mappings, RunInstances client tokens, security groups.

EC2 ids (``i-0000001a``) are the integer key of an ``ec2_ids`` row rendered in
hex; a row is never deleted, so an id is never reused for another resource.
Security groups and their ingress rules are kept per project; the network
work enforces them. Rule columns are NOT NULL (empty string, -1) so that the
unique constraint catches a duplicate rule even under concurrent requests.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, NovaBase, Revisioned, TimestampBase, revision_number

__all__ = ['Ec2Id', 'Ec2ClientToken', 'SecurityGroup', 'SecurityGroupRule']


class Ec2Id(Base, TimestampBase):
    """An EC2 id: kind ('i', 'ami', 'sg', 'vol', ...) and the resource's uuid."""

    __tablename__ = 'ec2_ids'
    __table_args__ = (
        sa.UniqueConstraint('kind', 'uuid', name='uniq_ec2_ids0kind0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    uuid: Mapped[str] = mapped_column(sa.String(36))


class Ec2ClientToken(Base, TimestampBase):
    """A RunInstances ClientToken: the reservation it made, and what was asked."""

    __tablename__ = 'ec2_client_tokens'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'client_token',
                            name='uniq_ec2_client_tokens0project_id0client_token'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    client_token: Mapped[str] = mapped_column(sa.String(64))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    reservation_id: Mapped[str | None] = mapped_column(sa.String(255))


class SecurityGroup(Revisioned, Base, NovaBase):
    """A named set of ingress rules of a project; instances name their groups."""

    __tablename__ = 'security_groups'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_security_groups0uuid'),
        sa.UniqueConstraint('project_id', 'name', 'deleted',
                            name='uniq_security_groups0project_id0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.String(255), default='')
    project_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    revision_number: Mapped[int] = revision_number()

    rules: Mapped[list['SecurityGroupRule']] = orm.relationship(
        primaryjoin=lambda: sa.and_(
            SecurityGroup.id == orm.foreign(SecurityGroupRule.parent_group_id),
            SecurityGroupRule.deleted == 0),
        viewonly=True, lazy='selectin', order_by=lambda: SecurityGroupRule.id)


class SecurityGroupRule(Base, NovaBase):
    """Ingress from a CIDR or from the members of a group (source_group_uuid).

    protocol: 'tcp', 'udp', 'icmp' or '-1' (all); ports -1 when they do not apply.
    """

    __tablename__ = 'security_group_rules'
    __table_args__ = (
        sa.UniqueConstraint(
            'parent_group_id', 'protocol', 'from_port', 'to_port', 'cidr',
            'source_group_uuid', 'deleted',
            name='uniq_security_group_rules0rule0deleted'),  # MySQL names: <= 64
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_group_id: Mapped[int] = mapped_column(sa.ForeignKey('security_groups.id'),
                                                 index=True)
    protocol: Mapped[str] = mapped_column(sa.String(16))
    from_port: Mapped[int] = mapped_column(default=-1)
    to_port: Mapped[int] = mapped_column(default=-1)
    cidr: Mapped[str] = mapped_column(sa.String(43), default='')
    source_group_uuid: Mapped[str] = mapped_column(sa.String(36), default='', index=True)
