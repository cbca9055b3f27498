"""The public volume API: what the Cinder-compatible API, the EC2 API, the compute
API's volume proxies and the compute service call.

It checks input and state, reserves quota with the rows it writes, and casts
to the scheduler (a new volume) or to the volume's host. Another project's
volume or snapshot is VolumeNotFound/SnapshotNotFound, as if it did not
exist. Attachments are bookkept here for the compute service: reserve ->
initialize_connection (the volume host answers) -> attach, and
begin_detaching -> detach, each a compare-and-swap of the volume's status.
"""
import logging
import math

from nova import exception
from nova import servicegroup
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _
from nova.image import service as image_service
from nova.scheduler import rpcapi as scheduler_rpcapi
from nova.volume import quota as volume_quota
from nova.volume import rpcapi
from nova.volume import states

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
MAX_NAME = 255


def _positive_size(size, what='size'):
    """An integer (or a string of digits) greater than 0, as Cinder accepts them."""
    value = None
    if isinstance(size, int) and not isinstance(size, bool):
        value = size
    elif isinstance(size, str) and size.strip().isdigit():
        value = int(size)
    if value is None or value <= 0:
        raise exception.InvalidInput(
            reason=_("Volume %s '%s' must be an integer and greater than 0") % (what, size))
    return value


def _check_text(name, value):
    if value is not None and (not isinstance(value, str) or len(value) > MAX_NAME):
        raise exception.InvalidInput(reason=_('%s must be a string of at most %d characters')
                                     % (name, MAX_NAME))


def check_metadata(metadata):
    if not isinstance(metadata, dict):
        raise exception.InvalidInput(reason=_('metadata must be an object'))
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 255:
            raise exception.InvalidInput(reason=_('metadata key %r must be 1-255 characters')
                                         % (key,))
        if not isinstance(value, str) or len(value) > 255:
            raise exception.InvalidInput(reason=_('metadata value for %r must be a string of '
                                           'at most 255 characters') % key)


