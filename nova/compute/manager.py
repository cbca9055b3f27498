"""Compute manager: runs instances on this host through the virt driver.

Every operation walks the instance through its states with compare-and-swap
updates (the expected task_state must still hold), records an action event,
and on failure records a fault and clears the task so that no instance is left
in a task forever; ``init_host`` finishes or fails what a crash interrupted.
"""
import datetime
import functools
import logging

import eventlet
import eventlet.semaphore

from nova import context as nova_context
from nova import exception
from nova import manager
from nova import utils
from nova.compute import power_state, rpcapi, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.resource_tracker import ResourceTracker
from nova.conf import CONF
from nova.db import api as db
from nova.scheduler import rpcapi as scheduler_rpcapi
from nova.scheduler.request_spec import RequestSpec
from nova.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

# vm_state an instance rests in when an action on it completes
_STATE_AFTER = {
    'stop_instance': vm_states.STOPPED, 'start_instance': vm_states.ACTIVE,
    'pause_instance': vm_states.PAUSED, 'unpause_instance': vm_states.ACTIVE,
    'suspend_instance': vm_states.SUSPENDED, 'resume_instance': vm_states.ACTIVE,
    'rescue_instance': vm_states.RESCUED, 'unrescue_instance': vm_states.ACTIVE,
    'reboot_instance': vm_states.ACTIVE, 'soft_delete_instance': vm_states.SOFT_DELETED,
    'restore_instance': vm_states.ACTIVE,
}


def instance_action(func):
    """Run a per-instance RPC method with an event, a fault on error, and the
    task_state cleared whatever happens."""
    @functools.wraps(func)
    def wrapper(self, context, instance_uuid, **kwargs):
        event = 'compute_%s' % func.__name__
        self._event(context, [instance_uuid], event)
        try:
            result = func(self, context, instance_uuid, **kwargs)
        except exception.InstanceNotFound:
            LOG.info('Instance %s vanished during %s', instance_uuid, func.__name__)
            self._event(context, [instance_uuid], event, 'Error')
            return None
        except Exception as error:
            LOG.exception('%s failed for instance %s', func.__name__, instance_uuid)
            compute_utils.add_instance_fault(context, instance_uuid, error, self.host)
            self._clear_task(context, instance_uuid)
            self._event(context, [instance_uuid], event, 'Error', error)
            raise
        self._event(context, [instance_uuid], event, 'Success')
        return result
    return wrapper


