"""Volumes on a compute host: attach, detach, boot from volume, and cleanup on delete.

The API reserved the volume (status attaching, an attachment row) and wrote
the block device mapping; here the host asks the volume's host for the
connection info of its initiator (nova.volume.api -> nova-volume RPC), hands
it to the virt driver and marks the volume in-use, or undoes the reservation
so that the volume is available again. A detach is the reverse from
detaching; a failed one rolls the volume back to in-use. Nothing is left
attaching or detaching: ``recover`` finishes or undoes what a restart cut
short. What the virt drivers receive (``connection_info``) is
``{'driver_volume_type': 'iscsi', 'data': {target_portal, target_iqn,
target_lun, auth_method, auth_username, auth_password, volume_id, ...},
'serial': volume_id}``.
"""
import logging
import time

from nova import exception
from nova.compute import block_device
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.volume import states as volume_states

LOG = logging.getLogger(__name__)


def volume_bdms(bdms):
    return [b for b in bdms if b.destination_type == 'volume']


def block_device_info(bdms, root_device_name=None):
    """What the virt driver's spawn/destroy take: the attached volumes of an instance."""
    return {'root_device_name': root_device_name,
            'block_device_mapping': [
                {'connection_info': b.connection_info, 'mount_device': b.device_name,
                 'boot_index': b.boot_index, 'delete_on_termination': b.delete_on_termination,
                 'disk_bus': b.disk_bus, 'device_type': b.device_type or 'disk'}
                for b in volume_bdms(bdms) if b.connection_info],
            'ephemerals': [], 'swap': None}


