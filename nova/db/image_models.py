"""Image registry tables, as Glance keeps them: images and what hangs off them.

An image's key is its uuid string (the id clients see), so its ``deleted``
marker is 1 once deleted rather than the row id; nothing unique includes it.
Properties, tags, members and locations have integer keys and the usual
``deleted = id`` marker, so a property, tag or member can be removed and added
again while the unique constraints still hold one live row each.
"""
import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, NovaBase

IMAGE_STATUSES = ('queued', 'saving', 'active', 'killed', 'deleted', 'pending_delete',
                  'deactivated', 'uploading', 'importing')
VISIBILITIES = ('public', 'private', 'shared', 'community')
DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso',
                'ploop')
CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed')
MEMBER_STATUSES = ('pending', 'accepted', 'rejected')


def _live(child):
    """Join condition for an image's live rows of one child table."""
    return sa.and_(Image.id == orm.foreign(child.image_id), child.deleted == 0)


class Image(Base, NovaBase):
    """An image's core attributes; its bytes live in a store, at its locations."""

    __tablename__ = 'images'

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(30), default='queued')
    visibility: Mapped[str] = mapped_column(sa.String(20), default='shared', index=True)
    protected: Mapped[bool] = mapped_column(default=False)
    os_hidden: Mapped[bool] = mapped_column(default=False)
    owner: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    virtual_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    disk_format: Mapped[str | None] = mapped_column(sa.String(20))
    container_format: Mapped[str | None] = mapped_column(sa.String(20))
    checksum: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    os_hash_algo: Mapped[str | None] = mapped_column(sa.String(64))
    os_hash_value: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    min_disk: Mapped[int] = mapped_column(default=0)
    min_ram: Mapped[int] = mapped_column(default=0)

    # read-only views of the live children, loaded with the image
    properties: Mapped[list['ImageProperty']] = orm.relationship(
        primaryjoin=lambda: _live(ImageProperty), viewonly=True, lazy='selectin',
        order_by=lambda: ImageProperty.name)
    tags: Mapped[list['ImageTag']] = orm.relationship(
        primaryjoin=lambda: _live(ImageTag), viewonly=True, lazy='selectin',
        order_by=lambda: ImageTag.value)
    locations: Mapped[list['ImageLocation']] = orm.relationship(
        primaryjoin=lambda: _live(ImageLocation), viewonly=True, lazy='selectin',
        order_by=lambda: ImageLocation.id)


class ImageProperty(Base, NovaBase):
    """A free-form key/value of an image (Glance's extra properties)."""

    __tablename__ = 'image_properties'
    __table_args__ = (
        sa.UniqueConstraint('image_id', 'name', 'deleted',
                            name='uniq_image_properties0image_id0name0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[str] = mapped_column(sa.ForeignKey('images.id'))
    name: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str | None] = mapped_column(sa.Text)


class ImageTag(Base, NovaBase):
    __tablename__ = 'image_tags'
    __table_args__ = (
        sa.UniqueConstraint('image_id', 'value', 'deleted',
                            name='uniq_image_tags0image_id0value0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[str] = mapped_column(sa.ForeignKey('images.id'))
    value: Mapped[str] = mapped_column(sa.String(255))


class ImageMember(Base, NovaBase):
    """A project an image is shared with, and whether it accepted."""

    __tablename__ = 'image_members'
    __table_args__ = (
        sa.UniqueConstraint('image_id', 'member', 'deleted',
                            name='uniq_image_members0image_id0member0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[str] = mapped_column(sa.ForeignKey('images.id'))
    member: Mapped[str] = mapped_column(sa.String(255), index=True)
    can_share: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default='pending')


class ImageLocation(Base, NovaBase):
    """Where a store keeps an image's bytes (a store URL) and the store's notes."""

    __tablename__ = 'image_locations'

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[str] = mapped_column(sa.ForeignKey('images.id'), index=True)
    value: Mapped[str] = mapped_column(sa.Text)
    meta_data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(30), default='active')


TASK_STATUSES = ('pending', 'processing', 'success', 'failure')


class ImageTask(Base, NovaBase):
    """A Glance task: an 'import' from a URL (POST /v2/tasks) or an interoperable
    import of one image ('api_image_import'), with its input, result and expiry."""

    __tablename__ = 'image_tasks'

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    type: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(30), default='pending')
    owner: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    image_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    input: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    message: Mapped[str] = mapped_column(sa.Text, default='')
    expires_at: Mapped[datetime.datetime | None]


__all__ = ['Image', 'ImageProperty', 'ImageTag', 'ImageMember', 'ImageLocation', 'ImageTask']