class ComputeManager(manager.Manager):
    RPC_API = rpcapi.ComputeAPI

    def __init__(self, host=None, service_name=None, driver=None):
        super().__init__(host, service_name)
        self.driver = driver or virt_driver.load_compute_driver(self.host)
        self.tracker = ResourceTracker(self.host, self.driver)
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self._build_slots = eventlet.semaphore.Semaphore(CONF.max_concurrent_builds)
        self._report_pending = False
        self._instance_locks = utils.KeyedLocks()  # spawn vs delete of one instance

    # -- start-up and recovery ------------------------------------------------
    def init_host(self):
        """Load usage, then resolve every instance a crash left mid-task."""
        self.driver.init_host(self.host)
        ctxt = nova_context.get_admin_context()
        instances = db.instance_get_all_by_host(ctxt, self.host)
        self.tracker.load_instances(instances)
        for instance in instances:
            try:
                self._recover(ctxt, instance)
            except Exception:
                LOG.exception('Could not recover instance %s', instance.uuid)
        self.tracker.update_available_resource(ctxt, self.service_id)
        self._send_report(ctxt)

    def _recover(self, ctxt, instance):
        task = instance.task_state
        if task is None:
            return
        LOG.info('Instance %s was in task %s when the service stopped', instance.uuid, task)
        if task == task_states.DELETING:
            self._terminate(ctxt, instance)
            return
        running = self._power_state(instance)
        if task in (task_states.SPAWNING, task_states.NETWORKING,
                    task_states.BLOCK_DEVICE_MAPPING, task_states.SCHEDULING):
            if running == power_state.RUNNING:
                self._update(ctxt, instance.uuid, vm_state=vm_states.ACTIVE,
                             power_state=running, task_state=None,
                             launched_at=instance.launched_at or utils.utcnow())
            else:
                self._set_error(ctxt, instance.uuid, exception.InstanceBuildInterrupted(
                    instance_uuid=instance.uuid, host=self.host))
            return
        if task in (task_states.REBOOTING, task_states.REBOOTING_HARD,
                    task_states.REBOOT_PENDING, task_states.REBOOT_STARTED,
                    task_states.REBOOT_PENDING_HARD, task_states.REBOOT_STARTED_HARD):
            self._update(ctxt, instance.uuid, task_state=task_states.REBOOTING_HARD)
            self.reboot_instance(ctxt, instance.uuid, reboot_type=virt_driver.REBOOT_HARD)
            return
        # any other interrupted task: the hypervisor tells where it stands
        self._update(ctxt, instance.uuid, task_state=None, power_state=running,
                     vm_state=self._vm_state_for_power(instance.vm_state, running))

    @staticmethod
    def _vm_state_for_power(current, power):
        if power == power_state.RUNNING:
            return vm_states.RESCUED if current == vm_states.RESCUED else vm_states.ACTIVE
        return {power_state.PAUSED: vm_states.PAUSED,
                power_state.SUSPENDED: vm_states.SUSPENDED,
                power_state.SHUTDOWN: vm_states.STOPPED}.get(power, vm_states.ERROR)

    # -- helpers ----------------------------------------------------------------
    def _power_state(self, instance):
        try:
            return self.driver.get_info(instance).state
        except exception.InstanceNotFound:
            return power_state.NOSTATE

    @staticmethod
    def _update(ctxt, instance_uuid, expected_task_state=db.ANY, **values):
        return db.instance_update(ctxt, instance_uuid, values,
                                  expected_task_state=expected_task_state)

    def _clear_task(self, ctxt, instance_uuid):
        try:
            self._update(ctxt, instance_uuid, task_state=None)
        except exception.InstanceNotFound:
            pass

    def _set_error(self, ctxt, instance_uuid, error):
        compute_utils.add_instance_fault(ctxt, instance_uuid, error, self.host)
        try:
            self._update(ctxt, instance_uuid, vm_state=vm_states.ERROR, task_state=None)
        except exception.InstanceNotFound:
            pass

    def _event(self, ctxt, uuids, event, result=None, error=None):
        values = [compute_utils.event_values(ctxt, uuid, event, self.host, result, error)
                  for uuid in uuids]
        try:
            if result is None:
                db.action_event_start_many(ctxt, values)
            else:
                db.action_event_finish_many(ctxt, values)
        except Exception:
            LOG.exception('Could not record event %s', event)

    def _get(self, ctxt, instance_uuid):
        return db.instance_get_by_uuid(ctxt, instance_uuid)

    def _send_report(self, ctxt):
        """Tell the schedulers what this node has now (fanout)."""
        if self.tracker.totals:
            values = self.tracker.node_values()
            values['updated_at'] = utils.isotime(values['updated_at'])
            self.scheduler_rpcapi.update_host_state(ctxt, values)

    def _report_soon(self, ctxt):
        """Coalesce a burst of usage changes into one DB write and one report."""
        if self._report_pending:
            return
        self._report_pending = True

        def flush():
            eventlet.sleep(CONF.compute_report_delay)
            self._report_pending = False
            try:
                self.tracker.persist(ctxt)
                self._send_report(ctxt)
            except Exception:
                LOG.exception('Could not report resources')
        eventlet.spawn_n(flush)

    # -- build ------------------------------------------------------------------
    def build_and_run_instances(self, context, instance_uuids, request_spec, limits):
        """Claim, spawn and activate a batch the scheduler placed here."""
        instances = db.instance_get_all_by_filters(context, {'uuid': instance_uuids,
                                                             'deleted': False})
        claimed, rejected = [], []
        for instance in instances:
            try:
                self.tracker.instance_claim(instance, limits)
                claimed.append(instance)
            except exception.ComputeResourcesUnavailable as error:
                rejected.append((instance, error))
        if claimed:
            self._event(context, [i.uuid for i in claimed], 'compute_build_and_run_instance')
            moved = db.instance_update_many(
                context, [i.uuid for i in claimed],
                {'host': self.host, 'node': self.tracker.nodename, 'launched_on': self.host,
                 'task_state': task_states.SPAWNING, 'scheduled_at': utils.utcnow()},
                expected_task_state=task_states.SCHEDULING)
            if moved != len(claimed):
                claimed = self._still_scheduling(context, claimed)
        pool = eventlet.GreenPool(CONF.max_concurrent_builds)
        results = list(pool.imap(functools.partial(self._spawn, context, request_spec),
                                 claimed))
        spawned = [inst for inst, error in results if error is None]
        if spawned:
            db.instance_update_many(
                context, [i.uuid for i in spawned],
                {'vm_state': vm_states.ACTIVE, 'power_state': power_state.RUNNING,
                 'task_state': None, 'launched_at': utils.utcnow()},
                expected_task_state=task_states.SPAWNING)
            self._event(context, [i.uuid for i in spawned],
                        'compute_build_and_run_instance', 'Success')
        for instance, error in [r for r in results if r[1] is not None] + rejected:
            self._reschedule_or_error(context, instance, request_spec, error)
        self._report_soon(context)

    def _still_scheduling(self, context, claimed):
        """Some instances were deleted while scheduled: drop their claims."""
        live = {i.uuid for i in db.instance_get_all_by_filters(
            context, {'uuid': [i.uuid for i in claimed], 'deleted': False,
                      'host': self.host})}
        for instance in claimed:
            if instance.uuid not in live:
                self.tracker.drop(instance.uuid)
        return [i for i in claimed if i.uuid in live]

    def _spawn(self, context, request_spec, instance):
        with self._build_slots, self._instance_locks(instance.uuid):
            try:
                image_meta = request_spec.get('image') or {}
                self.driver.spawn(context, instance, image_meta,
                                  admin_password=None, network_info=[])
                return instance, None
            except Exception as error:
                LOG.warning('Spawning %s on %s failed: %s', instance.uuid, self.host, error)
                try:
                    self.driver.destroy(context, instance)
                except Exception:
                    LOG.exception('Cleanup of failed spawn %s failed', instance.uuid)
                return instance, error

    def _reschedule_or_error(self, context, instance, request_spec, error):
        self.tracker.drop(instance.uuid)
        self._event(context, [instance.uuid], 'compute_build_and_run_instance', 'Error', error)
        compute_utils.add_instance_fault(context, instance.uuid, error, self.host)
        try:
            spec = RequestSpec.from_dict(request_spec).for_retry(
                instance.uuid, self.host, self.tracker.nodename, str(error))
        except exception.MaxRetriesExceeded as exhausted:
            self._set_error(context, instance.uuid, exhausted)
            return
        try:
            self._update(context, instance.uuid, host=None, node=None,
                         task_state=task_states.SCHEDULING,
                         expected_task_state=[task_states.SPAWNING, task_states.SCHEDULING])
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            return
        self.scheduler_rpcapi.build_instances(context, spec, [instance.uuid])

    # -- delete -----------------------------------------------------------------
    @instance_action
    def terminate_instance(self, context, instance_uuid):
        self._terminate(context, self._get(context, instance_uuid))

    def _terminate(self, context, instance):
        with self._instance_locks(instance.uuid):
            self.driver.destroy(context, instance)
        self.tracker.drop(instance.uuid)
        db.instance_destroy(context, instance.uuid, quota=compute_utils.quota_release(instance))
        self._report_soon(context)

    # -- power actions ----------------------------------------------------------
    def _finish_action(self, context, instance, method, expected_task_state, **values):
        values.setdefault('vm_state', _STATE_AFTER[method])
        values['power_state'] = self._power_state(instance)
        self._update(context, instance.uuid, task_state=None,
                     expected_task_state=expected_task_state, **values)

    @instance_action
    def reboot_instance(self, context, instance_uuid, reboot_type='SOFT'):
        instance = self._get(context, instance_uuid)
        self.driver.reboot(context, instance, [], reboot_type)
        self._finish_action(context, instance, 'reboot_instance',
                            [task_states.REBOOTING, task_states.REBOOTING_HARD])

    @instance_action
    def stop_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.power_off(instance)
        self._finish_action(context, instance, 'stop_instance', task_states.POWERING_OFF)

    @instance_action
    def start_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.power_on(context, instance)
        self._finish_action(context, instance, 'start_instance', task_states.POWERING_ON)

    @instance_action
    def pause_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.pause(instance)
        self._finish_action(context, instance, 'pause_instance', task_states.PAUSING)

    @instance_action
    def unpause_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.unpause(instance)
        self._finish_action(context, instance, 'unpause_instance', task_states.UNPAUSING)

    @instance_action
    def suspend_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.suspend(context, instance)
        self._finish_action(context, instance, 'suspend_instance', task_states.SUSPENDING)

    @instance_action
    def resume_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.resume(context, instance)
        self._finish_action(context, instance, 'resume_instance', task_states.RESUMING)

    @instance_action
    def rescue_instance(self, context, instance_uuid, rescue_password=None):
        instance = self._get(context, instance_uuid)
        self.driver.rescue(context, instance, [], {}, rescue_password)
        self._finish_action(context, instance, 'rescue_instance', task_states.RESCUING)

    @instance_action
    def unrescue_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.unrescue(context, instance)
        self._finish_action(context, instance, 'unrescue_instance', task_states.UNRESCUING)

    @instance_action
    def soft_delete_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.power_off(instance)
        self._finish_action(context, instance, 'soft_delete_instance',
                            task_states.SOFT_DELETING, deleted_at=None)

    @instance_action
    def restore_instance(self, context, instance_uuid):
        instance = self._get(context, instance_uuid)
        self.driver.power_on(context, instance)
        self._finish_action(context, instance, 'restore_instance', task_states.RESTORING)

    # -- reads ------------------------------------------------------------------
    def get_console_output(self, context, instance_uuid, tail_length=None):
        output = self.driver.get_console_output(context, self._get(context, instance_uuid))
        if tail_length is not None:
            lines = output.splitlines()
            output = '\n'.join(lines[-int(tail_length):] if int(tail_length) else [])
        return output

    def get_diagnostics(self, context, instance_uuid):
        return self.driver.get_diagnostics(self._get(context, instance_uuid))

    # -- periodic tasks -----------------------------------------------------------
    @manager.periodic_task
    def update_available_resource(self, context):
        """Recount usage from the DB and the hypervisor, then report it."""
        instances = db.instance_get_all_by_host(context, self.host)
        live = {i.uuid for i in instances}
        for key in list(self.tracker.usage):
            if key.split(':')[0] not in live:
                self.tracker.drop(key)
        self.tracker.load_instances(instances)
        self.tracker.update_available_resource(context, self.service_id)
        self._send_report(context)

    @manager.periodic_task(spacing='sync_power_state_interval')
    def sync_power_states(self, context):
        """Reconcile the DB's power_state with what the hypervisor says."""
        for instance in db.instance_get_all_by_host(context, self.host):
            if instance.task_state is not None:
                continue
            actual = self._power_state(instance)
            if actual != instance.power_state:
                values = {'power_state': actual}
                if (instance.vm_state == vm_states.ACTIVE and
                        actual in (power_state.SHUTDOWN, power_state.CRASHED)):
                    values['vm_state'] = vm_states.STOPPED  # the guest shut itself down
                try:
                    self._update(context, instance.uuid, expected_task_state=None, **values)
                except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                    pass

    @manager.periodic_task(spacing='reclaim_instance_interval')
    def reclaim_queued_deletes(self, context):
        """Delete for good the soft-deleted instances older than the interval."""
        cutoff = utils.utcnow() - datetime.timedelta(seconds=CONF.reclaim_instance_interval)
        for instance in db.instance_get_all_by_filters(
                context, {'host': self.host, 'vm_state': vm_states.SOFT_DELETED,
                          'deleted': False}):
            if instance.task_state is None and instance.updated_at <= cutoff:
                try:
                    self._update(context, instance.uuid, task_state=task_states.DELETING,
                                 expected_task_state=None)
                    self._terminate(context, instance)
                except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                    pass

