"""Volume manager: the host side of nova-volume.

It makes volumes and snapshots with the volume driver (--volume_driver) and
exports each volume as its own iSCSI target (--iscsi_helper) with its own
CHAP account, kept in the volume row. As in Cinder, the export is made when
an initiator first asks for a connection (initialize_connection), not when
the volume is created: most volumes are made and deleted without ever
being attached, and an export is half a dozen tgtadm commands each way.
Every step starts from the status the API set (creating, deleting, extending,
uploading) and ends by moving it on with a compare-and-swap; a failure cleans
up what the step made and leaves an error status. ``init_host`` resolves
whatever a crash interrupted (a volume being created is cleaned up and set to
error, a delete or an extension is finished or rolled back) and rebuilds from
the database the exports of the volumes that had one. Capacity goes to the
schedulers at start, periodically, and when a scheduler asks.
"""
import logging

from nova import context as nova_context
from nova import exception
from nova import manager
from nova import utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.image import cache as image_cache
from nova.image import service as image_service
from nova.scheduler import rpcapi as scheduler_rpcapi
from nova.volume import drivers
from nova.volume import events
from nova.volume import image_io
from nova.volume import quota as volume_quota
from nova.volume import rpcapi
from nova.volume import states
from nova.volume import targets

LOG = logging.getLogger(__name__)

# statuses of volumes whose storage exists and is exported
EXPORTED = (states.AVAILABLE, states.IN_USE, states.ATTACHING, states.DETACHING, states.RESERVED,
            states.EXTENDING, states.ERROR_EXTENDING, states.UPLOADING, 'maintenance')


def volume_name(volume):
    return CONF.volume_name_template % volume.uuid


def snapshot_name(snapshot):
    return CONF.snapshot_name_template % snapshot.uuid


