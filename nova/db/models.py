"""SQLAlchemy models: one class per table.

Rows are soft-deleted: ``deleted`` is 0 while a row is live and takes the row's
id when it is deleted, so a unique constraint that includes ``deleted`` allows
any number of deleted copies but only one live row (as classic Nova does).
String lengths stay within what a MySQL utf8mb4 index accepts.
"""
import datetime
import json
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


class TimestampBase:
    """Timestamps and plain-value access, for tables whose rows are really deleted."""

    created_at: Mapped[datetime.datetime] = mapped_column(default=utils.utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(onupdate=utils.utcnow)

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


class NovaBase(TimestampBase):
    """Timestamps and the soft-delete marker for every table that keeps history."""

    deleted_at: Mapped[datetime.datetime | None]
    deleted: Mapped[int] = mapped_column(default=0)


def revision_number():
    """The network API's revision_number column: 0, then one more on every UPDATE of
    the row (also Core UPDATEs that do not set it). Mappers using it set
    eager_defaults so the new value is read back on flush."""
    return mapped_column(default=0, server_default='0',
                         onupdate=sa.literal_column('revision_number') + 1)


class Revisioned:
    __mapper_args__ = {'eager_defaults': True}


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


class JSONEncoded(sa.TypeDecorator):
    """A Python value stored as JSON text (dicts and lists of plain values)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


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
    # {capability: bool} of the host's virt driver, as the host reports it (0008)
    capabilities: Mapped[dict | None] = mapped_column(JSONEncoded)


# ------------------------------------------------------------------ compute

def _loaded(row, name):
    """Whether a relationship was loaded (a detached row cannot load it later)."""
    return name not in sa.inspect(row).unloaded


def _new_uuid():
    return str(uuid.uuid4())


class Flavor(Base, NovaBase):
    """An instance type: the size of a server. Rows expose extra_specs and projects."""

    __tablename__ = 'instance_types'
    __table_args__ = (
        sa.UniqueConstraint('flavorid', 'deleted', name='uniq_instance_types0flavorid0deleted'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_instance_types0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flavorid: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    memory_mb: Mapped[int]
    vcpus: Mapped[int]
    root_gb: Mapped[int] = mapped_column(default=0)
    ephemeral_gb: Mapped[int] = mapped_column(default=0)
    swap: Mapped[int] = mapped_column(default=0)
    rxtx_factor: Mapped[float] = mapped_column(sa.Float, default=1.0)
    vcpu_weight: Mapped[int | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(sa.Text)

    extra_spec_rows: Mapped[list['FlavorExtraSpec']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Flavor.id == FlavorExtraSpec.instance_type_id,
                                    FlavorExtraSpec.deleted == 0), viewonly=True)
    project_rows: Mapped[list['FlavorProject']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Flavor.id == FlavorProject.instance_type_id,
                                    FlavorProject.deleted == 0), viewonly=True)

    @property
    def extra_specs(self):
        return {spec.key: spec.value for spec in self.extra_spec_rows}

    @property
    def projects(self):
        return sorted(access.project_id for access in self.project_rows)

    def to_dict(self):
        values = super().to_dict()
        if _loaded(self, 'extra_spec_rows'):
            values['extra_specs'] = self.extra_specs
        return values


class FlavorExtraSpec(Base, NovaBase):
    """A key/value the scheduler and drivers read (e.g. aggregate matching)."""

    __tablename__ = 'instance_type_extra_specs'
    __table_args__ = (
        sa.UniqueConstraint('instance_type_id', 'key', 'deleted',
                            name='uniq_instance_type_extra_specs0instance_type_id0key0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_type_id: Mapped[int] = mapped_column(sa.ForeignKey('instance_types.id'))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str | None] = mapped_column(sa.String(255))


class FlavorProject(Base, NovaBase):
    """A project allowed to use a private flavor."""

    __tablename__ = 'instance_type_projects'
    __table_args__ = (
        sa.UniqueConstraint(
            'instance_type_id', 'project_id', 'deleted',
            name='uniq_instance_type_projects0instance_type_id0project_id0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_type_id: Mapped[int] = mapped_column(sa.ForeignKey('instance_types.id'))
    project_id: Mapped[str] = mapped_column(sa.String(255))


class Instance(Base, NovaBase):
    """A server. Rows expose metadata_dict and tags (loaded with the row)."""

    NAME_TEMPLATE = 'instance-%08x'  # the hypervisor's name for it, as classic Nova

    @property
    def name(self):
        return self.NAME_TEMPLATE % self.id

    __tablename__ = 'instances'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_instances0uuid'),
        # the order of every server list, after the project: see migration 0017
        sa.Index('instances_project_id_deleted_created_at_id_idx', 'project_id', 'deleted',
                 'created_at', 'id'),
        sa.Index('instances_host_deleted_idx', 'host', 'deleted'),
        sa.Index('instances_reservation_id_idx', 'reservation_id'),
        sa.Index('instances_updated_at_idx', 'updated_at'),
        sa.Index('instances_vm_state_idx', 'vm_state'),
        sa.Index('instances_task_state_idx', 'task_state'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique and made by the client: lets a bulk INSERT ... RETURNING match rows
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid, insert_sentinel=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(255))
    display_description: Mapped[str | None] = mapped_column(sa.String(255))
    hostname: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    reservation_id: Mapped[str | None] = mapped_column(sa.String(255))
    launch_index: Mapped[int | None]
    image_ref: Mapped[str | None] = mapped_column(sa.String(255))
    kernel_id: Mapped[str | None] = mapped_column(sa.String(255))
    ramdisk_id: Mapped[str | None] = mapped_column(sa.String(255))
    instance_type_id: Mapped[int | None]
    # {"cur": flavor dict with extra_specs, "old": ..., "new": ...} (resizes)
    flavor: Mapped[dict | None] = mapped_column(JSONEncoded)
    vcpus: Mapped[int | None]
    memory_mb: Mapped[int | None]
    root_gb: Mapped[int | None]
    ephemeral_gb: Mapped[int | None]
    vm_state: Mapped[str | None] = mapped_column(sa.String(255))
    task_state: Mapped[str | None] = mapped_column(sa.String(255))
    power_state: Mapped[int | None] = mapped_column(default=0)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    node: Mapped[str | None] = mapped_column(sa.String(255))
    launched_on: Mapped[str | None] = mapped_column(sa.String(255))
    availability_zone: Mapped[str | None] = mapped_column(sa.String(255))
    key_name: Mapped[str | None] = mapped_column(sa.String(255))
    key_data: Mapped[str | None] = mapped_column(sa.Text)
    user_data: Mapped[str | None] = mapped_column(sa.Text)
    config_drive: Mapped[str | None] = mapped_column(sa.String(255))
    launched_at: Mapped[datetime.datetime | None]
    terminated_at: Mapped[datetime.datetime | None]
    scheduled_at: Mapped[datetime.datetime | None]
    locked: Mapped[bool] = mapped_column(default=False)
    locked_by: Mapped[str | None] = mapped_column(sa.String(255))  # 'owner', 'admin'
    access_ip_v4: Mapped[str | None] = mapped_column(sa.String(45))
    access_ip_v6: Mapped[str | None] = mapped_column(sa.String(45))
    progress: Mapped[int | None]
    os_type: Mapped[str | None] = mapped_column(sa.String(255))
    architecture: Mapped[str | None] = mapped_column(sa.String(255))
    vm_mode: Mapped[str | None] = mapped_column(sa.String(255))
    root_device_name: Mapped[str | None] = mapped_column(sa.String(255))
    system_metadata: Mapped[dict | None] = mapped_column(JSONEncoded, default=dict)
    security_groups: Mapped[list | None] = mapped_column(JSONEncoded, default=list)
    cleaned: Mapped[int] = mapped_column(default=0)
    shutdown_terminate: Mapped[bool] = mapped_column(default=False)
    disable_terminate: Mapped[bool] = mapped_column(default=False)
    auto_disk_config: Mapped[bool | None]
    description: Mapped[str | None] = mapped_column(sa.Text)
    # EC2 Monitoring.State: True/False once switched, NULL: --monitor_new_instances
    monitoring: Mapped[bool | None]

    metadata_items: Mapped[list['InstanceMetadata']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Instance.uuid == orm.foreign(InstanceMetadata.instance_uuid),
                                    InstanceMetadata.deleted == 0),
        order_by=lambda: InstanceMetadata.key, viewonly=True)
    tag_rows: Mapped[list['Tag']] = orm.relationship(
        primaryjoin=lambda: Instance.uuid == orm.foreign(Tag.resource_id),
        order_by=lambda: Tag.tag, viewonly=True)

    @property
    def metadata_dict(self):
        return {item.key: item.value for item in self.metadata_items}

    @property
    def tags(self):
        return [row.tag for row in self.tag_rows]

    def to_dict(self):
        values = super().to_dict()
        if _loaded(self, 'metadata_items'):
            values['metadata'] = self.metadata_dict
        if _loaded(self, 'tag_rows'):
            values['tags'] = self.tags
        return values


class InstanceBuildPassword(Base, TimestampBase):
    """The adminPass of an instance being built, kept only until its guest is spawned
    (or it is deleted): a boot the scheduler reconciler sends again still has it."""

    __tablename__ = 'instance_build_passwords'

    instance_uuid: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    password: Mapped[str] = mapped_column(sa.Text)


class InstanceMetadata(Base, NovaBase):
    """A user's key/value on an instance."""

    __tablename__ = 'instance_metadata'
    __table_args__ = (
        sa.UniqueConstraint('instance_uuid', 'key', 'deleted',
                            name='uniq_instance_metadata0instance_uuid0key0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(sa.String(36))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str | None] = mapped_column(sa.String(255))


class InstanceFault(Base, TimestampBase):
    """Why an operation on an instance failed, as the user sees it."""

    __tablename__ = 'instance_faults'

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    code: Mapped[int]
    message: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[str | None] = mapped_column(sa.Text)
    host: Mapped[str | None] = mapped_column(sa.String(255))


class InstanceAction(Base, TimestampBase):
    """One user request acting on an instance (who, what, when)."""

    __tablename__ = 'instance_actions'

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str | None] = mapped_column(sa.String(255))
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    request_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    start_time: Mapped[datetime.datetime | None]
    finish_time: Mapped[datetime.datetime | None]
    message: Mapped[str | None] = mapped_column(sa.String(255))


class InstanceActionEvent(Base, TimestampBase):
    """A step of an action done by a service (e.g. compute_reboot_instance)."""

    __tablename__ = 'instance_actions_events'

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey('instance_actions.id'), index=True)
    event: Mapped[str | None] = mapped_column(sa.String(255))
    start_time: Mapped[datetime.datetime | None]
    finish_time: Mapped[datetime.datetime | None]
    result: Mapped[str | None] = mapped_column(sa.String(255))  # 'Success', 'Error'
    traceback: Mapped[str | None] = mapped_column(sa.Text)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[str | None] = mapped_column(sa.Text)


class Tag(Base, TimestampBase):
    """A tag on a resource (an instance uuid); deleted with it."""

    __tablename__ = 'tags'

    resource_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(60), primary_key=True)


