"""What a compute host writes about its instances: state, faults, action events
(and, through ``lifecycle``, the notifications that tell them).

Every flow on the host (build, power actions, moves, images, shelve) changes
an instance through these few calls, so that each write is a compare-and-swap
on the expected task, each failure leaves a fault naming this host, and each
step is an event of the instance's current action.
"""
import logging

from nova import exception
from nova.compute import power_state, vm_states
from nova.compute import utils as compute_utils
from nova.compute.lifecycle import Lifecycle
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)


class InstanceRecords:
    """The instance rows as seen from ``host``, whose guests ``driver`` runs."""

    def __init__(self, host, driver):
        self.host = host
        self.driver = driver
        self.lifecycle = Lifecycle('compute.%s' % host)  # the notifications of each step

    def get(self, ctxt, instance_uuid):
        return db.instance_get_by_uuid(ctxt, instance_uuid)

    @staticmethod
    def update(ctxt, instance_uuid, expected_task_state=db.ANY, **values):
        """Write values if the task is still the expected one (else UnexpectedTaskState)."""
        return db.instance_update(ctxt, instance_uuid, values,
                                  expected_task_state=expected_task_state)

    def clear_task(self, ctxt, instance_uuid):
        try:
            self.update(ctxt, instance_uuid, task_state=None)
        except exception.InstanceNotFound:
            pass

    def set_error(self, ctxt, instance_uuid, error):
        """vm_state ERROR, no task, and a fault saying why."""
        compute_utils.add_instance_fault(ctxt, instance_uuid, error, self.host)
        try:
            self.update(ctxt, instance_uuid, vm_state=vm_states.ERROR, task_state=None)
        except exception.InstanceNotFound:
            pass

    def fault(self, ctxt, instance_uuid, error):
        compute_utils.add_instance_fault(ctxt, instance_uuid, error, self.host)

    def event(self, ctxt, uuids, event, result=None, error=None):
        """Start (result None) or finish an event of each instance's current action."""
        if not uuids:
            return
        # one time and one traceback for the batch: one statement writes it
        first = compute_utils.event_values(ctxt, uuids[0], event, self.host, result, error)
        values = [dict(first, instance_uuid=uuid) for uuid in uuids]
        try:
            if result is None:
                db.action_event_start_many(ctxt, values)
            else:
                db.action_event_finish_many(ctxt, values)
        except Exception:
            LOG.exception(_LE('Could not record event %s'), event)

    def interrupted(self, instance):
        """The fault of a task this host's restart cut short."""
        return exception.InstanceActionInterrupted(
            task_state=instance.task_state, instance_uuid=instance.uuid, host=self.host)

    @staticmethod
    def migration_status(ctxt, migration_id, status):
        db.migration_update(ctxt, migration_id, {'status': status})

    # -- what the hypervisor says ------------------------------------------------------
    def power_state(self, instance):
        try:
            return self.driver.get_info(instance).state
        except exception.InstanceNotFound:
            return power_state.NOSTATE

    @staticmethod
    def vm_state_for_power(current, power):
        """The vm_state an instance rests in with this power state."""
        if power == power_state.RUNNING:
            return vm_states.RESCUED if current == vm_states.RESCUED else vm_states.ACTIVE
        return {power_state.PAUSED: vm_states.PAUSED,
                power_state.SUSPENDED: vm_states.SUSPENDED,
                power_state.SHUTDOWN: vm_states.STOPPED}.get(power, vm_states.ERROR)
