"""Shelve, offload and unshelve, as Nova does them.

shelve: SHELVING -> SHELVING_IMAGE_PENDING_UPLOAD -> SHELVING_IMAGE_UPLOADING:
the guest is powered off and imaged ('<name>-shelved', recorded in
system_metadata shelved_image_id, shelved_at, shelved_host); vm_state
SHELVED, and with shelved_offload_time 0 at once SHELVING_OFFLOADING: the
guest is destroyed, the host's claim dropped, host and node cleared, vm_state
SHELVED_OFFLOADED. A periodic task offloads SHELVED instances older than
shelved_offload_time. unshelve (UNSHELVING): a SHELVED instance is powered on
where it is; an offloaded one goes where the scheduler says, is claimed and
spawned from its shelved image (SPAWNING), and the image is deleted. Quota
stays used while shelved, as in Nova. This is the API side; the hosts' is
nova/compute/host/shelve.py.
"""
import logging

from nova import exception
from nova.db import api as db
from nova.compute import capabilities, move_claims, move_spec, snapshot, task_states
from nova.compute import utils as compute_utils
from nova.compute import vm_states
from nova.compute.states import begin_task, check_instance_lock, check_instance_state

LOG = logging.getLogger(__name__)



KEEP_ZONE = object()  # unshelve: the instance keeps its availability zone


class ShelveAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED,
                                    vm_states.SUSPENDED])
    def shelve(self, context, instance):
        """Power off and image the instance; it keeps its host until offloaded."""
        capabilities.require(context, instance, 'supports_shelve', 'shelve')
        capabilities.require(context, instance, 'supports_snapshot', 'shelve')
        compute_utils.start_action(context, instance.uuid, 'shelve')
        instance = begin_task(context, instance, task_states.SHELVING, method='shelve')
        try:
            image = snapshot.create_image(self.image_api, context, instance,
                                          '%s-shelved' % instance.display_name, 'snapshot')
        except Exception:
            self._end_task(context, instance.uuid, task_states.SHELVING)
            raise
        try:
            self._send(context, instance, task_states.SHELVING,
                       self.compute_rpcapi.shelve_instance, image_id=image['id'])
        except Exception:
            compute_utils.delete_image(self.image_api, context, image['id'])
            raise

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.SHELVED])
    def shelve_offload(self, context, instance):
        """Free the host a shelved instance still holds."""
        self._act(context, instance, 'shelveOffload', self.compute_rpcapi.shelve_offload_instance,
                  task_states.SHELVING_OFFLOADING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.SHELVED, vm_states.SHELVED_OFFLOADED])
    def unshelve(self, context, instance, availability_zone=KEEP_ZONE, host=None):
        """Run the instance again: where it is, or where the scheduler places it. An
        offloaded instance may be sent to another availability zone (2.77; None
        unpins it, 2.91) or to a named host (2.91, admins): a shelved one still
        holds its host, so neither applies to it (409, as Nova)."""
        moving = availability_zone is not KEEP_ZONE or host is not None
        if moving and instance.vm_state != vm_states.SHELVED_OFFLOADED:
            raise exception.InstanceInvalidState(
                method='unshelve to another zone or host', instance_uuid=instance.uuid,
                attr='vm_state', state=instance.vm_state)
        if host is not None:
            self._check_destination(context, instance, host)
        compute_utils.start_action(context, instance.uuid, 'unshelve')
        instance = begin_task(context, instance, task_states.UNSHELVING, method='unshelve')
        if instance.vm_state == vm_states.SHELVED:
            self._send(context, instance, task_states.UNSHELVING, self._unshelve_at,
                       instance.host)
            return
        if availability_zone is not KEEP_ZONE:
            instance = db.instance_update(context, instance.uuid,
                                          {'availability_zone': availability_zone})
        spec = move_spec.request_spec(context, instance, move_claims.current_flavor(instance),
                                      image_id=compute_utils.shelved_image_id(instance),
                                      force_hosts=[host] if host else [])
        try:
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
        except exception.NoValidHost as error:
            compute_utils.add_instance_fault(context, instance.uuid, error)
            self._end_task(context, instance.uuid, task_states.UNSHELVING)
            raise
        self._send(context, instance, task_states.UNSHELVING, self._unshelve_at, dest['host'],
                   limits=dest.get('limits'))

    def _unshelve_at(self, context, instance, host, limits=None):
        self.compute_rpcapi.unshelve_instance(context, host, instance.uuid, limits=limits)

    def _delete_shelved_image(self, context, instance):
        """A deleted instance will not be unshelved: its image goes too (as Nova)."""
        image_id = compute_utils.shelved_image_id(instance)
        if image_id:
            compute_utils.delete_image(self.image_api, context, image_id)
