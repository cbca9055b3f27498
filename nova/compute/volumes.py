"""Volume attachments of instances, the API side (the host's is nova/compute/host/volumes.py).

attach: the volume (the caller's, available) is reserved for the instance
(attaching, with an attachment row) and mapped to the next free device in one
step each, then the instance's host connects and attaches it (in-use). detach:
in-use -> detaching, then the host detaches it and the volume is available.
Anything refused leaves the volume as it was. Shelved-offloaded instances have
no host to attach to and are refused (409), as are locked ones.
"""
import logging

from nova import exception
from nova.compute import block_device, capabilities, resize_quota, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import check_instance_lock, check_instance_state
from nova.db import api as db
from nova.virt import driver as virt_driver
from nova.volume import states as volume_states

LOG = logging.getLogger(__name__)

ATTACH_STATES = [vm_states.ACTIVE, vm_states.PAUSED, vm_states.STOPPED, vm_states.RESIZED,
                 vm_states.SUSPENDED, vm_states.SOFT_DELETED, vm_states.SHELVED]


class VolumeAttachAPI:
    """Mixin of nova.compute.api.API."""

    def get_volume_attachments(self, context, instance):
        """The instance's volume mappings, the root first."""
        return [b for b in db.block_device_mapping_get_all_by_instance(context, instance.uuid)
                if b.destination_type == 'volume' and b.volume_id]

    def volume_mappings(self, context, instances):
        """{instance uuid: [volume mappings, root first]} in one query (list views)."""
        found = db.block_device_mapping_get_all_by_instance_uuids(
            context, [i.uuid for i in instances])
        return {uuid: [b for b in bdms if b.destination_type == 'volume' and b.volume_id]
                for uuid, bdms in found.items()}

    def volumes_attached(self, context, instances):
        """{instance uuid: [(volume id, delete_on_termination)]} in one query (views)."""
        return db.block_device_volumes_by_instance_uuids(context, [i.uuid for i in instances])

    def get_volume_attachment(self, context, instance, volume_id):
        for bdm in self.get_volume_attachments(context, instance):
            if bdm.volume_id == volume_id:
                return bdm
        raise exception.VolumeNotAttached(volume_id=volume_id, instance_uuid=instance.uuid)

    @check_instance_lock
    @check_instance_state(vm_state=ATTACH_STATES + [vm_states.SHELVED_OFFLOADED])
    def attach_volume(self, context, instance, volume_id, device=None, tag=None,
                      delete_on_termination=False, supports_multiattach=False):
        """Reserve the volume and map it, then have the host attach it; the mapping.
        A shelved-offloaded instance has no host: the volume is attached (in-use)
        without a connection, which the host that unshelves it makes (as Nova 2.20).
        supports_multiattach: the caller asked for 2.60 or later, as a multiattach
        volume needs (and a host whose driver can share a disk)."""
        virt_driver.compute_driver_class().require('supports_attach_volume', 'attach_volume')
        volume = self.volume_api.get(context, volume_id)
        if volume.multiattach:
            self._check_multiattach(context, instance, volume, supports_multiattach)
        used = [b.device_name for b in db.block_device_mapping_get_all_by_instance(
            context, instance.uuid)]
        [values] = block_device.device_names([{
            'boot_index': None, 'device_name': device}], used,
            instance.root_device_name or block_device.ROOT_DEVICE)
        compute_utils.start_action(context, instance.uuid, 'attach_volume')
        attachment = self.volume_api.reserve(context, volume, instance.uuid)
        bdm = None
        try:
            bdm = db.block_device_mapping_create(context, {
                'instance_uuid': instance.uuid, 'source_type': 'volume',
                'destination_type': 'volume', 'volume_id': volume.uuid,
                'device_name': values['device_name'], 'boot_index': None,
                'delete_on_termination': bool(delete_on_termination), 'tag': tag,
                'attachment_id': attachment.uuid, 'volume_size': volume.size})
            if instance.host:
                self.compute_rpcapi.attach_volume(context, instance, bdm.uuid)
            else:
                self.volume_api.attach(context, attachment.uuid, bdm.device_name, None)
        except Exception:
            self.volume_api.detach(context, attachment.uuid)
            if bdm is not None:
                db.block_device_mapping_destroy(context, bdm.uuid)
            raise
        return bdm

    @check_instance_lock
    @check_instance_state(vm_state=ATTACH_STATES + [vm_states.SHELVED_OFFLOADED])
    def detach_volume(self, context, instance, volume_id):
        """detaching, then the host detaches it; the root volume stays."""
        bdm = self.get_volume_attachment(context, instance, volume_id)
        if bdm.boot_index == 0:
            raise exception.InvalidVolume(reason='Cannot detach a root device volume')
        volume = self.volume_api.get(context.elevated(), volume_id)
        compute_utils.start_action(context, instance.uuid, 'detach_volume')
        self.volume_api.begin_detaching(context, volume)
        if not instance.host:
            self.volume_api.detach(context, bdm.attachment_id)
            db.block_device_mapping_destroy(context, bdm.uuid)
            return
        try:
            self.compute_rpcapi.detach_volume(context, instance, volume_id)
        except Exception:
            self.volume_api.roll_detaching(context, volume)
            raise

    def reattach_volume(self, context, instance, volume_id):
        """Connect an attached volume to the instance again (nova-manage volume
        reattach, after a reboot); the instance's host answers with the
        connection_info. VolumeNotAttached when it is not attached there."""
        bdm = self.get_volume_attachment(context, instance, volume_id)
        if not instance.host:
            raise exception.InvalidVolume(reason='instance %s has no host (shelved '
                                          'offloaded): nothing to reconnect' % instance.uuid)
        info = self.compute_rpcapi.reattach_volume(context, instance, volume_id)
        return bdm, info

    @staticmethod
    def _check_multiattach(context, instance, volume, supports_multiattach):
        if not supports_multiattach:
            raise exception.MultiattachNotSupportedOldMicroversion()
        if instance.host:  # a shelved-offloaded one is checked where it is unshelved
            _driver, found = capabilities.host_capabilities(context, instance.host)
            if not (found or {}).get('supports_multiattach'):
                raise exception.MultiattachNotSupportedByVirtDriver(volume_id=volume.uuid)

    def update_volume_attachment(self, context, instance, volume_id,
                                 delete_on_termination=None):
        """Change delete_on_termination of an attached volume (2.85)."""
        bdm = self.get_volume_attachment(context, instance, volume_id)
        if delete_on_termination is not None:
            bdm = db.block_device_mapping_update(context, bdm.uuid, {
                'delete_on_termination': bool(delete_on_termination)})
        return bdm

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED, vm_states.RESIZED])
    def swap_volume(self, context, instance, old_volume_id, new_volume_id):
        """Replace an attached volume by another at the same device (as Nova): the
        old one detaching, the new one reserved for the instance, then the host's
        driver swaps them under the guest (a cast: 202). A multiattach volume with
        more than one attachment is not swapped; the new one is no smaller."""
        capabilities.require(context, instance, 'supports_swap_volume', 'swap_volume')
        bdm = self.get_volume_attachment(context, instance, old_volume_id)
        old = self.volume_api.get(context.elevated(), old_volume_id)
        new = self.volume_api.get(context, new_volume_id)
        for volume in (old, new):
            if volume.multiattach and len(volume.attachments) > 1:
                raise exception.MultiattachSwapVolumeNotSupported()
        if new.size < old.size:
            raise exception.InvalidVolume(reason='New volume must be the same size or '
                                                 'larger.')
        compute_utils.start_action(context, instance.uuid, 'swap_volume')
        self.volume_api.begin_detaching(context, old)
        try:
            attachment = self.volume_api.reserve(context, new, instance.uuid)
        except Exception:
            self.volume_api.roll_detaching(context, old)
            raise
        try:
            self.compute_rpcapi.swap_volume(context, instance, bdm.uuid, new.uuid,
                                            attachment.uuid)
        except Exception:
            self.volume_api.detach(context, attachment.uuid)
            self.volume_api.roll_detaching(context, old)
            raise

    def _release_volumes(self, context, instance):
        """A local delete (no host to do it): the instance's volumes are released."""
        block_device.release_volumes(context, self.volume_api, instance.uuid, LOG)

    # -- boot from volume (create) -------------------------------------------------------
    def _check_mapped_volumes(self, context, bdms, max_count, supports_multiattach):
        """Every existing volume the servers are to have: the caller's, available (a
        multiattach one also in use, and only from 2.60, as Nova); whether one is
        multiattach (the host must then share disks)."""
        shared = False
        for bdm in bdms:
            if bdm['source_type'] == 'volume':
                if max_count > 1:
                    raise exception.InvalidInput(reason='Cannot attach one or more volumes '
                                                        'to multiple instances')
                volume = self.volume_api.get(context, bdm['volume_id'])
                if volume.multiattach and not supports_multiattach:
                    raise exception.MultiattachNotSupportedOldMicroversion()
                allowed = volume_states.MULTIATTACHABLE if volume.multiattach else (
                    volume_states.AVAILABLE,)
                if volume.status not in allowed:
                    raise exception.InvalidVolume(reason='volume %s is %s, not available' % (
                        volume.uuid, volume.status))
                shared = shared or volume.multiattach
        return shared

    def _volume_image(self, context, bdms):
        """What a server booting from a volume knows of its image: the image its root
        volume is made from, or the image properties the volume (or the snapshot's
        volume) carries."""
        root = next(b for b in bdms if b['boot_index'] == 0)
        if root['source_type'] == 'image':
            image = self.image_api.show(context, root['image_id'])
            if image['status'] != 'active':
                raise exception.ImageNotActive(image_id=image['id'])
            root['volume_size'] = root['volume_size'] or max(
                image.get('min_disk') or 0, -(-(image.get('size') or 0) // GiB), 1)
            return {'id': '', 'properties': dict(image['properties'])}
        if root['source_type'] == 'snapshot':
            snapshot = self.volume_api.get_snapshot(context, root['snapshot_id'])
            root['volume_size'] = root['volume_size'] or snapshot.volume_size
            volume = self.volume_api.get(context.elevated(), snapshot.volume_id)
        else:
            volume = self.volume_api.get(context, root['volume_id'])
        if not volume.bootable:
            raise exception.InvalidInput(reason='Block Device %s is not bootable.'
                                         % volume.uuid)
        properties = {k: v for k, v in (volume.image_metadata or {}).items()
                      if k not in _IMAGE_FIELDS}
        return {'id': '', 'properties': properties}

    def _reserve_boot_volumes(self, context, instances, bdms):
        """The existing volumes new servers boot with are reserved for them at once;
        if one cannot be, the servers are deleted and their reservations undone."""
        if not any(b['source_type'] == 'volume' for b in bdms):
            return
        try:
            for instance in instances:
                for bdm in db.block_device_mapping_get_all_by_instance(context, instance.uuid):
                    if bdm.source_type == 'volume' and bdm.volume_id:
                        volume = self.volume_api.get(context, bdm.volume_id)
                        attachment = self.volume_api.reserve(context, volume, instance.uuid)
                        db.block_device_mapping_update(context, bdm.uuid,
                                                       {'attachment_id': attachment.uuid})
        except Exception:
            for instance in instances:
                self._release_volumes(context, instance)
                db.instance_destroy(context, instance.uuid,
                                    quota=resize_quota.release_on_delete(instance))
            raise


GiB = 1024 ** 3
# what Cinder's volume_image_metadata holds about the image itself, not its properties
_IMAGE_FIELDS = ('image_id', 'image_name', 'checksum', 'size', 'disk_format',
                 'container_format', 'min_disk', 'min_ram')
