"""Snapshots and backups: an image of an instance's root disk, through the image service.

API: the image record is created queued (owner: the instance's project;
properties instance_uuid, image_type 'snapshot' or 'backup', base_image_ref,
user_id, and the base image's properties) and the instance moves into its
task: IMAGE_SNAPSHOT_PENDING for a snapshot, IMAGE_BACKUP for a backup.
The host uploads the disk (nova/compute/host/snapshot.py).
"""
from nova import exception
from nova.compute import capabilities, move_spec, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_state

# properties the compute service sets on the images it makes
_OWN_PROPERTIES = ('instance_uuid', 'image_type', 'base_image_ref', 'user_id', 'backup_type')
_SNAPSHOT_STATES = [vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED, vm_states.SUSPENDED]


def create_image(image_api, context, instance, name, image_type, extra_properties=None):
    """The queued image record a snapshot of ``instance`` uploads into."""
    if not isinstance(name, str) or not name.strip():
        raise exception.InvalidInput(reason='an image name is required')
    properties = {k: v for k, v in move_spec.image_properties(instance).items()
                  if k not in _OWN_PROPERTIES}
    properties.update(instance_uuid=instance.uuid, image_type=image_type,
                      base_image_ref=instance.image_ref or '', user_id=context.user_id or '')
    properties.update(extra_properties or {})  # the caller's metadata wins, as in Nova
    return image_api.create(context, {
        'name': name, 'visibility': 'private', 'owner': instance.project_id,
        'container_format': 'bare', 'min_disk': int(instance.root_gb or 0),
        'properties': properties})


class SnapshotAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_state(vm_state=_SNAPSHOT_STATES)
    def snapshot(self, context, instance, name, extra_properties=None):
        """Image the instance's disk; returns the (queued) image dict."""
        return self._image_action(context, instance, name, 'snapshot', extra_properties,
                                  'createImage', task_states.IMAGE_SNAPSHOT_PENDING,
                                  self.compute_rpcapi.snapshot_instance)

    @check_instance_state(vm_state=_SNAPSHOT_STATES)
    def backup(self, context, instance, name, backup_type, rotation, extra_properties=None):
        """A snapshot of image_type 'backup' keeping the newest ``rotation`` of that type."""
        if not isinstance(backup_type, str) or not backup_type:
            raise exception.InvalidInput(reason='backup_type must be a non-empty string')
        if isinstance(rotation, bool):
            raise exception.InvalidInput(reason='rotation must be an integer >= 0')
        try:
            rotation = int(rotation)
        except (TypeError, ValueError):
            raise exception.InvalidInput(reason='rotation must be an integer >= 0') from None
        if rotation < 0:
            raise exception.InvalidInput(reason='rotation must be an integer >= 0')
        properties = dict(extra_properties or {}, backup_type=backup_type)
        return self._image_action(context, instance, name, 'backup', properties,
                                  'createBackup', task_states.IMAGE_BACKUP,
                                  self.compute_rpcapi.backup_instance,
                                  backup_type=backup_type, rotation=rotation)

    def _image_action(self, context, instance, name, image_type, properties, action, task,
                      send, **kwargs):
        """Create the queued image, then ``send`` (a ComputeAPI method) the upload to the host."""
        capabilities.require(context, instance, 'supports_snapshot', action)
        compute_utils.start_action(context, instance.uuid, action)
        instance = begin_task(context, instance, task, method=action)
        try:
            image = create_image(self.image_api, context, instance, name, image_type,
                                 properties)
        except Exception:
            self._end_task(context, instance.uuid, task)
            raise
        try:
            self._send(context, instance, task, send, image_id=image['id'], **kwargs)
        except Exception:
            compute_utils.delete_image(self.image_api, context, image['id'])
            raise
        return image