class KeyPair(Base, NovaBase):
    """A user's SSH public key (or x509 certificate) injected into servers."""

    __tablename__ = 'key_pairs'
    __table_args__ = (
        sa.UniqueConstraint('user_id', 'name', 'deleted',
                            name='uniq_key_pairs0user_id0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[str] = mapped_column(sa.String(255))
    fingerprint: Mapped[str | None] = mapped_column(sa.String(255))
    public_key: Mapped[str | None] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(sa.String(255), default='ssh')  # 'ssh', 'x509'


class Quota(Base, TimestampBase):
    """A project's limit for one resource, overriding the quota_* flag."""

    __tablename__ = 'quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'resource', name='uniq_quotas0project_id0resource'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(255))
    hard_limit: Mapped[int]


class ProjectUserQuota(Base, TimestampBase):
    """A user's limit for one resource within a project, over the project's limit."""

    __tablename__ = 'project_user_quotas'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'user_id', 'resource',
                            name='uniq_project_user_quotas0project_id0user_id0resource'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[str] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(255))
    hard_limit: Mapped[int]


class QuotaClass(Base, TimestampBase):
    """A limit of a quota class: the 'default' class's limits replace the quota_*
    flags for every project without an override of its own."""

    __tablename__ = 'quota_classes'
    __table_args__ = (
        sa.UniqueConstraint('class_name', 'resource',
                            name='uniq_quota_classes0class_name0resource'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_name: Mapped[str] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(255))
    hard_limit: Mapped[int]


class TaskLog(Base, TimestampBase):
    """One run of a periodic audit task on one host for one period (the instance
    usage audit): RUNNING until it ends DONE, with how many items and errors."""

    __tablename__ = 'task_log'
    __table_args__ = (
        sa.UniqueConstraint('task_name', 'host', 'period_beginning', 'period_ending',
                            name='uniq_task_log0task_name0host0period_beginning0period_ending'),
        sa.Index('task_log_period_idx', 'task_name', 'period_beginning', 'period_ending'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(sa.String(255))
    state: Mapped[str] = mapped_column(sa.String(255))
    host: Mapped[str] = mapped_column(sa.String(255))
    period_beginning: Mapped[datetime.datetime]
    period_ending: Mapped[datetime.datetime]
    message: Mapped[str] = mapped_column(sa.String(255), default='')
    task_items: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)


class ConsoleAuthToken(Base, TimestampBase):
    """A console URL's token (only its SHA-256 is kept): which host and port of which
    instance's console nova-serialproxy may connect its holder to, until expires."""

    __tablename__ = 'console_auth_tokens'
    __table_args__ = (
        sa.UniqueConstraint('token_hash', name='uniq_console_auth_tokens0token_hash'),
        sa.Index('console_auth_tokens_instance_uuid_idx', 'instance_uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(255))
    console_type: Mapped[str] = mapped_column(sa.String(255))
    host: Mapped[str] = mapped_column(sa.String(255))
    port: Mapped[int]
    internal_access_path: Mapped[str | None] = mapped_column(sa.String(255))
    instance_uuid: Mapped[str] = mapped_column(sa.String(36))
    expires: Mapped[datetime.datetime]


class QuotaUsage(Base, TimestampBase):
    """How much of a resource a project (user_id NULL) or a user holds.

    NULLs are distinct in a unique constraint, so project-wide rows get their
    own partial unique index: two transactions cannot both create one.
    """

    __tablename__ = 'quota_usages'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'user_id', 'resource',
                            name='uniq_quota_usages0project_id0user_id0resource'),
        sa.Index('uniq_quota_usages0project_id0resource', 'project_id', 'resource',
                 unique=True, sqlite_where=sa.text('user_id IS NULL'),
                 postgresql_where=sa.text('user_id IS NULL'))
        .ddl_if(dialect=('sqlite', 'postgresql')),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(255))
    in_use: Mapped[int] = mapped_column(default=0)


class Aggregate(Base, NovaBase):
    """A group of hosts with metadata (an availability zone is one key of it)."""

    __tablename__ = 'aggregates'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_aggregates0uuid'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_aggregates0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    name: Mapped[str] = mapped_column(sa.String(255))

    host_rows: Mapped[list['AggregateHost']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Aggregate.id == AggregateHost.aggregate_id,
                                    AggregateHost.deleted == 0),
        order_by=lambda: AggregateHost.host, viewonly=True)
    metadata_rows: Mapped[list['AggregateMetadata']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Aggregate.id == AggregateMetadata.aggregate_id,
                                    AggregateMetadata.deleted == 0), viewonly=True)

    @property
    def hosts(self):
        return [row.host for row in self.host_rows]

    @property
    def metadetails(self):
        return {row.key: row.value for row in self.metadata_rows}

    metadata_dict = metadetails

    @property
    def availability_zone(self):
        return self.metadetails.get('availability_zone')

    def to_dict(self):
        values = super().to_dict()
        if _loaded(self, 'host_rows'):
            values['hosts'] = self.hosts
        if _loaded(self, 'metadata_rows'):
            values['metadata'] = self.metadetails
        return values


class AggregateHost(Base, NovaBase):
    __tablename__ = 'aggregate_hosts'
    __table_args__ = (
        sa.UniqueConstraint('host', 'aggregate_id', 'deleted',
                            name='uniq_aggregate_hosts0host0aggregate_id0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(sa.ForeignKey('aggregates.id'), index=True)
    host: Mapped[str] = mapped_column(sa.String(255))


class AggregateMetadata(Base, NovaBase):
    __tablename__ = 'aggregate_metadata'
    __table_args__ = (
        sa.UniqueConstraint('aggregate_id', 'key', 'deleted',
                            name='uniq_aggregate_metadata0aggregate_id0key0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(sa.ForeignKey('aggregates.id'))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str | None] = mapped_column(sa.String(255))


class InstanceGroup(Base, NovaBase):
    """A server group: instances placed by one policy. Rows expose members."""

    __tablename__ = 'instance_groups'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_instance_groups0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    # 'affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'
    policy: Mapped[str | None] = mapped_column(sa.String(255))
    rules: Mapped[dict | None] = mapped_column(JSONEncoded, default=dict)

    member_rows: Mapped[list['InstanceGroupMember']] = orm.relationship(
        primaryjoin=lambda: sa.and_(InstanceGroup.id == InstanceGroupMember.group_id,
                                    InstanceGroupMember.deleted == 0),
        order_by=lambda: InstanceGroupMember.id, viewonly=True)

    @property
    def members(self):
        return [row.instance_uuid for row in self.member_rows]

    def to_dict(self):
        values = super().to_dict()
        if _loaded(self, 'member_rows'):
            values['members'] = self.members
        return values


class InstanceGroupMember(Base, NovaBase):
    __tablename__ = 'instance_group_member'

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey('instance_groups.id'), index=True)
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)


class Migration(Base, NovaBase):
    """A move of an instance between hosts: resize, cold or live migration."""

    __tablename__ = 'migrations'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_migrations0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    instance_uuid: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    source_compute: Mapped[str | None] = mapped_column(sa.String(255))
    dest_compute: Mapped[str | None] = mapped_column(sa.String(255))
    source_node: Mapped[str | None] = mapped_column(sa.String(255))
    dest_node: Mapped[str | None] = mapped_column(sa.String(255))
    dest_host: Mapped[str | None] = mapped_column(sa.String(255))
    old_instance_type_id: Mapped[int | None]
    new_instance_type_id: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(sa.String(255))
    migration_type: Mapped[str | None] = mapped_column(sa.String(255))
    hidden: Mapped[bool] = mapped_column(default=False)


from nova.db.image_models import *  # noqa: F401,F403 -- images share Base.metadata
from nova.db.metadef_models import *  # noqa: F401,F403 -- image metadata definitions

from nova.db.auth_models import *  # noqa: F401,F403 -- identity shares Base.metadata

from nova.db.ec2_models import *  # noqa: F401,F403 -- EC2 ids, tokens, security groups

from nova.db.network_models import *  # noqa: F401,F403,E402 -- nova-network's tables

from nova.db.volume_models import *  # noqa: F401,F403,E402 -- volumes share Base.metadata
