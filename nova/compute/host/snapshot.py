"""Snapshots and backups on the host (the API side is nova/compute/snapshot.py).

As Nova: (IMAGE_SNAPSHOT ->) IMAGE_PENDING_UPLOAD -> IMAGE_UPLOADING while the
driver streams the disk into the image service's upload -> None. A failed
snapshot deletes its image. After a backup, the instance's backups of that
type beyond ``rotation`` (oldest first) are deleted.
"""
import functools
import logging

from nova import exception
from nova.compute import task_states
from nova.compute.host.action_events import instance_action
from nova.compute import utils as compute_utils

LOG = logging.getLogger(__name__)


class Snapshots:
    """Snapshots and backups of the instances on this host, uploaded through the image API."""

    def __init__(self, records, driver, image_api):
        self.records = records
        self.driver = driver
        self.image_api = image_api

    def recovery(self):
        """{task_state: how to resolve it after a restart} for init_host."""
        return dict.fromkeys((task_states.IMAGE_SNAPSHOT_PENDING, task_states.IMAGE_SNAPSHOT,
                              task_states.IMAGE_BACKUP, task_states.IMAGE_PENDING_UPLOAD,
                              task_states.IMAGE_UPLOADING), self._recover_snapshot)

    @instance_action
    def snapshot_instance(self, context, instance_uuid, image_id):
        self.records.update(context, instance_uuid, task_state=task_states.IMAGE_SNAPSHOT,
                            expected_task_state=task_states.IMAGE_SNAPSHOT_PENDING)
        self.upload(context, instance_uuid, image_id, task_states.IMAGE_SNAPSHOT)
        self.records.update(context, instance_uuid, task_state=None,
                            expected_task_state=task_states.IMAGE_UPLOADING)

    @instance_action
    def backup_instance(self, context, instance_uuid, image_id, backup_type, rotation):
        instance = self.upload(context, instance_uuid, image_id, task_states.IMAGE_BACKUP)
        self.records.update(context, instance_uuid, task_state=None,
                            expected_task_state=task_states.IMAGE_UPLOADING)
        self._rotate_backups(context, instance, backup_type, rotation)

    def upload(self, context, instance_uuid, image_id, expected,
                  pending=task_states.IMAGE_PENDING_UPLOAD,
                  uploading=task_states.IMAGE_UPLOADING):
        """Stream the disk into the image (tasks ``pending`` then ``uploading``);
        on failure the image is deleted. Shelving uploads through this too."""
        try:
            power = self.records.power_state(self.records.get(context, instance_uuid))
            instance = self.records.update(context, instance_uuid, task_state=pending,
                                           expected_task_state=expected, power_state=power)
            self.driver.snapshot(context, instance, image_id, functools.partial(
                self._upload_image, context, instance_uuid, image_id, pending, uploading))
            if self.image_api.show(context, image_id)['status'] != 'active':
                raise exception.ImageNotActive(image_id=image_id)
        except Exception:
            compute_utils.delete_image(self.image_api, context, image_id)
            raise
        return instance

    def _upload_image(self, context, instance_uuid, image_id, pending, uploading, chunks,
                      disk_format):
        """The driver's upload callback: the data goes straight into the image store."""
        self.records.update(context, instance_uuid, task_state=uploading,
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
            compute_utils.delete_image(self.image_api, context, image['id'])

    def delete_unfinished_images(self, context, instance):
        """Images of this instance a crash left queued or half uploaded."""
        for image in self.image_api.detail(context, filters={
                'properties': {'instance_uuid': instance.uuid},
                'status': ['queued', 'saving']}):
            compute_utils.delete_image(self.image_api, context, image['id'])

    def _recover_snapshot(self, context, instance):
        """Stopped mid-snapshot: the task ends, the unfinished image goes (as Nova's init)."""
        self.delete_unfinished_images(context, instance)
        self.records.update(context, instance.uuid, task_state=None,
                            expected_task_state=instance.task_state)
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))