class VolumeManager(manager.Manager):
    RPC_API = rpcapi.VolumeAPI

    def __init__(self, host=None, service_name=None, driver=None, target=None):
        super().__init__(host, service_name)
        self.driver = driver or drivers.load_volume_driver(self.host)
        self.target = target or targets.load_target()
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self.image_api = image_service.get_default_image_service()
        self._locks = utils.KeyedLocks()  # one operation at a time per volume
        self.events = events.VolumeEvents(self.host)
        self._target_ready = False

    # -- start-up and recovery ------------------------------------------------
    def init_host(self):
        """Check the backend, finish or fail interrupted work, rebuild the exports."""
        self.driver.check_for_setup_error()
        ctxt = nova_context.get_admin_context()
        volumes = db.volume_get_all(ctxt, {'host': self.host})
        for volume in volumes:
            try:
                self._recover(ctxt, volume)
            except Exception:
                LOG.exception(_LE('Could not recover volume %s'), volume.uuid)
        self._recover_snapshots(ctxt, [v.uuid for v in volumes])
        exported = [v for v in db.volume_get_all(ctxt, {'host': self.host})
                    if v.status in EXPORTED and v.provider_location]
        self._ensure_exports(ctxt, exported)
        self._report(ctxt)

    def _recover(self, ctxt, volume):
        if volume.status == states.CREATING:
            LOG.info('Volume %s was being created when the service stopped: '
                     'cleaning up, status error', volume.uuid)
            self._fail_create(ctxt, volume)
        elif volume.status == states.DELETING:
            LOG.info('Volume %s was being deleted when the service stopped: finishing',
                     volume.uuid)
            self.delete_volume(ctxt, volume.uuid)
        elif volume.status == states.EXTENDING:
            LOG.info('Volume %s was being extended when the service stopped: finishing',
                     volume.uuid)
            self.extend_volume(ctxt, volume.uuid)
        elif volume.status == states.UPLOADING:
            LOG.info('Volume %s was uploading to an image when the service stopped',
                     volume.uuid)
            self._end_upload(ctxt, volume)

    def _recover_snapshots(self, ctxt, volume_ids):
        if not volume_ids:
            return
        for snapshot in db.snapshot_get_all(ctxt, {
                'volume_id': volume_ids, 'status': [states.CREATING, states.DELETING]}):
            if snapshot.status == states.DELETING:
                self.delete_snapshot(ctxt, snapshot.uuid)
                continue
            LOG.info('Snapshot %s was being created when the service stopped: status error',
                     snapshot.uuid)
            self._quietly(self.driver.delete_snapshot, snapshot_name(snapshot))
            self._set_snapshot_status(ctxt, snapshot.uuid, states.ERROR, states.CREATING)

    def _ensure_exports(self, ctxt, volumes):
        """Export every volume as the database says, and drop targets of ours no
        volume of this host has (left by a crash between export and delete)."""
        if not volumes and not self.target.is_running():
            return  # nothing to export: no daemon started for nothing
        wanted = {self.target.iqn(volume_name(v)) for v in volumes}
        for volume in volumes:
            try:
                self._export(ctxt, volume)
            except Exception:
                LOG.exception(_LE('Could not export volume %s'), volume.uuid)
        prefix = self.target.iqn(CONF.volume_name_template % '')
        for iqn in self.target.list_exports():
            if iqn.startswith(prefix) and iqn not in wanted:
                LOG.info('Removing the orphan export %s', iqn)
                self._quietly(self.target.remove_export, iqn[len(CONF.iscsi_target_prefix):])

    # -- helpers ------------------------------------------------------------------
    @staticmethod
    def _quietly(func, *args):
        """Best-effort cleanup: log, never raise."""
        try:
            func(*args)
        except Exception:
            LOG.exception(_LE('Cleanup step %s%r failed'), func.__name__, args)

    def _check_target(self):
        if not self._target_ready:
            self.target.check_for_setup_error()  # may start tgtd (--tgtd_start)
            self._target_ready = True

    def _export(self, ctxt, volume):
        """(Re)create the volume's target from its row; saves where it is if that changed."""
        self._check_target()
        chap = targets.parse_auth(volume.provider_auth)
        if chap is None and CONF.use_chap_auth:
            chap = targets.generate_chap()
        try:
            location = self.target.create_export(
                volume_name(volume), self.driver.local_path(volume_name(volume)), chap)
        except exception.ISCSITargetError:
            self._target_ready = False  # the daemon may be gone: check it next time
            raise
        values = {'provider_location': location, 'provider_auth': targets.format_auth(chap)}
        if any(getattr(volume, k) != v for k, v in values.items()):
            db.volume_update(ctxt, volume.uuid, values, reload=False)
        return values

    def _unexport(self, volume):
        """Remove the volume's export if it has one (a target made but not yet saved
        in the row, by a crash mid-export, is an orphan init_host removes)."""
        if volume.provider_location:
            self.target.remove_export(volume_name(volume),
                                      targets.parse_auth(volume.provider_auth))

    @staticmethod
    def _set_status(ctxt, volume_id, status, expected, **values):
        """Move on a volume we were working on; False when it moved on meanwhile."""
        try:
            db.volume_update(ctxt, volume_id, dict(values, status=status),
                             expected_status=expected, reload=False)
            return True
        except (exception.VolumeNotFound, exception.InvalidVolume) as e:
            LOG.warning(_LW('Volume %s: not set to %s: %s'), volume_id, status, e)
            return False

    @staticmethod
    def _set_snapshot_status(ctxt, snapshot_id, status, expected, **values):
        try:
            db.snapshot_update(ctxt, snapshot_id, dict(values, status=status),
                               expected_status=expected)
        except (exception.SnapshotNotFound, exception.InvalidSnapshot) as e:
            LOG.warning(_LW('Snapshot %s: not set to %s: %s'), snapshot_id, status, e)

    def _get(self, ctxt, volume_id, status):
        """The volume, if it is here and in status (else None: nothing to do)."""
        try:
            volume = db.volume_get(ctxt, volume_id)
        except exception.VolumeNotFound:
            return None
        if volume.host != self.host or volume.status != status:
            LOG.info('Volume %s is %s on %s, not %s here: nothing to do', volume_id,
                     volume.status, volume.host, status)
            return None
        return volume

    # -- create and delete -------------------------------------------------------
    def create_volume(self, context, volume_id):
        """Make the storage (empty, from a snapshot, a volume or an image); the export
        waits for the first initialize_connection."""
        with self._locks(volume_id):
            volume = self._get(context, volume_id, states.CREATING)
            if volume is None:
                return
            self.events.volume(context, volume, 'create.start')
            name = volume_name(volume)
            try:
                self._make_storage(context, volume, name)
            except Exception as error:
                LOG.warning(_LW('Creating volume %s failed: %s'), volume_id, error,
                            exc_info=not isinstance(error, exception.NovaException))
                self._fail_create(context, volume)
                self.events.volume(context, volume, 'create.error', error, status=states.ERROR)
                return
            launched_at = utils.utcnow()
            self._set_status(context, volume_id, states.AVAILABLE, states.CREATING,
                             launched_at=launched_at)
            self.events.volume(context, volume, 'create.end', status=states.AVAILABLE,
                               launched_at=launched_at)
        LOG.info('Created volume %s (%d GiB)', volume_id, volume.size)

    def _make_storage(self, context, volume, name):
        if volume.snapshot_id:
            snapshot = db.snapshot_get(context, volume.snapshot_id)
            self.driver.create_volume_from_snapshot(name, volume.size, snapshot_name(snapshot),
                                                    snapshot.volume_size)
        elif volume.source_volid:
            source = db.volume_get(context, volume.source_volid)
            self.driver.create_cloned_volume(name, volume.size, volume_name(source),
                                             source.size)
        else:
            self.driver.create_volume(name, volume.size)
        if volume.image_id:
            self._copy_image_to_volume(context, volume, name)

    def _copy_image_to_volume(self, context, volume, name):
        image = self.image_api.show(context, volume.image_id)
        path = self._image_cache().fetch(context, volume.image_id, image)
        image_io.write_image(path, image['disk_format'], self.driver.local_path(name),
                             volume.size, self.driver.thin_provisioning)

    def _image_cache(self):
        return image_cache.ImageCache(self.image_api, base_dir=CONF.volumes_dir + '/_base')

    def _fail_create(self, context, volume):
        self._quietly(self._unexport, volume)
        self._quietly(self.driver.delete_volume, volume_name(volume))
        self._set_status(context, volume.uuid, states.ERROR, states.CREATING)

    def delete_volume(self, context, volume_id, cascade=True):
        """Remove the export and the storage, then the row (releasing its quota).

        cascade: the volume may have snapshots (deleting with it) to delete first;
        False when the API moved it to deleting only because it had none."""
        with self._locks(volume_id):
            volume = self._get(context, volume_id, states.DELETING)
            if volume is None:
                return
            self.events.volume(context, volume, 'delete.start')
            for snapshot in db.snapshot_get_all(context, {'volume_id': volume_id}) \
                    if cascade else ():
                self.delete_snapshot(context, snapshot.uuid)  # a cascade: they go first
            try:
                self._unexport(volume)
                self.driver.delete_volume(volume_name(volume))
            except Exception as error:
                LOG.warning(_LW('Deleting volume %s failed: %s'), volume_id, error)
                self._set_status(context, volume_id, states.ERROR_DELETING, states.DELETING)
                self.events.volume(context, volume, 'delete.error', error,
                                   status=states.ERROR_DELETING)
                return
            try:
                # a deleting volume takes no attachment: only one read with some has any
                db.volume_destroy(context, volume_id, quota=volume_quota.release(
                    volume.project_id, volumes=1, gigabytes=volume.size),
                    attachments=bool(volume.attachment_rows))
            except exception.VolumeNotFound:
                pass
            self.events.volume(context, volume, 'delete.end', status='deleted')
        LOG.info('Deleted volume %s', volume_id)

    # -- extend ---------------------------------------------------------------------
    def extend_volume(self, context, volume_id):
        """Grow the volume to its pending_size; on failure give the reserved quota back."""
        with self._locks(volume_id):
            volume = self._get(context, volume_id, states.EXTENDING)
            if volume is None:
                return
            new_size = volume.pending_size or volume.size
            self.events.volume(context, volume, 'resize.start')
            name = volume_name(volume)
            try:
                self.driver.extend_volume(name, new_size)
                exported = {}
                if volume.provider_location:
                    # tgt reads a LUN's size when the LUN is made: make it again
                    self._unexport(volume)
                    exported = self._export(context, volume)
            except Exception as error:
                LOG.warning(_LW('Extending volume %s failed: %s'), volume_id, error)
                if volume.provider_location:
                    self._quietly(self._export, context, volume)
                try:
                    db.volume_update(context, volume_id, {
                        'status': states.ERROR_EXTENDING, 'pending_size': None},
                        expected_status=states.EXTENDING, quota=volume_quota.release(
                            volume.project_id, gigabytes=new_size - volume.size))
                except (exception.VolumeNotFound, exception.InvalidVolume):
                    pass
                self.events.volume(context, volume, 'resize.error', error,
                                   status=states.ERROR_EXTENDING)
                return
            self._set_status(context, volume_id, states.AVAILABLE, states.EXTENDING,
                             size=new_size, pending_size=None, **exported)
        self.events.volume(context, volume, 'resize.end', status=states.AVAILABLE,
                           size=new_size)
        LOG.info('Extended volume %s to %d GiB', volume_id, new_size)

    # -- snapshots ------------------------------------------------------------------
    def create_snapshot(self, context, snapshot_id):
        try:
            snapshot = db.snapshot_get(context, snapshot_id)
            volume = db.volume_get(context, snapshot.volume_id)
        except (exception.SnapshotNotFound, exception.VolumeNotFound):
            return
        if snapshot.status != states.CREATING:
            return
        self.events.snapshot(context, snapshot, 'create.start')
        with self._locks(volume.uuid):
            try:
                self.driver.create_snapshot(snapshot_name(snapshot), volume_name(volume),
                                            snapshot.volume_size)
            except Exception as error:
                LOG.warning(_LW('Snapshot %s of volume %s failed: %s'), snapshot_id, volume.uuid,
                            error)
                self._quietly(self.driver.delete_snapshot, snapshot_name(snapshot))
                self._set_snapshot_status(context, snapshot_id, states.ERROR, states.CREATING)
                self.events.snapshot(context, snapshot, 'create.error', error,
                                     status=states.ERROR)
                return
        self._set_snapshot_status(context, snapshot_id, states.AVAILABLE, states.CREATING,
                                  progress='100%')
        self.events.snapshot(context, snapshot, 'create.end', status=states.AVAILABLE)
        LOG.info('Created snapshot %s of volume %s', snapshot_id, volume.uuid)

    def delete_snapshot(self, context, snapshot_id):
        try:
            snapshot = db.snapshot_get(context, snapshot_id)
        except exception.SnapshotNotFound:
            return
        if snapshot.status != states.DELETING:
            return
        self.events.snapshot(context, snapshot, 'delete.start')
        try:
            self.driver.delete_snapshot(snapshot_name(snapshot))
        except Exception as error:
            LOG.warning(_LW('Deleting snapshot %s failed: %s'), snapshot_id, error)
            self._set_snapshot_status(context, snapshot_id, states.ERROR_DELETING,
                                      states.DELETING)
            self.events.snapshot(context, snapshot, 'delete.error', error,
                                 status=states.ERROR_DELETING)
            return
        try:
            db.snapshot_destroy(context, snapshot_id, quota=volume_quota.release(
                snapshot.project_id, snapshots=1, gigabytes=snapshot.volume_size))
        except exception.SnapshotNotFound:
            pass
        self.events.snapshot(context, snapshot, 'delete.end', status='deleted')
        LOG.info('Deleted snapshot %s', snapshot_id)

    # -- connections ----------------------------------------------------------------
    def initialize_connection(self, context, volume_id, connector):
        """The iSCSI connection_info for an initiator; the export is made again if
        the target daemon lost it (restarted)."""
        with self._locks(volume_id):
            volume = db.volume_get(context, volume_id)
            if volume.host != self.host or volume.status not in EXPORTED:
                raise exception.InvalidVolume(reason='volume %s is %s on %s' % (
                    volume_id, volume.status, volume.host))
            exported = self._export(context, volume)
        LOG.info('Connection to volume %s for %s', volume_id,
                 (connector or {}).get('host') or (connector or {}).get('initiator'))
        return {'driver_volume_type': 'iscsi',
                'data': self.target.connection_properties(
                    volume_id, exported['provider_location'], exported['provider_auth'])}

    def remove_export(self, context, volume_id):
        """Drop the volume's target once no attachment needs it (the API asks after a
        detach left none): no initiator can log in to a volume nothing is attached
        to. The CHAP account stays in the row, so the next initialize_connection
        makes the same target again; an attachment made meanwhile keeps it."""
        with self._locks(volume_id):
            try:
                volume = db.volume_get(context, volume_id)
            except exception.VolumeNotFound:
                return
            if volume.host != self.host or volume.attachment_rows or \
                    not volume.provider_location:
                return
            self._unexport(volume)
            self._set_status(context, volume_id, volume.status, volume.status,
                             provider_location=None)
        LOG.info('Removed the export of volume %s: nothing is attached to it', volume_id)

    # -- images ---------------------------------------------------------------------
    def copy_volume_to_image(self, context, volume_id, image_id):
        """Upload the volume's data into a queued image, then give the volume back its
        previous status (the image is killed if the upload fails)."""
        with self._locks(volume_id):
            volume = self._get(context, volume_id, states.UPLOADING)
            if volume is None:
                return
            try:
                image = self.image_api.show(context, image_id)
                with image_io.volume_data(self.driver.local_path(volume_name(volume)),
                                          image['disk_format'], CONF.volumes_dir) as (data, size):
                    self.image_api.upload(context, image_id, data, size=size)
            except Exception as error:
                LOG.warning(_LW('Uploading volume %s to image %s failed: %s'), volume_id,
                            image_id, error)
            finally:
                self._end_upload(context, volume)

    def _end_upload(self, context, volume):
        self._set_status(context, volume.uuid, volume.previous_status or states.AVAILABLE,
                         states.UPLOADING)

    # -- capacity -------------------------------------------------------------------
    def publish_service_capabilities(self, context):
        self._report(context)

    @manager.periodic_task(spacing='volume_stats_interval')
    def report_capacity(self, context):
        """Tell the schedulers what this host has now; finish the deletes no message
        brought (nova-manage volume delete, a lost cast); drop unneeded images."""
        self._report(context)
        volumes = db.volume_get_all(context, {'host': self.host})
        for volume in volumes:
            if volume.status == states.DELETING:
                self.delete_volume(context, volume.uuid)
        for snapshot in db.snapshot_get_all(context, {
                'volume_id': [v.uuid for v in volumes], 'status': states.DELETING}):
            self.delete_snapshot(context, snapshot.uuid)
        self._image_cache().remove_unused(())

    def _report(self, ctxt):
        try:
            stats = dict(self.driver.get_volume_stats())
        except Exception:
            LOG.exception(_LE('Could not read the capacity of the volume backend'))
            return
        stats.update(volume_backend_name=CONF.volume_backend_name,
                     availability_zone=CONF.storage_availability_zone,
                     max_over_subscription_ratio=CONF.max_over_subscription_ratio,
                     reserved_percentage=CONF.reserved_percentage,
                     updated_at=utils.utcnow().isoformat())  # claims are finer than seconds
        self.scheduler_rpcapi.update_volume_stats(ctxt, self.host, stats)