class API:
    """Volumes, snapshots, types and attachments. Every rule about them lives here once."""

    def __init__(self, image_api=None):
        self.image_api = image_api or image_service.get_default_image_service()
        self.volume_rpcapi = rpcapi.VolumeAPI()
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()

    # -- reads ------------------------------------------------------------------------
    def get(self, context, volume_id):
        volume = db.volume_get(context, volume_id)
        if not context.is_admin and volume.project_id != context.project_id:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return volume

    def get_all(self, context, filters=None, sort_keys=None, sort_dirs=None, limit=None,
                marker=None, all_projects=False):
        filters = dict(filters or {})
        if not (context.is_admin and all_projects):
            filters['project_id'] = context.project_id
        return db.volume_get_all(context, filters, sort_keys=sort_keys, sort_dirs=sort_dirs,
                                 limit=limit, marker=marker)

    def get_snapshot(self, context, snapshot_id):
        snapshot = db.snapshot_get(context, snapshot_id)
        if not context.is_admin and snapshot.project_id != context.project_id:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return snapshot

    def get_all_snapshots(self, context, filters=None, sort_keys=None, sort_dirs=None,
                          limit=None, marker=None, all_projects=False):
        filters = dict(filters or {})
        if not (context.is_admin and all_projects):
            filters['project_id'] = context.project_id
        return db.snapshot_get_all(context, filters, sort_keys=sort_keys,
                                   sort_dirs=sort_dirs, limit=limit, marker=marker)

    def availability_zones(self, context):
        """{zone: available} over the nova-volume services (available: one is up)."""
        zones = {}
        for service in db.service_get_all_by_topic(context, CONF.volume_topic):
            zone = service.availability_zone or CONF.storage_availability_zone
            up = servicegroup.service_is_up(service) and not service.disabled
            zones[zone] = zones.get(zone, False) or up
        return zones

    # -- create -----------------------------------------------------------------------
    def create(self, context, size=None, name=None, description=None, snapshot_id=None,
               image_id=None, source_volid=None, volume_type=None, availability_zone=None,
               metadata=None, multiattach=False):
        """Record the volume (quota reserved with it) and send it to be made: to the
        scheduler, or for a snapshot or a clone to the host of their source.

        The row returned carries ``volume_type_name`` (its view needs no type read).
        multiattach: attachable to several instances at once (as Cinder, also when
        the volume type's extra spec ``multiattach`` is ``<is> True``)."""
        _check_text('name', name)
        _check_text('description', description)
        metadata = dict(metadata or {})
        check_metadata(metadata)
        sources = [s for s in (snapshot_id, image_id, source_volid) if s]
        if len(sources) > 1:
            raise exception.InvalidInput(reason=_('give at most one of snapshot_id, imageRef '
                                                  'and source_volid'))
        values = {'snapshot_id': snapshot_id, 'source_volid': source_volid,
                  'image_id': image_id, 'bootable': False}
        host = None
        if snapshot_id:
            snapshot = self.get_snapshot(context, snapshot_id)
            if snapshot.status != states.AVAILABLE:
                raise exception.InvalidSnapshot(reason=_('snapshot %s is %s, not available')
                                                % (snapshot_id, snapshot.status))
            source = db.volume_get(context.elevated(), snapshot.volume_id)
            size = snapshot.volume_size if size is None else size
            minimum, host = snapshot.volume_size, source.host
            values.update(bootable=source.bootable, image_metadata=source.image_metadata)
        elif source_volid:
            source = self.get(context, source_volid)
            if source.status not in states.CLONABLE:
                raise exception.InvalidVolume(reason=_('source volume %s is %s') % (
                    source_volid, source.status))
            size = source.size if size is None else size
            minimum, host = source.size, source.host
            values.update(bootable=source.bootable, image_metadata=source.image_metadata)
        elif image_id:
            image = self._check_image(context, image_id)
            minimum = max(math.ceil((image.get('virtual_size') or image['size'] or 0) / GiB),
                          image.get('min_disk') or 0, 1)
            size = minimum if size is None else size
            values.update(bootable=True, image_metadata=_image_metadata(image))
        else:
            minimum = 1
        size = _positive_size(size)
        if size < minimum:
            raise exception.InvalidInput(reason=_('Volume size %dGB cannot be smaller than the '
                                                  '%s size %dGB.') % (size, _source_kind(
                                                    snapshot_id, source_volid), minimum))
        if host is not None:
            availability_zone = source.availability_zone
        else:
            availability_zone = self._check_zone(context, availability_zone)
        volume_type = self.get_type(context, volume_type) if volume_type else \
            self.default_type(context)
        allowed = volume_quota.check_volume_size(context, context.project_id, size)
        values.update(size=size, display_name=name, display_description=description,
                      project_id=context.project_id, user_id=context.user_id,
                      availability_zone=availability_zone, status=states.CREATING,
                      attach_status=states.DETACHED, volume_type_id=volume_type.uuid,
                      host=host, metadata=metadata,
                      multiattach=bool(multiattach) or _spec_true(
                          (volume_type.extra_specs or {}).get('multiattach')))
        try:
            volume = db.volume_create(context, values, quota=volume_quota.reservation(
                context, context.project_id, allowed, volumes=1, gigabytes=size))
        except exception.OverQuota as over:
            raise volume_quota.refused(over) from over
        volume.volume_type_name = volume_type.name
        if host is not None:
            self.volume_rpcapi.create_volume(context, host, volume.uuid)
        else:
            self.scheduler_rpcapi.create_volume(context, volume.uuid, {
                'size': size, 'availability_zone': availability_zone,
                'extra_specs': dict(volume_type.extra_specs or {})})
        return volume

    def _check_image(self, context, image_id):
        image = self.image_api.show(context, image_id)
        if image['status'] != 'active':
            raise exception.InvalidInput(reason=_('Image %s is not active.') % image_id)
        if image.get('disk_format') not in (None, 'raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx',
                                            'iso', 'ami'):
            raise exception.InvalidInput(reason=_('Image %s has disk_format %s, which cannot be '
                                           'written into a volume') % (image_id,
                                                                    image['disk_format']))
        return image

    def _check_zone(self, context, zone):
        if not zone:  # most creates name none: no need to read the services
            return CONF.storage_availability_zone
        known = self.availability_zones(context)
        if zone not in known and zone != CONF.storage_availability_zone:
            raise exception.InvalidInput(reason=_("Availability zone '%s' is invalid.") % zone)
        return zone

    # -- change -----------------------------------------------------------------------
    def update(self, context, volume, name=None, description=None):
        values = _renamed(name, description)
        return db.volume_update(context, volume.uuid, values) if values else volume

    def delete(self, context, volume, force=False, cascade=False):
        """Delete a volume that is not attached and has no snapshots (cascade: its
        snapshots go with it; force: from any status, for admins)."""
        if not volume.host and volume.status in (states.CREATING, states.ERROR) + (
                states.DELETABLE):
            # never placed (no valid host): nothing exists anywhere but the row
            db.volume_destroy(context, volume.uuid, quota=volume_quota.release(
                volume.project_id, volumes=1, gigabytes=volume.size))
            return
        allowed = states.VOLUME_STATUSES if force else states.DELETABLE
        db.volume_begin_delete(
            context, volume.uuid, allowed,
            cascade_from=states.SNAPSHOT_DELETABLE + (states.DELETING,) if cascade else None)
        # the host is the one read: only the scheduler sets it, while the volume is creating
        self.volume_rpcapi.delete_volume(context, volume, cascade=cascade)

    def extend(self, context, volume, new_size):
        """Grow an available volume: the extra gigabytes are reserved with the status change."""
        new_size = _positive_size(new_size, 'new_size')
        if new_size <= volume.size:
            raise exception.InvalidInput(reason=_('New size for extend must be greater than '
                                                  'current size. (current: %d, extended: %d).')
                                         % (volume.size, new_size))
        allowed = volume_quota.check_volume_size(context, volume.project_id, new_size)
        try:
            volume = db.volume_update(
                context, volume.uuid, {'status': states.EXTENDING, 'pending_size': new_size,
                                       'previous_status': volume.status},
                expected_status=states.EXTENDABLE, quota=volume_quota.reservation(
                    context, volume.project_id, allowed, gigabytes=new_size - volume.size))
        except exception.OverQuota as over:
            raise volume_quota.refused(over) from over
        self.volume_rpcapi.extend_volume(context, volume)
        return volume

    def reset_status(self, context, volume, status=None, attach_status=None):
        """Admins only (the front end checks): set the statuses as they are told."""
        values = {}
        if status is not None:
            if status not in states.VOLUME_STATUSES:
                raise exception.InvalidInput(reason=_('%s is not a volume status') % status)
            values.update(status=status, previous_status=volume.status)
        if attach_status is not None:
            if attach_status not in states.ATTACH_STATUSES:
                raise exception.InvalidInput(reason=_('%s is not an attach status')
                                             % attach_status)
            values['attach_status'] = attach_status
        if not values:
            raise exception.InvalidInput(reason=_('Must specify status or attach_status'))
        return db.volume_update(context, volume.uuid, values)

    def set_bootable(self, context, volume, bootable):
        return db.volume_update(context, volume.uuid, {'bootable': bool(bootable)})

    def update_metadata(self, context, volume, metadata, delete=False):
        check_metadata(metadata)
        return db.volume_metadata_update(context, volume.uuid, metadata, delete=delete)

    def delete_metadata(self, context, volume, key):
        db.volume_metadata_delete(context, volume.uuid, key)

    def copy_volume_to_image(self, context, volume, image_name, disk_format='raw',
                             container_format='bare', force=False):
        """A new image holding the volume's data (os-volume_upload_image)."""
        if disk_format not in ('raw', 'qcow2'):
            raise exception.InvalidInput(reason=_('disk_format must be raw or qcow2'))
        allowed = states.UPLOADABLE if force else (states.AVAILABLE,)
        _check_text('image_name', image_name)
        image = self.image_api.create(context, {
            'name': image_name, 'disk_format': disk_format,
            'container_format': container_format, 'visibility': 'private',
            'min_disk': volume.size})
        try:
            volume = db.volume_update(context, volume.uuid, {
                'status': states.UPLOADING, 'previous_status': volume.status},
                expected_status=allowed)
        except exception.InvalidVolume:
            self.image_api.delete(context, image['id'])
            raise
        self.volume_rpcapi.copy_volume_to_image(context, volume, image['id'])
        return image

    # -- snapshots --------------------------------------------------------------------
    def create_snapshot(self, context, volume, name=None, description=None, force=False,
                        metadata=None):
        _check_text('name', name)
        _check_text('description', description)
        metadata = dict(metadata or {})
        check_metadata(metadata)
        allowed = states.SNAPSHOTTABLE_FORCED if force else states.SNAPSHOTTABLE
        try:
            snapshot = db.snapshot_create(context, {
                'volume_id': volume.uuid, 'volume_size': volume.size,
                'status': states.CREATING, 'progress': '0%', 'display_name': name,
                'display_description': description, 'project_id': context.project_id,
                'user_id': context.user_id, 'volume_type_id': volume.volume_type_id,
                'metadata_': metadata},
                volume_status=allowed, quota=volume_quota.reservation(
                    context, context.project_id, snapshots=1, gigabytes=volume.size))
        except exception.OverQuota as over:
            raise volume_quota.refused(over) from over
        self.volume_rpcapi.create_snapshot(context, volume, snapshot.uuid)
        return snapshot

    def delete_snapshot(self, context, snapshot, force=False):
        allowed = states.SNAPSHOT_STATUSES if force else states.SNAPSHOT_DELETABLE
        snapshot = db.snapshot_update(context, snapshot.uuid, {'status': states.DELETING},
                                      expected_status=allowed)
        volume = db.volume_get(context.elevated(read_deleted='yes'), snapshot.volume_id)
        self.volume_rpcapi.delete_snapshot(context, volume.host, snapshot.uuid)

    def update_snapshot(self, context, snapshot, name=None, description=None):
        values = _renamed(name, description)
        return db.snapshot_update(context, snapshot.uuid, values) if values else snapshot

    def reset_snapshot_status(self, context, snapshot, status):
        if status not in states.SNAPSHOT_STATUSES:
            raise exception.InvalidInput(reason=_('%s is not a snapshot status') % status)
        return db.snapshot_update(context, snapshot.uuid, {'status': status})

    # -- attachments ------------------------------------------------------------------
    def reserve(self, context, volume, instance_uuid, mode='rw', status=states.ATTACHING):
        """Claim an available volume for an instance (a multiattach one also while
        attached elsewhere): its status becomes status (attaching, or reserved for
        the attachments API); the attachment."""
        return db.volume_attachment_create(
            context, volume.uuid, {'instance_uuid': instance_uuid, 'attach_mode': mode,
                                   'attach_status': status},
            expected_status=states.MULTIATTACHABLE if volume.multiattach
            else states.ATTACHABLE, status=status)

    def unreserve(self, context, volume):
        """Give up the attachments of a volume that never completed (os-unreserve)."""
        pending = [a for a in volume.attachments if a.attach_status != states.ATTACHED]
        if volume.status not in (states.ATTACHING, states.RESERVED) or not pending:
            raise exception.InvalidVolume(reason=_('volume %s is %s: nothing is reserved')
                                          % (volume.uuid, volume.status))
        for attachment in pending:
            volume = self.detach(context, attachment.uuid)
        return volume

    def attach_legacy(self, context, volume, instance_uuid, mountpoint, host_name,
                      mode='rw'):
        """os-attach: complete the pending attachment of the instance (one is made
        when the volume is still available)."""
        pending = [a for a in volume.attachments if a.attach_status != states.ATTACHED
                   and a.instance_uuid in (None, instance_uuid)]
        attachment = pending[0] if pending else self.reserve(context, volume, instance_uuid,
                                                             mode)
        if attachment.instance_uuid != instance_uuid:
            db.volume_attachment_update(context, attachment.uuid,
                                        {'instance_uuid': instance_uuid})
        return self.attach(context, attachment.uuid, mountpoint, host_name)

    def initialize_connection(self, context, volume, connector):
        """The connection_info for connector, from the volume's host."""
        if not volume.host:
            raise exception.InvalidVolume(reason=_('volume %s has no host') % volume.uuid)
        return self.volume_rpcapi.initialize_connection(context, volume, connector)

    def attach(self, context, attachment_id, mountpoint, host, connector=None,
               connection_info=None):
        """The attachment is done: the volume is in-use."""
        return db.volume_attachment_complete(context, attachment_id, {
            'mountpoint': mountpoint, 'attached_host': host, 'connector': connector,
            'connection_info': connection_info})

    def detach(self, context, attachment_id):
        """Forget an attachment (done, or given up): available once none is left,
        and then its host drops the export (a cast: the detach need not wait)."""
        volume = db.volume_attachment_destroy(context, attachment_id)
        if not volume.attachment_rows and volume.provider_location and volume.host:
            self.volume_rpcapi.remove_export(context, volume)
        return volume

    def begin_detaching(self, context, volume):
        return db.volume_update(context, volume.uuid, {'status': states.DETACHING,
                                                       'previous_status': volume.status},
                                expected_status=states.IN_USE)

    def roll_detaching(self, context, volume):
        return db.volume_update(context, volume.uuid, {'status': states.IN_USE},
                                expected_status=states.DETACHING)

    def get_attachment(self, context, attachment_id):
        return db.volume_attachment_get(context, attachment_id)

    def get_attachments(self, context, volume_ids):
        return db.volume_attachment_get_all(context, volume_id=list(volume_ids))

    def get_instance_attachments(self, context, instance_uuid):
        return db.volume_attachment_get_all(context, instance_uuid=instance_uuid)

    def connect_attachment(self, context, attachment_id, connector):
        """The attachments API's update: connect the initiator (the volume goes from
        reserved to attaching) and keep the connection_info with the attachment."""
        attachment = db.volume_attachment_get(context, attachment_id)
        volume = db.volume_get(context, attachment.volume_id)
        if volume.status == states.RESERVED:
            volume = db.volume_update(context, volume.uuid, {'status': states.ATTACHING},
                                      expected_status=states.RESERVED)
        info = self.initialize_connection(context, volume, connector)
        values = {'connector': connector, 'connection_info': info,
                  'attached_host': connector.get('host')}
        if attachment.attach_status != states.ATTACHED:
            values['attach_status'] = states.ATTACHING
        if connector.get('mountpoint'):
            values['mountpoint'] = connector['mountpoint']
        return db.volume_attachment_update(context, attachment_id, values)

    # -- volume types -------------------------------------------------------------------
    def get_types(self, context):
        return db.volume_type_get_all(context, is_public=None if context.is_admin else True)

    def get_type(self, context, id_or_name):
        try:
            return db.volume_type_get(context, id_or_name)
        except exception.VolumeTypeNotFound:
            return db.volume_type_get_by_name(context, id_or_name)

    def type_names(self, context):
        """{volume type uuid: name}, deleted types too (volumes keep naming them)."""
        return db.volume_type_names(context.elevated(read_deleted='yes'))

    def default_type(self, context):
        return db.volume_type_get_by_name(context, CONF.default_volume_type)

    def create_type(self, context, name, description=None, is_public=True, extra_specs=None):
        _check_text('name', name)
        _check_text('description', description)
        if not name or not name.strip():
            raise exception.InvalidInput(reason=_('Volume type name can not be empty.'))
        return db.volume_type_create(context, {
            'name': name.strip(), 'description': description, 'is_public': bool(is_public),
            'extra_specs': dict(extra_specs or {})})

    def update_type(self, context, volume_type, **values):
        return db.volume_type_update(context, volume_type.uuid, values)

    def delete_type(self, context, volume_type):
        if volume_type.name == CONF.default_volume_type:
            raise exception.InvalidVolumeType(reason=_('the default volume type cannot be '
                                                       'deleted'))
        db.volume_type_destroy(context, volume_type.uuid)


def _renamed(name, description):
    """The display_name/display_description values an update sets (checked)."""
    _check_text('name', name)
    _check_text('description', description)
    values = {}
    if name is not None:
        values['display_name'] = name
    if description is not None:
        values['display_description'] = description
    return values


def _spec_true(value):
    """A boolean extra spec as Cinder writes them ('<is> True') or plainly ('true')."""
    return str(value or '').replace('<is>', '').strip().lower() in ('true', '1', 'yes')


def _source_kind(snapshot_id, source_volid):
    return 'snapshot' if snapshot_id else ('source volume' if source_volid else 'image')


def _image_metadata(image):
    """What a volume made from an image remembers of it (Cinder's volume_image_metadata)."""
    values = {'image_id': image['id'], 'image_name': image.get('name') or '',
              'checksum': image.get('checksum') or '', 'size': str(image.get('size') or 0),
              'disk_format': image.get('disk_format') or '',
              'container_format': image.get('container_format') or '',
              'min_disk': str(image.get('min_disk') or 0),
              'min_ram': str(image.get('min_ram') or 0)}
    values.update({k: str(v) for k, v in (image.get('properties') or {}).items()})
    return values

