"""Evacuate (admin): rebuild the instances of a failed compute host elsewhere.

The API side (the hosts' is nova/compute/host/evacuate.py). Only an instance
whose host's nova-compute is down (stopped reporting, or forced down by an
administrator) may be evacuated: otherwise 400, as Nova. The destination is
the administrator's host (checked up and not the same) or the scheduler's
choice without the failed host; an 'evacuation' migration records the move
and task REBUILDING holds the instance until the destination finishes.
"""
import logging

from nova import exception
from nova import servicegroup
from nova.compute import move_claims, move_spec, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_state
from nova.db import api as db

LOG = logging.getLogger(__name__)

EVACUATION = 'evacuation'


class EvacuateAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR])
    def evacuate(self, context, instance, host=None, admin_password=None, stopped=False):
        """Rebuild instance on host (or where the scheduler says) from its image.

        stopped: leave it stopped there (2.95); a stopped instance stays stopped.
        """
        if not context.is_admin:
            raise exception.AdminRequired()
        self._check_source_down(context, instance)
        if host is not None:
            self._check_destination(context, instance, host)
        compute_utils.start_action(context, instance.uuid, 'evacuate')
        instance = begin_task(context, instance, task_states.REBUILDING, method='evacuate')
        cur = move_claims.current_flavor(instance)
        migration = db.migration_create(context, {
            'instance_uuid': instance.uuid, 'source_compute': instance.host,
            'source_node': instance.node, 'dest_compute': host, 'status': 'accepted',
            'migration_type': EVACUATION, 'old_instance_type_id': cur.get('id'),
            'new_instance_type_id': cur.get('id')})
        try:
            spec = move_spec.request_spec(context, instance, cur, ignore_hosts=[instance.host],
                                          force_hosts=[host] if host else [], hints=True)
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
            db.migration_update(context, migration.id, {'dest_compute': dest['host'],
                                                        'status': 'pre-migrating'})
            self.compute_rpcapi.evacuate_instance(
                context, dest['host'], instance.uuid, migration.id, admin_password,
                limits=dest.get('limits'),
                stopped=stopped or instance.vm_state == vm_states.STOPPED)
        except Exception as error:
            LOG.info('Cannot evacuate %s: %s', instance.uuid, error)
            db.migration_update(context, migration.id, {'status': 'error'})
            self._end_task(context, instance.uuid, task_states.REBUILDING)
            raise

    @staticmethod
    def _check_source_down(context, instance):
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        try:
            service = db.service_get_by_host_and_binary(context, instance.host, 'nova-compute')
        except exception.HostBinaryNotFound:
            return  # the host is gone altogether
        if servicegroup.service_is_up(service):
            raise exception.ComputeServiceInUse(host=instance.host)
