"""Block storage tables: volumes, their snapshots, types and attachments, and the
block device mappings that tie volumes (and images) to instances, as Nova has them.

A volume's ``provider_location`` and ``provider_auth`` are what its host's
exporter made of it (``portal,tid iqn lun`` and ``CHAP user secret``, as
Cinder stores them): the connection info an attaching host needs is built
from them, so the exports can be rebuilt from these rows after a restart.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, JSONEncoded, NovaBase, _loaded, _new_uuid

__all__ = ['Volume', 'VolumeMetadata', 'Snapshot', 'VolumeType', 'VolumeAttachment',
           'BlockDeviceMapping']


class Volume(Base, NovaBase):
    """A block device of ``size`` GiB on one nova-volume host. Rows expose metadata_dict."""

    __tablename__ = 'volumes'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_volumes0uuid'),
        sa.Index('volumes_project_id_deleted_idx', 'project_id', 'deleted'),
        sa.Index('volumes_host_deleted_idx', 'host', 'deleted'),
        sa.Index('volumes_status_idx', 'status'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    size: Mapped[int]
    # the size an extension in progress grows the volume to (its quota is reserved):
    # what a restarted host finishes or gives back
    pending_size: Mapped[int | None]
    display_name: Mapped[str | None] = mapped_column(sa.String(255))
    display_description: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    availability_zone: Mapped[str | None] = mapped_column(sa.String(255))
    host: Mapped[str | None] = mapped_column(sa.String(255))
    # creating, available, reserved, attaching, in-use, detaching, deleting, error,
    # error_deleting, extending, error_extending, uploading, downloading
    status: Mapped[str] = mapped_column(sa.String(255))
    previous_status: Mapped[str | None] = mapped_column(sa.String(255))
    attach_status: Mapped[str] = mapped_column(sa.String(255), default='detached')
    volume_type_id: Mapped[str | None] = mapped_column(sa.String(36))
    snapshot_id: Mapped[str | None] = mapped_column(sa.String(36))
    source_volid: Mapped[str | None] = mapped_column(sa.String(36))
    image_id: Mapped[str | None] = mapped_column(sa.String(36))
    bootable: Mapped[bool] = mapped_column(default=False)
    multiattach: Mapped[bool] = mapped_column(default=False)
    provider_location: Mapped[str | None] = mapped_column(sa.String(255))
    provider_auth: Mapped[str | None] = mapped_column(sa.String(255))
    # the image's properties when the volume was made from one (Cinder's
    # volume_image_metadata): what a server booted from it reads as its image
    image_metadata: Mapped[dict | None] = mapped_column(JSONEncoded)
    scheduled_at: Mapped[datetime.datetime | None]
    launched_at: Mapped[datetime.datetime | None]
    terminated_at: Mapped[datetime.datetime | None]

    metadata_items: Mapped[list['VolumeMetadata']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Volume.uuid == orm.foreign(VolumeMetadata.volume_id),
                                    VolumeMetadata.deleted == 0),
        order_by=lambda: VolumeMetadata.key, viewonly=True)
    attachment_rows: Mapped[list['VolumeAttachment']] = orm.relationship(
        primaryjoin=lambda: sa.and_(Volume.uuid == orm.foreign(VolumeAttachment.volume_id),
                                    VolumeAttachment.deleted == 0),
        order_by=lambda: VolumeAttachment.id, viewonly=True)

    @property
    def metadata_dict(self):
        return {item.key: item.value for item in self.metadata_items}

    @property
    def attachments(self):
        return list(self.attachment_rows)

    def to_dict(self):
        values = super().to_dict()
        if _loaded(self, 'metadata_items'):
            values['metadata'] = self.metadata_dict
        if _loaded(self, 'attachment_rows'):
            values['attachments'] = [a.to_dict() for a in self.attachment_rows]
        return values


class VolumeMetadata(Base, NovaBase):
    """A user's key/value on a volume (filterable, as Cinder's volume_metadata)."""

    __tablename__ = 'volume_metadata'
    __table_args__ = (
        sa.UniqueConstraint('volume_id', 'key', 'deleted',
                            name='uniq_volume_metadata0volume_id0key0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volume_id: Mapped[str] = mapped_column(sa.String(36))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str | None] = mapped_column(sa.String(255))


class Snapshot(Base, NovaBase):
    """A point-in-time copy of a volume, kept on the volume's host."""

    __tablename__ = 'snapshots'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_snapshots0uuid'),
        sa.Index('snapshots_project_id_deleted_idx', 'project_id', 'deleted'),
        sa.Index('snapshots_volume_id_idx', 'volume_id'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    volume_id: Mapped[str] = mapped_column(sa.String(36))
    volume_size: Mapped[int]
    # creating, available, deleting, error, error_deleting
    status: Mapped[str] = mapped_column(sa.String(255))
    progress: Mapped[str | None] = mapped_column(sa.String(255))
    display_name: Mapped[str | None] = mapped_column(sa.String(255))
    display_description: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    volume_type_id: Mapped[str | None] = mapped_column(sa.String(36))
    provider_location: Mapped[str | None] = mapped_column(sa.String(255))
    metadata_: Mapped[dict | None] = mapped_column('metadata', JSONEncoded, default=dict)


class VolumeType(Base, NovaBase):
    """A named kind of volume; its extra_specs (e.g. volume_backend_name) steer placement."""

    __tablename__ = 'volume_types'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_volume_types0uuid'),
        sa.UniqueConstraint('name', 'deleted', name='uniq_volume_types0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    is_public: Mapped[bool] = mapped_column(default=True)
    extra_specs: Mapped[dict | None] = mapped_column(JSONEncoded, default=dict)


class VolumeAttachment(Base, NovaBase):
    """One volume attached (or being attached) to one instance on a compute host.

    attach_status: reserved, attaching, attached, detaching, error_attaching.
    connection_info is what the volume host answered for ``connector`` (the
    compute host's initiator): it carries the target's CHAP secret.
    """

    __tablename__ = 'volume_attachment'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_volume_attachment0uuid'),
        sa.Index('volume_attachment_volume_id_idx', 'volume_id'),
        sa.Index('volume_attachment_instance_uuid_idx', 'instance_uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    volume_id: Mapped[str] = mapped_column(sa.String(36))
    instance_uuid: Mapped[str | None] = mapped_column(sa.String(36))
    attached_host: Mapped[str | None] = mapped_column(sa.String(255))
    mountpoint: Mapped[str | None] = mapped_column(sa.String(255))
    attach_mode: Mapped[str] = mapped_column(sa.String(36), default='rw')
    attach_status: Mapped[str] = mapped_column(sa.String(255))
    connector: Mapped[dict | None] = mapped_column(JSONEncoded)
    connection_info: Mapped[dict | None] = mapped_column(JSONEncoded)
    attach_time: Mapped[datetime.datetime | None]
    detach_time: Mapped[datetime.datetime | None]


class BlockDeviceMapping(Base, NovaBase):
    """A disk of an instance, as Nova's block_device_mapping: where it comes from
    (source_type image, volume, snapshot, blank) and what it becomes
    (destination_type volume or local); boot_index 0 is the root disk."""

    __tablename__ = 'block_device_mapping'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_block_device_mapping0uuid'),
        sa.Index('block_device_mapping_instance_uuid_deleted_idx', 'instance_uuid', 'deleted'),
        sa.Index('block_device_mapping_volume_id_idx', 'volume_id'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    instance_uuid: Mapped[str] = mapped_column(sa.String(36))
    source_type: Mapped[str | None] = mapped_column(sa.String(255))
    destination_type: Mapped[str | None] = mapped_column(sa.String(255))
    guest_format: Mapped[str | None] = mapped_column(sa.String(255))
    device_type: Mapped[str | None] = mapped_column(sa.String(255))
    disk_bus: Mapped[str | None] = mapped_column(sa.String(255))
    boot_index: Mapped[int | None]
    device_name: Mapped[str | None] = mapped_column(sa.String(255))
    delete_on_termination: Mapped[bool] = mapped_column(default=False)
    snapshot_id: Mapped[str | None] = mapped_column(sa.String(36))
    volume_id: Mapped[str | None] = mapped_column(sa.String(36))
    volume_size: Mapped[int | None]
    volume_type: Mapped[str | None] = mapped_column(sa.String(255))
    image_id: Mapped[str | None] = mapped_column(sa.String(36))
    no_device: Mapped[bool] = mapped_column(default=False)
    connection_info: Mapped[dict | None] = mapped_column(JSONEncoded)
    attachment_id: Mapped[str | None] = mapped_column(sa.String(36))
    tag: Mapped[str | None] = mapped_column(sa.String(255))
