"""Rebuild: the same instance (uuid, flavor, host, addresses) on a fresh disk from an image.

API: the image is checked as for a create and recorded, with the new name
and metadata, in the same write that moves the instance into REBUILDING.
The host (nova/compute/host/rebuild.py) destroys the guest and spawns it again
from the image.
"""
from nova import exception
from nova.compute import disk_config, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.db import api as db


class RebuildAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR])
    def rebuild(self, context, instance, image_href, admin_password=None, name=None,
                metadata=None, access_ip_v4=None, access_ip_v6=None, key_name=db.ANY,
                user_data=db.ANY, auto_disk_config=None):
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
                  'vm_mode': properties.get('vm_mode'), 'system_metadata': meta, 'progress': 0,
                  'auto_disk_config': disk_config.from_image(image, auto_disk_config)}
        if name is not None:
            values['display_name'] = name
        if metadata is not None:
            self._check_metadata(context, instance.project_id, instance.user_id, metadata)
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
        self._send(context, instance, task_states.REBUILDING, self.compute_rpcapi.rebuild_instance,
                   admin_password=admin_password)
        return instance
