"""Snapshots and backups: an image of an instance's root disk, through the image service.

API: the image record is created queued (owner: the instance's project;
properties instance_uuid, image_type 'snapshot' or 'backup', base_image_ref,
user_id, and the base image's properties) and the instance moves into its
task: IMAGE_SNAPSHOT_PENDING for a snapshot, IMAGE_BACKUP for a backup.
Host, as Nova: (IMAGE_SNAPSHOT ->) IMAGE_PENDING_UPLOAD -> IMAGE_UPLOADING
while the driver streams the disk into ImageService.upload -> None. A failed
snapshot deletes its image. After a backup, the instance's backups of that
type beyond ``rotation`` (oldest first) are deleted.
"""
import functools
import logging

from nova import exception
from nova.compute import move_spec, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.action_events import instance_action
from nova.compute.states import begin_task, check_instance_state
from nova.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

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


def delete_image(image_api, context, image_id):
    """Best effort: an image the compute service made and no longer wants."""
    try:
        image_api.delete(context, image_id)
    except exception.ImageNotFound:
        pass
    except Exception:
        LOG.exception('Could not delete image %s', image_id)


class SnapshotAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_state(vm_state=_SNAPSHOT_STATES)
    def snapshot(self, context, instance, name, extra_properties=None):
        """Image the instance's disk; returns the (queued) image dict."""
        return self._image_action(context, instance, name, 'snapshot', extra_properties,
                                  'createImage', task_states.IMAGE_SNAPSHOT_PENDING,
                                  'snapshot_instance')

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
                                  'createBackup', task_states.IMAGE_BACKUP, 'backup_instance',
                                  backup_type=backup_type, rotation=rotation)

    def _image_action(self, context, instance, name, image_type, properties, action, task,
                      method, **kwargs):
        virt_driver.compute_driver_class().require('supports_snapshot', action)
        compute_utils.start_action(context, instance.uuid, action)
        instance = begin_task(context, instance, task, method=action)
        try:
            image = create_image(self.image_api, context, instance, name, image_type,
                                 properties)
        except Exception:
            self._end_task(context, instance.uuid, task)
            raise
        self.compute_rpcapi.instance_action(context, method, instance, image_id=image['id'],
                                            **kwargs)
        return image


class SnapshotManager:
    """Mixin of nova.compute.manager.ComputeManager."""

    @instance_action
    def snapshot_instance(self, context, instance_uuid, image_id):
        self._update(context, instance_uuid, task_state=task_states.IMAGE_SNAPSHOT,
                     expected_task_state=task_states.IMAGE_SNAPSHOT_PENDING)
        self._snapshot(context, instance_uuid, image_id, task_states.IMAGE_SNAPSHOT)
        self._update(context, instance_uuid, task_state=None,
                     expected_task_state=task_states.IMAGE_UPLOADING)

    @instance_action
    def backup_instance(self, context, instance_uuid, image_id, backup_type, rotation):
        instance = self._snapshot(context, instance_uuid, image_id, task_states.IMAGE_BACKUP)
        self._update(context, instance_uuid, task_state=None,
                     expected_task_state=task_states.IMAGE_UPLOADING)
        self._rotate_backups(context, instance, backup_type, rotation)

    def _snapshot(self, context, instance_uuid, image_id, expected,
                  pending=task_states.IMAGE_PENDING_UPLOAD,
                  uploading=task_states.IMAGE_UPLOADING):
        """Stream the disk into the image; on failure the image is deleted."""
        try:
            instance = self._update(context, instance_uuid, task_state=pending,
                                    expected_task_state=expected, power_state=self._power_state(
                                        self._get(context, instance_uuid)))
            self.driver.snapshot(context, instance, image_id, functools.partial(
                self._upload_image, context, instance_uuid, image_id, pending, uploading))
            if self.image_api.show(context, image_id)['status'] != 'active':
                raise exception.ImageNotActive(image_id=image_id)
        except Exception:
            delete_image(self.image_api, context, image_id)
            raise
        return instance

    def _upload_image(self, context, instance_uuid, image_id, pending, uploading, chunks,
                      disk_format):
        """The driver's upload callback: the data goes straight into the image store."""
        self._update(context, instance_uuid, task_state=uploading,
                     expected_task_state=pending)
        if self.image_api.show(context, image_id)['disk_format'] != disk_format:
            self.image_api.update(context, image_id, {'disk_format': disk_format})
        self.image_api.upload(context, image_id, chunks)

    def _rotate_backups(self, context, instance, backup_type, rotation):
        backups = self.image_api.detail(context, filters={'properties': {
            'instance_uuid': instance.uuid, 'image_type': 'backup',
            'backup_type': backup_type}}, sort_keys='created_at', sort_dirs='desc')
        for image in backups[rotation:]:
            LOG.info('Rotating out backup %s of instance %s', image['id'], instance.uuid)
            delete_image(self.image_api, context, image['id'])

    def _delete_unfinished_images(self, context, instance):
        """Images of this instance a crash left queued or half uploaded."""
        for image in self.image_api.detail(context, filters={
                'properties': {'instance_uuid': instance.uuid},
                'status': ['queued', 'saving']}):
            delete_image(self.image_api, context, image['id'])

    def _recover_snapshot(self, context, instance):
        """Stopped mid-snapshot: the task ends, the unfinished image goes (as Nova's init)."""
        self._delete_unfinished_images(context, instance)
        self._update(context, instance.uuid, task_state=None,
                     expected_task_state=instance.task_state)
        compute_utils.add_instance_fault(context, instance.uuid, self._interrupted(instance),
                                         self.host)


RECOVERY = dict.fromkeys((task_states.IMAGE_SNAPSHOT_PENDING, task_states.IMAGE_SNAPSHOT,
                          task_states.IMAGE_BACKUP, task_states.IMAGE_PENDING_UPLOAD,
                          task_states.IMAGE_UPLOADING), '_recover_snapshot')
