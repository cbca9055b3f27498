"""Evacuation on the hosts (the API side is nova/compute/evacuate.py).

The destination claims the instance, takes it over (host, node; task
REBUILD_SPAWNING) and spawns it again from its image with its addresses: the
old host's disk is not reachable. The instance ends ACTIVE (STOPPED when asked,
2.95, or when it was stopped) and the 'evacuation' migration done; a failure
leaves it in ERROR on the destination, with a fault, and the migration failed.
When the old host's nova-compute starts again, it destroys the guests that
were evacuated away from it (migration done -> completed).
"""
import logging

from nova import exception
from nova import utils
from nova.compute import move_spec, power_state, task_states, vm_states
from nova.compute.host import config_drive
from nova.compute.host.action_events import instance_action
from nova.db import api as db
from nova.i18n import _LE, _LW

LOG = logging.getLogger(__name__)

EVACUATION = 'evacuation'


class Evacuations:
    """Instances evacuated to this host, and the guests left here by evacuations."""

    def __init__(self, records, driver, tracker, claims, base_images, locks, network_api):
        self.records, self.host = records, records.host
        self.driver = driver
        self.tracker = tracker
        self.claims = claims
        self.base_images = base_images
        self.locks = locks
        self.network_api = network_api

    @instance_action
    def evacuate_instance(self, context, instance_uuid, migration_id, admin_password,
                          limits=None, stopped=False):
        instance = self.records.get(context, instance_uuid)
        try:
            self.tracker.instance_claim(instance, limits)
        except exception.ComputeResourcesUnavailable as error:
            self._failed(context, instance_uuid, migration_id, error, claimed=False)
            raise
        try:
            instance = self.records.update(
                context, instance_uuid, host=self.host, node=self.tracker.nodename,
                task_state=task_states.REBUILD_SPAWNING, power_state=power_state.NOSTATE,
                expected_task_state=task_states.REBUILDING)
            db.migration_update(context, migration_id, {
                'dest_compute': self.host, 'dest_node': self.tracker.nodename,
                'status': 'running'})
            image_meta = self.base_images.image_meta(context, {
                'id': instance.image_ref, 'properties': move_spec.image_properties(instance)})
            with self.locks(instance_uuid):
                vifs = self.network_api.get_instance_nw_info(context, instance)
                self.driver.spawn(context, instance, image_meta, admin_password=admin_password,
                                  network_info=vifs,
                                  config_drive=config_drive.for_spawn(
                                      context, self.driver, self.records, instance, vifs,
                                      admin_password))
                if stopped:
                    self.driver.power_off(instance)
        except Exception as error:
            self._failed(context, instance_uuid, migration_id, error, claimed=True)
            raise
        self.records.update(context, instance_uuid,
                            expected_task_state=task_states.REBUILD_SPAWNING, task_state=None,
                            power_state=self.records.power_state(instance),
                            vm_state=vm_states.STOPPED if stopped else vm_states.ACTIVE,
                            launched_at=utils.utcnow())
        self.records.migration_status(context, migration_id, 'done')
        self.claims.report_soon(context)

    def _failed(self, context, instance_uuid, migration_id, error, claimed):
        LOG.warning(_LW('Evacuation of %s to %s failed: %s'), instance_uuid, self.host, error)
        if claimed:
            try:
                self.driver.destroy(context, self.records.get(context, instance_uuid))
            except Exception:  # noqa: BLE001 -- nothing may have been spawned
                LOG.debug('Nothing to clean up for %s', instance_uuid)
        else:
            self.tracker.drop(instance_uuid)
        self.records.migration_status(context, migration_id, 'failed')
        self.records.set_error(context, instance_uuid, error)
        self.claims.report_soon(context)

    def destroy_evacuated_guests(self, context):
        """At start-up: the guests of instances evacuated away while this host was down."""
        for migration in db.migration_get_all_by_filters(context, {
                'source_compute': self.host, 'migration_type': EVACUATION,
                'status': ['done']}):
            try:
                instance = db.instance_get_by_uuid(
                    context.elevated(read_deleted='yes'), migration.instance_uuid)
                self.driver.destroy(context, instance)
            except exception.InstanceNotFound:
                pass
            except Exception:  # noqa: BLE001 -- the next start tries again
                LOG.exception(_LE('Could not destroy the evacuated guest of %s'),
                              migration.instance_uuid)
                continue
            self.records.migration_status(context, migration.id, 'completed')
            LOG.info('Destroyed the guest of %s, evacuated to %s', migration.instance_uuid,
                     migration.dest_compute)
