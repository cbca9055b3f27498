"""Rebuild: the same instance (uuid, flavor, host, addresses) on a fresh disk from an image.

API: the image is checked as for a create and recorded, with the new name
and metadata, in the same write that moves the instance into REBUILDING.
Host: the guest is destroyed and spawned again from the image (through the
host's image cache): REBUILDING -> REBUILD_SPAWNING -> None, ACTIVE, or
STOPPED again if it was stopped, as Nova does. A failed rebuild has lost the
old disk: vm_state ERROR with a fault, until rebuilt again or deleted.
"""
from nova import exception
from nova import utils
from nova.compute import move_spec, power_state, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.action_events import instance_action
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.db import api as db


class RebuildAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR])
    def rebuild(self, context, instance, image_href, admin_password=None, name=None,
                metadata=None, access_ip_v4=None, access_ip_v6=None, key_name=db.ANY,
                user_data=db.ANY):
        """Rebuild from ``image_href``; returns the instance as it enters REBUILDING.

        key_name and user_data replace the instance's (None removes them) when given.
        """
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        image = self._check_image(context, image_href, instance)
        properties = image['properties']
        meta = {k: v for k, v in (instance.system_metadata or {}).items()
                if not k.startswith('image_')}
        meta.update(('image_%s' % k, str(v)) for k, v in properties.items())
        values = {'image_ref': image['id'], 'kernel_id': properties.get('kernel_id'),
                  'ramdisk_id': properties.get('ramdisk_id'),
                  'os_type': properties.get('os_type'),
                  'architecture': properties.get('architecture'),
                  'vm_mode': properties.get('vm_mode'), 'system_metadata': meta, 'progress': 0}
        if name is not None:
            values['display_name'] = name
        if metadata is not None:
            self._check_metadata(context, instance.project_id, metadata)
            values['metadata'] = dict(metadata)
        for field, value in (('access_ip_v4', access_ip_v4), ('access_ip_v6', access_ip_v6)):
            if value is not None:
                values[field] = value
        if key_name is not db.ANY:
            values['key_name'] = key_name
            values['key_data'] = None if key_name is None else db.key_pair_get(
                context, context.user_id, key_name).public_key
        if user_data is not db.ANY:
            if user_data is not None:
                self._check_user_data(user_data)
            values['user_data'] = user_data
        compute_utils.start_action(context, instance.uuid, 'rebuild')
        instance = begin_task(context, instance, task_states.REBUILDING, method='rebuild',
                              **values)
        self.compute_rpcapi.instance_action(context, 'rebuild_instance', instance,
                                            admin_password=admin_password)
        return instance


class RebuildManager:
    """Mixin of nova.compute.manager.ComputeManager."""

    @instance_action
    def rebuild_instance(self, context, instance_uuid, admin_password=None):
        instance = self._get(context, instance_uuid)
        was_stopped = instance.vm_state == vm_states.STOPPED
        try:
            with self._instance_locks(instance_uuid):
                self.driver.destroy(context, instance)
                instance = self._update(context, instance_uuid,
                                        task_state=task_states.REBUILD_SPAWNING,
                                        power_state=power_state.NOSTATE,
                                        expected_task_state=task_states.REBUILDING)
                image_meta = self.base_images.image_meta(context, {
                    'id': instance.image_ref,
                    'properties': move_spec.image_properties(instance)})
                self.driver.spawn(context, instance, image_meta,
                                  admin_password=admin_password, network_info=[])
                if was_stopped:
                    self.driver.power_off(instance)
        except exception.UnexpectedTaskStateError:
            raise
        except Exception:
            self._update(context, instance_uuid, vm_state=vm_states.ERROR)
            raise
        self._update(context, instance_uuid, expected_task_state=task_states.REBUILD_SPAWNING,
                     task_state=None, power_state=self._power_state(instance),
                     vm_state=vm_states.STOPPED if was_stopped else vm_states.ACTIVE,
                     launched_at=utils.utcnow())

    def _recover_rebuild(self, context, instance):
        """Stopped mid-rebuild: the old disk is gone, so ERROR, as Nova's init does."""
        self._set_error(context, instance.uuid, self._interrupted(instance))


RECOVERY = dict.fromkeys((task_states.REBUILDING, task_states.REBUILD_BLOCK_DEVICE_MAPPING,
                          task_states.REBUILD_SPAWNING), '_recover_rebuild')