class Volumes:
    """The volumes of the instances on this host."""

    def __init__(self, records, driver, volume_api):
        self.records, self.host = records, records.host
        self.driver = driver
        self.volume_api = volume_api

    # -- attach and detach ------------------------------------------------------------
    def _start(self, context, event, instance_uuid, bdm_uuid):
        """The event started; (instance, mapping), or None when either is gone."""
        self.records.event(context, [instance_uuid], event)
        try:
            return (self.records.get(context, instance_uuid),
                    db.block_device_mapping_get(context, bdm_uuid))
        except exception.NotFound as gone:
            LOG.info('%s on %s: %s', event, instance_uuid, gone)
            return None

    def attach_volume(self, context, instance_uuid, bdm_uuid):
        """Connect the reserved volume of bdm and attach it to the guest."""
        event = 'compute_attach_volume'
        found = self._start(context, event, instance_uuid, bdm_uuid)
        if found is None:
            return
        instance, bdm = found
        try:
            self._connect_and_attach(context, instance, bdm, to_guest=True)
        except Exception as error:
            LOG.warning(_LW('Attaching volume %s to %s failed: %s'), bdm.volume_id, instance_uuid,
                        error, exc_info=not isinstance(error, exception.NovaException))
            self.records.fault(context, instance_uuid, error)
            self.records.event(context, [instance_uuid], event, 'Error', error)
            self._forget(context, bdm)
            return
        self.records.event(context, [instance_uuid], event, 'Success')

    def _connect_and_attach(self, context, instance, bdm, to_guest):
        """initialize_connection -> (the driver's attach_volume) -> in-use; the info."""
        volume = self.volume_api.get(context.elevated(), bdm.volume_id)
        connector = self.driver.get_volume_connector(instance)
        info = dict(self.volume_api.initialize_connection(context, volume, connector),
                    serial=volume.uuid)
        if volume.multiattach:  # the driver shares the disk (libvirt: <shareable/>)
            info['multiattach'] = True
        if to_guest:
            self.driver.attach_volume(context, info, instance, bdm.device_name)
        try:
            # the mapping holds its connection before the volume says in-use: whoever
            # sees in-use (a client, a detach, a reattach) finds how it is connected
            bdm = db.block_device_mapping_update(context, bdm.uuid, {'connection_info': info})
            self.volume_api.attach(context, bdm.attachment_id, bdm.device_name, self.host,
                                   connector, info)
            return bdm
        except Exception:
            if to_guest:
                self._quietly(self.driver.detach_volume, context, info, instance,
                              bdm.device_name)
            raise

    def _forget(self, context, bdm):
        """The attachment and the mapping are gone (the volume available once it has
        no other attachment): an attach undone, or a detach finished."""
        if bdm.attachment_id:
            try:
                self.volume_api.detach(context, bdm.attachment_id)
            except exception.NotFound:
                pass
        db.block_device_mapping_destroy(context, bdm.uuid)

    def detach_volume(self, context, instance_uuid, volume_id):
        """Detach from the guest (the volume is detaching), then forget the attachment."""
        event = 'compute_detach_volume'
        self.records.event(context, [instance_uuid], event)
        try:
            instance = self.records.get(context, instance_uuid)
            bdm = db.block_device_mapping_get_by_volume(context, volume_id, instance_uuid)
        except exception.NotFound as gone:
            LOG.info('Detach from %s: %s', instance_uuid, gone)
            return
        try:
            self._detach_from_guest(context, instance, bdm)
        except Exception as error:
            LOG.warning(_LW('Detaching volume %s from %s failed: %s'), volume_id, instance_uuid,
                        error)
            self.records.fault(context, instance_uuid, error)
            self.records.event(context, [instance_uuid], event, 'Error', error)
            self._roll_detaching(context, volume_id)
            return
        self._forget(context, bdm)
        self.records.event(context, [instance_uuid], event, 'Success')

    def reattach_volume(self, context, instance_uuid, volume_id):
        """An in-use volume connected again, as after the volume host or this host
        rebooted (tgtd lost its targets, the guest its sessions): nova-volume makes
        the export again if it is gone (initialize_connection), the mapping gets
        the new connection info, and a guest that exists has the disk unplugged
        and plugged in again. Errors go back to the caller (nova-manage)."""
        instance = self.records.get(context, instance_uuid)
        bdm = db.block_device_mapping_get_by_volume(context, volume_id, instance_uuid)
        volume = self.volume_api.get(context.elevated(), volume_id)
        if volume.status != volume_states.IN_USE:
            raise exception.InvalidVolume(reason='volume %s is %s, not in-use' % (
                volume_id, volume.status))
        connector = self.driver.get_volume_connector(instance)
        info = dict(self.volume_api.initialize_connection(context, volume, connector),
                    serial=volume.uuid)
        if self.driver.instance_exists(instance):
            self._detach_from_guest(context, instance, bdm)
            self.driver.attach_volume(context, info, instance, bdm.device_name)
        db.block_device_mapping_update(context, bdm.uuid, {'connection_info': info})
        LOG.info('Reattached volume %s to %s as %s', volume_id, instance_uuid,
                 bdm.device_name)
        return info

    def swap_volume(self, context, instance_uuid, bdm_uuid, new_volume_id, new_attachment_id):
        """Connect the new volume, have the driver swap it in at the mapping's device,
        then the mapping names it (in-use) and the old one is released (available,
        its export dropped). A failure gives the new one up and the old one back."""
        event = 'compute_swap_volume'
        found = self._start(context, event, instance_uuid, bdm_uuid)
        if found is None:
            return
        instance, bdm = found
        new_info = connector = None
        try:
            new = self.volume_api.get(context.elevated(), new_volume_id)
            connector = self.driver.get_volume_connector(instance)
            new_info = dict(self.volume_api.initialize_connection(context, new, connector),
                            serial=new.uuid)
            if new.multiattach:
                new_info['multiattach'] = True
            self.driver.swap_volume(context, bdm.connection_info, new_info, instance,
                                    bdm.device_name, new.size)
        except Exception as error:
            LOG.warning(_LW('Swapping volume %s for %s on %s failed: %s'), bdm.volume_id,
                        new_volume_id, instance_uuid, error,
                        exc_info=not isinstance(error, exception.NovaException))
            self.records.fault(context, instance_uuid, error)
            self.records.event(context, [instance_uuid], event, 'Error', error)
            self._quietly(self.volume_api.detach, context, new_attachment_id)
            self._roll_detaching(context, bdm.volume_id)
            return
        self.volume_api.attach(context, new_attachment_id, bdm.device_name, self.host,
                               connector, new_info)
        db.block_device_mapping_update(context, bdm.uuid, {
            'volume_id': new.uuid, 'attachment_id': new_attachment_id,
            'connection_info': new_info, 'volume_size': new.size})
        if bdm.attachment_id:
            self._quietly(self.volume_api.detach, context, bdm.attachment_id)
        LOG.info('Swapped volume %s for %s on %s at %s', bdm.volume_id, new.uuid,
                 instance_uuid, bdm.device_name)
        self.records.event(context, [instance_uuid], event, 'Success')

    def _detach_from_guest(self, context, instance, bdm):
        if not bdm.connection_info or not self.driver.instance_exists(instance):
            return
        try:
            self.driver.detach_volume(context, bdm.connection_info, instance, bdm.device_name)
        except exception.DeviceNotAttached:
            pass  # already gone from the guest: detaching it is done

    def _roll_detaching(self, context, volume_id):
        try:
            self.volume_api.roll_detaching(context, self.volume_api.get(context.elevated(),
                                                                        volume_id))
        except (exception.VolumeNotFound, exception.InvalidVolume):
            pass

    # -- boot from volume ---------------------------------------------------------------
    def prepare_boot(self, context, instance, bdms=None):
        """Make (from an image, a snapshot or blank), reserve and connect the volumes
        the instance boots with; the driver's block_device_info. ``bdms``: its
        mappings, if the caller read them (a build reads those of its batch at once)."""
        if bdms is None:
            bdms = db.block_device_mapping_get_all_by_instance(context, instance.uuid)
        ready = []
        for bdm in volume_bdms(bdms):
            if not bdm.volume_id:
                bdm = self._create_volume(context, instance, bdm)
            if not bdm.attachment_id:
                volume = self.volume_api.get(context, bdm.volume_id)
                attachment = self.volume_api.reserve(context, volume, instance.uuid)
                bdm = db.block_device_mapping_update(context, bdm.uuid,
                                                     {'attachment_id': attachment.uuid})
            if not bdm.connection_info:
                bdm = self._connect_and_attach(context, instance, bdm, to_guest=False)
            ready.append(bdm)
        return block_device_info(ready, instance.root_device_name)

    def _create_volume(self, context, instance, bdm):
        """A volume for the mapping, waited for until available."""
        volume = self.volume_api.create(
            context, size=bdm.volume_size, name='', description='',
            image_id=bdm.image_id if bdm.source_type == 'image' else None,
            snapshot_id=bdm.snapshot_id if bdm.source_type == 'snapshot' else None,
            volume_type=bdm.volume_type, availability_zone=None)
        bdm = db.block_device_mapping_update(context, bdm.uuid, {'volume_id': volume.uuid})
        deadline = time.monotonic() + CONF.block_device_allocate_timeout
        while True:
            volume = self.volume_api.get(context, volume.uuid)
            if volume.status == volume_states.AVAILABLE:
                return bdm
            if volume.status == volume_states.ERROR or time.monotonic() > deadline:
                raise exception.InvalidVolume(
                    reason='volume %s for instance %s is %s after %ss' % (
                        volume.uuid, instance.uuid, volume.status,
                        CONF.block_device_allocate_timeout))
            time.sleep(0.1)

    def block_device_info(self, context, instance, bdms=None):
        if bdms is None:
            bdms = db.block_device_mapping_get_all_by_instance(context, instance.uuid)
        return block_device_info(bdms, instance.root_device_name)

    # -- delete -------------------------------------------------------------------------
    def cleanup(self, context, instance, bdms=None):
        """After the guest is gone: its volumes are released (block_device); bdms: its
        mappings, if the caller read them already (a deleting instance gets no new ones)."""
        block_device.release_volumes(context, self.volume_api, instance.uuid, LOG, bdms)

    # -- restart --------------------------------------------------------------------------
    def recover(self, context, instance):
        """Finish or undo the attaches and detaches a restart cut short. A swap cut
        short (the new volume's attachment named by no mapping) is undone: the new
        volume given up, the old one, detaching, in-use again."""
        bdms = volume_bdms(db.block_device_mapping_get_all_by_instance(context,
                                                                       instance.uuid))
        mapped = {b.attachment_id for b in bdms}
        swapping = [a for a in self.volume_api.get_instance_attachments(context,
                                                                        instance.uuid)
                    if a.uuid not in mapped and a.attach_status != volume_states.ATTACHED]
        for attachment in swapping:
            LOG.info('Volume %s was being swapped in on %s: undone', attachment.volume_id,
                     instance.uuid)
            self._quietly(self.volume_api.detach, context, attachment.uuid)
        for bdm in bdms:
            if not bdm.volume_id:
                continue
            try:
                volume = self.volume_api.get(context.elevated(), bdm.volume_id)
            except exception.VolumeNotFound:
                db.block_device_mapping_destroy(context, bdm.uuid)
                continue
            if volume.status == volume_states.ATTACHING and not bdm.connection_info:
                LOG.info('Volume %s was being attached to %s: undone', volume.uuid,
                         instance.uuid)
                self._forget(context, bdm)
            elif volume.status == volume_states.DETACHING and swapping:
                self._roll_detaching(context, volume.uuid)
            elif volume.status == volume_states.DETACHING:
                LOG.info('Volume %s was being detached from %s: finishing', volume.uuid,
                         instance.uuid)
                self.detach_volume(context, instance.uuid, volume.uuid)

    @staticmethod
    def _quietly(func, *args):
        try:
            func(*args)
        except Exception:
            LOG.exception(_LE('Cleanup step %s failed'), func.__name__)
