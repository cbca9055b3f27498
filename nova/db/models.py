"""SQLAlchemy models: one class per table.

Rows are soft-deleted: ``deleted`` is 0 while a row is live and takes the row's
id when it is deleted, so a unique constraint that includes ``deleted`` allows
any number of deleted copies but only one live row (as classic Nova does).
String lengths stay within what a MySQL utf8mb4 index accepts.
"""
import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from nova import utils

# deterministic constraint names, so that later migrations can refer to them
NAMING_CONVENTION = {
    'ix': '%(table_name)s_%(column_0_N_name)s_idx',
    'uq': 'uniq_%(table_name)s0%(column_0_N_name)s',
    'ck': '%(table_name)s_%(constraint_name)s_ck',
    'fk': '%(table_name)s_%(column_0_name)s_fkey',
    'pk': '%(table_name)s_pkey',
}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class NovaBase:
    """Timestamps, the soft-delete marker and plain-value access for every table."""

    created_at: Mapped[datetime.datetime] = mapped_column(default=utils.utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(onupdate=utils.utcnow)
    deleted_at: Mapped[datetime.datetime | None]
    deleted: Mapped[int] = mapped_column(default=0)

    @classmethod
    def column_names(cls):
        return sa.inspect(cls).column_attrs.keys()

    def to_dict(self):
        """Column values as plain Python values (datetimes stay datetimes)."""
        return {name: getattr(self, name) for name in self.column_names()}

    def update(self, values):
        """Set columns from a dict; a key that is not a column is a caller's bug."""
        unknown = set(values) - set(self.column_names())
        if unknown:
            raise TypeError('%s has no column %s' % (
                type(self).__name__, ', '.join(sorted(unknown))))
        for name, value in values.items():
            setattr(self, name, value)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, getattr(self, 'id', '?'))


class Service(Base, NovaBase):
    """A running daemon (host + binary) and its heartbeat."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(255))
    binary: Mapped[str] = mapped_column(sa.String(255))
    topic: Mapped[str | None] = mapped_column(sa.String(255))
    report_count: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[bool] = mapped_column(default=False)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(255))
    forced_down: Mapped[bool] = mapped_column(default=False)
    availability_zone: Mapped[str | None] = mapped_column(sa.String(255))
    last_seen_up: Mapped[datetime.datetime | None]
    stopped_at: Mapped[datetime.datetime | None]
    version: Mapped[int | None]


class ComputeNode(Base, NovaBase):
    """A hypervisor a nova-compute service manages, and its resources."""

    __tablename__ = 'compute_nodes'
    __table_args__ = (
        sa.UniqueConstraint('host', 'hypervisor_hostname', 'deleted',
                            name='uniq_compute_nodes0host0hypervisor_hostname0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_compute_nodes0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=lambda: str(uuid.uuid4()))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey('services.id'), index=True)
    host: Mapped[str] = mapped_column(sa.String(255))
    hypervisor_hostname: Mapped[str] = mapped_column(sa.String(255))
    vcpus: Mapped[int] = mapped_column(default=0)
    memory_mb: Mapped[int] = mapped_column(default=0)
    local_gb: Mapped[int] = mapped_column(default=0)
    vcpus_used: Mapped[int] = mapped_column(default=0)
    memory_mb_used: Mapped[int] = mapped_column(default=0)
    local_gb_used: Mapped[int] = mapped_column(default=0)
    free_ram_mb: Mapped[int | None]
    free_disk_gb: Mapped[int | None]
    current_workload: Mapped[int | None]
    running_vms: Mapped[int | None]
    hypervisor_type: Mapped[str | None] = mapped_column(sa.String(255))
    hypervisor_version: Mapped[int | None]
    cpu_info: Mapped[str | None] = mapped_column(sa.Text)
    disk_available_least: Mapped[int | None]
    # None: the scheduler uses the *_allocation_ratio flag
    cpu_allocation_ratio: Mapped[float | None] = mapped_column(sa.Float)
    ram_allocation_ratio: Mapped[float | None] = mapped_column(sa.Float)
    disk_allocation_ratio: Mapped[float | None] = mapped_column(sa.Float)
    host_ip: Mapped[str | None] = mapped_column(sa.String(45))
