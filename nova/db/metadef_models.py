"""Metadata definition tables (Glance's metadefs): namespaces and what they define.

A namespace (e.g. OS::Compute::Hypervisor) groups property definitions,
objects (named groups of properties) and tags, and says which resource types
(OS::Glance::Image, OS::Nova::Flavor, ...) its properties apply to. The three
kinds of definitions share one table: each row is a name and its JSON
definition. Rows are really deleted; a namespace takes its rows with it.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, TimestampBase

METADEF_VISIBILITIES = ('public', 'private')
METADEF_KINDS = ('object', 'property', 'tag')


class MetadefNamespace(Base, TimestampBase):
    __tablename__ = 'metadef_namespaces'

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(80))
    description: Mapped[str | None] = mapped_column(sa.Text)
    visibility: Mapped[str] = mapped_column(sa.String(32), default='private')
    protected: Mapped[bool] = mapped_column(default=False)
    owner: Mapped[str | None] = mapped_column(sa.String(255), index=True)


class MetadefItem(Base, TimestampBase):
    """An object, property or tag definition of a namespace."""

    __tablename__ = 'metadef_items'
    __table_args__ = (sa.UniqueConstraint('namespace_id', 'kind', 'name',
                                          name='uniq_metadef_items0namespace_id0kind0name'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace_id: Mapped[int] = mapped_column(sa.ForeignKey('metadef_namespaces.id'))
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(255))
    definition: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class MetadefResourceType(Base, TimestampBase):
    __tablename__ = 'metadef_resource_types'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    protected: Mapped[bool] = mapped_column(default=False)


class MetadefResourceTypeAssociation(Base, TimestampBase):
    """A namespace's properties apply to a resource type, under a prefix."""

    __tablename__ = 'metadef_associations'
    __table_args__ = (sa.UniqueConstraint(
        'namespace_id', 'resource_type_id',
        name='uniq_metadef_associations0namespace_id0resource_type_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace_id: Mapped[int] = mapped_column(sa.ForeignKey('metadef_namespaces.id'))
    resource_type_id: Mapped[int] = mapped_column(sa.ForeignKey('metadef_resource_types.id'))
    prefix: Mapped[str | None] = mapped_column(sa.String(80))
    properties_target: Mapped[str | None] = mapped_column(sa.String(80))


__all__ = ['MetadefNamespace', 'MetadefItem', 'MetadefResourceType',
           'MetadefResourceTypeAssociation']
