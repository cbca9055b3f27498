"""Rebuild on the host (the API side is nova/compute/rebuild.py).

The guest is destroyed and spawned again from the image (through the host's
image cache): REBUILDING -> REBUILD_SPAWNING -> None, ACTIVE, or STOPPED again
if it was stopped, as Nova does. A failed rebuild has lost the old disk:
vm_state ERROR with a fault, until rebuilt again or deleted.
"""
from nova import exception
from nova import utils
from nova.compute import move_spec, power_state, task_states, vm_states
from nova.compute.host import config_drive
from nova.compute.host.action_events import instance_action


class Rebuilds:
    """Rebuilds of the instances on this host."""

    def __init__(self, records, driver, base_images, locks, network_api):
        self.records = records
        self.network_api = network_api
        self.driver = driver
        self.base_images = base_images
        self.locks = locks

    def recovery(self):
        """{task_state: how to resolve it after a restart} for init_host."""
        return dict.fromkeys((task_states.REBUILDING, task_states.REBUILD_BLOCK_DEVICE_MAPPING,
                              task_states.REBUILD_SPAWNING), self._recover_rebuild)

    @instance_action
    def rebuild_instance(self, context, instance_uuid, admin_password=None):
        instance = self.records.get(context, instance_uuid)
        was_stopped = instance.vm_state == vm_states.STOPPED
        try:
            with self.locks(instance_uuid):
                self.driver.destroy(context, instance)
                instance = self.records.update(context, instance_uuid,
                                               task_state=task_states.REBUILD_SPAWNING,
                                               power_state=power_state.NOSTATE,
                                               expected_task_state=task_states.REBUILDING)
                image_meta = self.base_images.image_meta(context, {
                    'id': instance.image_ref,
                    'properties': move_spec.image_properties(instance)})
                vifs = self.network_api.get_instance_nw_info(context, instance)  # kept
                self.driver.spawn(context, instance, image_meta,
                                  admin_password=admin_password, network_info=vifs,
                                  config_drive=config_drive.for_spawn(
                                      context, self.driver, self.records, instance, vifs,
                                      admin_password))
                if was_stopped:
                    self.driver.power_off(instance)
        except exception.UnexpectedTaskStateError:
            raise
        except Exception:
            self.records.update(context, instance_uuid, vm_state=vm_states.ERROR)
            raise
        self.records.update(context, instance_uuid,
                            expected_task_state=task_states.REBUILD_SPAWNING, task_state=None,
                            power_state=self.records.power_state(instance),
                            vm_state=vm_states.STOPPED if was_stopped else vm_states.ACTIVE,
                            launched_at=utils.utcnow())

    def _recover_rebuild(self, context, instance):
        """Stopped mid-rebuild: the old disk is gone, so ERROR, as Nova's init does."""
        self.records.set_error(context, instance.uuid, self.records.interrupted(instance))

