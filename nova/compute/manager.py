"""Compute manager: runs instances on this host through the virt driver.

Every operation walks the instance through its states with compare-and-swap
updates (the expected task_state must still hold), records an action event,
and on failure records a fault and clears the task so that no instance is left
in a task forever; ``init_host`` finishes or fails what a crash interrupted.
The longer flows live in their own modules, mixed in here: resize and cold
migration (resize_manager), live migration, rebuild, snapshot and backup,
shelve; each also says how to resolve its task states after a crash.
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
from nova.compute import live_migrate, move_claims, power_state, rebuild, resize_manager
from nova.compute import resize_quota, rpcapi, shelve, snapshot, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.action_events import instance_action
from nova.compute.base_images import BaseImages
from nova.compute.resource_tracker import ResourceTracker
from nova.compute.resource_tracker import instance_usage as resource_usage
from nova.conf import CONF
from nova.db import api as db
from nova.image import service as image_service
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


# task state -> the method that resolves it after a crash (see _recover)
_RECOVERY = dict(**resize_manager.RECOVERY, **live_migrate.RECOVERY, **rebuild.RECOVERY,
                 **snapshot.RECOVERY, **shelve.RECOVERY)


class ComputeManager(resize_manager.ResizeManager, live_migrate.LiveMigrationManager,
                     rebuild.RebuildManager, snapshot.SnapshotManager, shelve.ShelveManager,
                     manager.Manager):
    RPC_API = rpcapi.ComputeAPI

    def __init__(self, host=None, service_name=None, driver=None):
        super().__init__(host, service_name)
        self.driver = driver or virt_driver.load_compute_driver(self.host)
        self.tracker = ResourceTracker(self.host, self.driver)
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self.compute_rpcapi = rpcapi.ComputeAPI()
        self.image_api = image_service.get_default_image_service()
        self.base_images = BaseImages(self.image_api)
        self._build_slots = eventlet.semaphore.Semaphore(CONF.max_concurrent_builds)
        self._report_pending = False
        self._instance_locks = utils.KeyedLocks()  # spawn vs delete of one instance

    # -- start-up and recovery ------------------------------------------------
    def init_host(self):
        """Load usage, then resolve every instance a crash left mid-task."""
        self.driver.init_host(self.host)
        ctxt = nova_context.get_admin_context()
        instances = db.instance_get_all_by_host(ctxt, self.host)
        self._recount_claims(ctxt)
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
        # the steps run below, here or on other hosts, are events of this action
        compute_utils.start_action(ctxt, instance.uuid, 'recover')
        if task == task_states.DELETING:
            self._terminate(ctxt, instance)
            return
        if task == task_states.SPAWNING and instance.vm_state == vm_states.SHELVED_OFFLOADED:
            self._recover_unshelve_spawn(ctxt, instance)
            return
        if task in _RECOVERY:
            getattr(self, _RECOVERY[task])(ctxt, instance)
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

    def _interrupted(self, instance):
        return exception.InstanceActionInterrupted(
            task_state=instance.task_state, instance_uuid=instance.uuid, host=self.host)

    @staticmethod
    def _migration_status(ctxt, migration_id, status):
        db.migration_update(ctxt, migration_id, {'status': status})

    # -- claims -----------------------------------------------------------------
    def _recount_claims(self, ctxt):
        """Make the claims what the database says this node holds (move_claims)."""
        expected = move_claims.expected_claims(ctxt, self.host, self.tracker.nodename)
        for key in list(self.tracker.usage):
            if key not in expected:
                self.tracker.drop(key)
        for key, (instance, flavor) in expected.items():
            need = resource_usage(flavor if flavor is not None else instance)
            if self.tracker.usage.get(key) != need:
                self.tracker.drop(key)
                self.tracker.instance_claim(instance, flavor=flavor, key=key)

    def _settle_claims(self, instance, own=None, other=None):
        """This host's claims for an instance become exactly ``own`` (its flavor,
        if it is here) and ``other`` (the flavor of the other end of a move)."""
        self.tracker.drop(instance.uuid)
        self.tracker.drop(move_claims.key(instance.uuid))
        if own is not None:
            self.tracker.instance_claim(instance, flavor=own)
        if other is not None:
            self.tracker.instance_claim(instance, flavor=other,
                                        key=move_claims.key(instance.uuid))

    def _drop_claim_at(self, ctxt, host, instance_uuid):
        """The other end of a move gives up its claim, here or on its host."""
        if host == self.host:
            self.drop_move_claim(ctxt, instance_uuid)
        elif host:
            self.compute_rpcapi.to_host(ctxt, 'drop_move_claim', host, instance_uuid)

    def drop_move_claim(self, context, instance_uuid):
        """A move to or from this host will not happen: free what was claimed for it."""
        if self.tracker.drop(move_claims.key(instance_uuid)):
            self._report_soon(context)

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
                image_meta = self.base_images.image_meta(context, request_spec.get('image') or {})
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
        self._settle_claims(instance)
        db.instance_destroy(context, instance.uuid,
                            quota=resize_quota.release_on_delete(instance))
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

    def get_host_uptime(self, context):
        return self.driver.get_host_uptime()

    def cache_images(self, context, image_ids):
        """Fetch images into this host's base image cache before any boot needs them."""
        for image_id in image_ids:
            try:
                self.base_images.fetch(context, image_id)
            except Exception:  # noqa: BLE001 -- one image failing must not stop the rest
                LOG.exception('Could not cache image %s', image_id)

    # -- periodic tasks -----------------------------------------------------------
    @manager.periodic_task
    def update_available_resource(self, context):
        """Recount usage from the DB and the hypervisor, then report it."""
        self._recount_claims(context)
        self.tracker.update_available_resource(context, self.service_id)
        self._send_report(context)

    @manager.periodic_task(spacing='image_cache_manager_interval')
    def remove_unused_base_images(self, context):
        """Remove the cached images no instance here has used for a while."""
        in_use = {i.image_ref for i in db.instance_get_all_by_host(context, self.host)}
        self.base_images.remove_unused(in_use)

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

