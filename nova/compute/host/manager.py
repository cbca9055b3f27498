"""Compute manager: the RPC endpoint of nova-compute, running instances on this host.

Every operation walks the instance through its states with compare-and-swap
updates (the expected task_state must still hold), records an action event,
and on failure records a fault and clears the task so that no instance is left
in a task forever; ``init_host`` finishes or fails what a crash interrupted.

The manager builds its collaborators with their explicit dependencies and
is the one place that lists what the host serves: every method declared in
nova/compute/rpcapi.py is a method here, the longer flows delegated to
builds (build.py), resizes (resize.py), live migrations (live_migrate.py),
rebuilds (rebuild.py), snapshots (snapshot.py) and shelves (shelve.py), each
of which also says how to resolve its task states after a crash. Deletes,
power actions and reads are short and live here.
"""
import datetime
import logging

from nova import context as nova_context
from nova import exception
from nova import hooks
from nova import manager
from nova import utils
from nova.compute import move_spec, power_state, resize_quota, rpcapi, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.host import build, evacuate, live_migrate, rebuild, resize, shelve, snapshot
from nova.compute.host import volumes
from nova.compute.host import action_events
from nova.compute.host.action_events import instance_action
from nova.compute.host.base_images import BaseImages
from nova.compute.host.claims import HostClaims
from nova.compute.host.events import InstanceEvents
from nova.compute.host.firewall import HostFirewall
from nova.compute.host.usage_audit import UsageAudit
from nova.compute.host.records import InstanceRecords
from nova.compute.host.resource_tracker import ResourceTracker
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.image import glance
from nova.network import api as network_api
from nova.scheduler import rpcapi as scheduler_rpcapi
from nova.virt import driver as virt_driver
from nova.volume import api as volume_api

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

_BUILD_TASKS = (task_states.SPAWNING, task_states.NETWORKING,
                task_states.BLOCK_DEVICE_MAPPING, task_states.SCHEDULING)
_REBOOT_TASKS = (task_states.REBOOTING, task_states.REBOOTING_HARD,
                 task_states.REBOOT_PENDING, task_states.REBOOT_STARTED,
                 task_states.REBOOT_PENDING_HARD, task_states.REBOOT_STARTED_HARD)


class ComputeManager(manager.Manager):
    RPC_API = rpcapi.ComputeAPI

    def __init__(self, host=None, service_name=None, driver=None):
        super().__init__(host, service_name)
        self.driver = driver or virt_driver.load_compute_driver(self.host)
        self.tracker = ResourceTracker(self.host, self.driver)
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self.compute_rpcapi = rpcapi.ComputeAPI()
        self.image_api = glance.get_compute_image_api()
        self.base_images = BaseImages(self.image_api, self.driver.image_data)
        self.network_api = network_api.API()
        self.firewall = HostFirewall(self.host, self.network_api)
        self.locks = utils.KeyedLocks()  # spawn vs delete of one instance
        self.records = InstanceRecords(self.host, self.driver)
        self.claims = HostClaims(self.host, self.tracker, self.compute_rpcapi,
                                 self.scheduler_rpcapi)
        self.volumes = volumes.Volumes(self.records, self.driver, volume_api.API())
        self.builds = build.Builds(self.records, self.driver, self.tracker, self.claims,
                                   self.scheduler_rpcapi, self.base_images, self.locks,
                                   self.network_api, self.firewall, self.volumes)
        self.resizes = resize.Resizes(self.records, self.driver, self.tracker, self.claims,
                                      self.compute_rpcapi, self.scheduler_rpcapi,
                                      self.base_images, self.locks)
        self.live_migrations = live_migrate.LiveMigrations(
            self.records, self.driver, self.tracker, self.claims, self.compute_rpcapi,
            self.network_api, self.firewall)
        self.rebuilds = rebuild.Rebuilds(self.records, self.driver, self.base_images,
                                         self.locks, self.network_api)
        self.evacuations = evacuate.Evacuations(self.records, self.driver, self.tracker,
                                                self.claims, self.base_images, self.locks,
                                                self.network_api)
        self.snapshots = snapshot.Snapshots(self.records, self.driver, self.image_api)
        self.shelves = shelve.Shelves(self.records, self.driver, self.claims, self.tracker,
                                      self.image_api, self.base_images, self.snapshots,
                                      self.locks, self.network_api, self.volumes)
        self.instance_events = InstanceEvents()
        self.usage_audit = UsageAudit(self.host, self.records.lifecycle)
        # task state -> what resolves it after a crash (see _recover)
        self._recovery = {}
        for flow in (self.resizes, self.live_migrations, self.rebuilds, self.snapshots,
                     self.shelves):
            self._recovery.update(flow.recovery())

    # -- start-up and recovery ------------------------------------------------
    def init_host(self):
        """Load usage, then resolve every instance a crash left mid-task."""
        self.driver.init_host(self.host)
        ctxt = nova_context.get_admin_context()
        self.evacuations.destroy_evacuated_guests(ctxt)
        self.claims.recount(ctxt)
        for instance in db.instance_pages_by_host(ctxt, self.host):
            try:
                self._recover(ctxt, instance)
            except Exception:
                LOG.exception(_LE('Could not recover instance %s'), instance.uuid)
        self._destroy_orphans(ctxt)
        self.sync_power_states(ctxt)
        self.tracker.update_available_resource(ctxt, self.service_id)
        self.claims.send_report(ctxt)
        try:
            self.firewall.refresh(ctxt)
        except Exception:
            LOG.exception(_LE('Could not rebuild the firewall of %s'), self.host)

    def _destroy_orphans(self, ctxt):
        """Guests whose instance was deleted (from the database only) while this
        host was down. Guests of instances the database does not know, or knows
        on another host, are not ours to touch."""
        try:
            uuids = self.driver.list_instance_uuids()
        except Exception:
            LOG.exception(_LE('Could not list the guests on %s'), self.host)
            return
        if not uuids:
            return
        for row in db.instance_get_all_by_filters(ctxt, {
                'uuid': uuids, 'host': self.host, 'deleted': True, 'soft_deleted': False}):
            LOG.warning(_LW('Destroying the guest of deleted instance %s'), row.uuid)
            try:
                self.driver.destroy(ctxt, row)
            except Exception:
                LOG.exception(_LE('Could not destroy the guest of %s'), row.uuid)

    def _recover(self, ctxt, instance):
        self.volumes.recover(ctxt, instance)
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
            self.shelves.recover_unshelve_spawn(ctxt, instance)
            return
        if task in self._recovery:
            self._recovery[task](ctxt, instance)
            return
        running = self.records.power_state(instance)
        if task in _BUILD_TASKS:
            if running == power_state.RUNNING:
                self.records.update(ctxt, instance.uuid, vm_state=vm_states.ACTIVE,
                                    power_state=running, task_state=None,
                                    launched_at=instance.launched_at or utils.utcnow())
            else:
                try:  # whatever the build had made: disks, a domain not started
                    self.driver.destroy(ctxt, instance)
                except Exception:
                    LOG.exception(_LE('Could not clean up the interrupted build of %s'),
                                  instance.uuid)
                self.records.set_error(ctxt, instance.uuid, exception.InstanceBuildInterrupted(
                    instance_uuid=instance.uuid, host=self.host))
            return
        if task in _REBOOT_TASKS:
            self.records.update(ctxt, instance.uuid, task_state=task_states.REBOOTING_HARD)
            self.reboot_instance(ctxt, instance.uuid, reboot_type=virt_driver.REBOOT_HARD)
            return
        # any other interrupted task: the hypervisor tells where it stands
        self.records.update(ctxt, instance.uuid, task_state=None, power_state=running,
                            vm_state=self.records.vm_state_for_power(instance.vm_state, running))

    # -- build ------------------------------------------------------------------
    def build_and_run_instances(self, context, instance_uuids, request_spec, limits):
        self.builds.build_and_run_instances(context, instance_uuids, request_spec, limits)

    # -- delete -----------------------------------------------------------------
    @instance_action
    def terminate_instance(self, context, instance_uuid):
        """Delete; one that fails half way leaves the instance ERROR (its guest may be
        halted or half gone: ACTIVE would be a lie), to be deleted again."""
        try:
            self._terminate(context, self.records.get(context, instance_uuid),
                            event='compute_terminate_instance')
            return action_events.SUCCESS_RECORDED
        except exception.InstanceNotFound:
            raise
        except Exception:
            try:
                self.records.update(context, instance_uuid, vm_state=vm_states.ERROR)
            except exception.InstanceNotFound:
                pass
            raise

    @hooks.add_hook('terminate_instance')
    def _terminate(self, context, instance, event=None):
        """Destroy the guest, give back what it held and delete the row (with the
        Success of ``event``, if given, in the same transaction)."""
        with self.locks(instance.uuid):
            # read once, under the lock an attach in progress holds: destroyed and
            # released are the same mappings; one transaction with the addresses
            with db.transaction(writes=False):
                bdms = db.block_device_mapping_get_all_by_instance(context, instance.uuid)
                network_info = self.network_api.get_instance_nw_info(context, instance)
            self.driver.destroy(context, instance, network_info=network_info,
                                block_device_info=self.volumes.block_device_info(
                                    context, instance, bdms))
            self.volumes.cleanup(context, instance, bdms)
        self.network_api.deallocate_for_instance(context, instance)
        self.claims.settle(instance)
        with db.transaction():  # the event and the delete: one transaction
            if event is not None:  # first: a failed write fails the next, not the commit
                self.records.event(context, [instance.uuid], event, 'Success')
            db.instance_destroy(context, instance.uuid,
                                quota=resize_quota.release_on_delete(instance))
        self.firewall.instances_changed(context, [instance])
        self.claims.report_soon(context, released=True)

    # -- power actions ----------------------------------------------------------
    def _finish_action(self, context, instance, method, expected_task_state, **values):
        values.setdefault('vm_state', _STATE_AFTER[method])
        values['power_state'] = self.records.power_state(instance)
        self.records.update(context, instance.uuid, task_state=None,
                            expected_task_state=expected_task_state, **values)

    @instance_action
    def reboot_instance(self, context, instance_uuid, reboot_type='SOFT'):
        instance = self.records.get(context, instance_uuid)
        self.driver.reboot(context, instance,
                           self.network_api.get_instance_nw_info(context, instance),
                           reboot_type)
        self._finish_action(context, instance, 'reboot_instance',
                            [task_states.REBOOTING, task_states.REBOOTING_HARD])

    @instance_action
    def stop_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.power_off(instance)
        self._finish_action(context, instance, 'stop_instance', task_states.POWERING_OFF)

    @instance_action
    def start_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.power_on(context, instance)
        self._finish_action(context, instance, 'start_instance', task_states.POWERING_ON)

    @instance_action
    def pause_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.pause(instance)
        self._finish_action(context, instance, 'pause_instance', task_states.PAUSING)

    @instance_action
    def unpause_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.unpause(instance)
        self._finish_action(context, instance, 'unpause_instance', task_states.UNPAUSING)

    @instance_action
    def suspend_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.suspend(context, instance)
        self._finish_action(context, instance, 'suspend_instance', task_states.SUSPENDING)

    @instance_action
    def resume_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.resume(context, instance)
        self._finish_action(context, instance, 'resume_instance', task_states.RESUMING)

    @instance_action
    def rescue_instance(self, context, instance_uuid, rescue_password=None):
        instance = self.records.get(context, instance_uuid)
        # the rescue disk is a fresh copy of the instance's own image
        image_meta = self.base_images.image_meta(context, {
            'id': instance.image_ref, 'properties': move_spec.image_properties(instance)})
        self.driver.rescue(context, instance,
                           self.network_api.get_instance_nw_info(context, instance),
                           image_meta, rescue_password)
        self._finish_action(context, instance, 'rescue_instance', task_states.RESCUING)

    @instance_action
    def unrescue_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.unrescue(context, instance)
        self._finish_action(context, instance, 'unrescue_instance', task_states.UNRESCUING)

    @instance_action
    def soft_delete_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.power_off(instance)
        self._finish_action(context, instance, 'soft_delete_instance',
                            task_states.SOFT_DELETING, deleted_at=None)

    @instance_action
    def restore_instance(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.power_on(context, instance)
        self._finish_action(context, instance, 'restore_instance', task_states.RESTORING)

    # -- reads ------------------------------------------------------------------
    def get_console_output(self, context, instance_uuid, tail_length=None):
        output = self.driver.get_console_output(context, self.records.get(context, instance_uuid))
        if tail_length is not None:
            lines = output.splitlines()
            output = '\n'.join(lines[-int(tail_length):] if int(tail_length) else [])
        return output

    def get_diagnostics(self, context, instance_uuid):
        return self.driver.get_diagnostics(self.records.get(context, instance_uuid))

    def get_instance_stats(self, context, instance_uuids):
        """Cumulative counters of these instances of this host, in one driver call."""
        wanted = set(instance_uuids)
        instances = db.instance_get_all_by_filters(
            context, {'host': self.host, 'uuid': sorted(wanted)}) if wanted else []
        stats = self.driver.get_instance_stats(instances) if instances else {}
        return {instance_uuid: values.to_dict() for instance_uuid, values in stats.items()}

    def get_host_uptime(self, context):
        return self.driver.get_host_uptime()

    def refresh_security_groups(self, context):
        """Rules or group members changed somewhere: rebuild this host's firewall."""
        self.firewall.refresh(context)

    def cache_images(self, context, image_ids):
        """Fetch images into this host's base image cache before any boot needs them."""
        for image_id in image_ids:
            try:
                self.base_images.fetch(context, image_id)
            except Exception:  # noqa: BLE001 -- one image failing must not stop the rest
                LOG.exception(_LE('Could not cache image %s'), image_id)

    # -- host and guest operations of administrators and services -------------------
    def host_maintenance_mode(self, context, mode):
        return self.driver.host_maintenance_mode(self.host, bool(mode))

    def host_power_action(self, context, action):
        return self.driver.host_power_action(action)

    @instance_action
    def inject_network_info(self, context, instance_uuid):
        instance = self.records.get(context, instance_uuid)
        self.driver.inject_network_info(
            instance, self.network_api.get_instance_nw_info(context, instance))

    @instance_action
    def trigger_crash_dump(self, context, instance_uuid):
        self.driver.trigger_crash_dump(self.records.get(context, instance_uuid))

    @instance_action
    def reset_network(self, context, instance_uuid):
        self.driver.reset_network(self.records.get(context, instance_uuid))

    @instance_action
    def set_admin_password(self, context, instance_uuid, new_pass):
        self.driver.set_admin_password(self.records.get(context, instance_uuid), new_pass)

    @instance_action
    def attach_interface(self, context, instance_uuid, vif):
        """Plug a VIF nova-network allocated into the running guest."""
        self.driver.attach_interface(context, self.records.get(context, instance_uuid), {},
                                     vif)

    @instance_action
    def detach_interface(self, context, instance_uuid, vif):
        self.driver.detach_interface(context, self.records.get(context, instance_uuid), vif)

    def external_instance_event(self, context, events):
        for event in events:
            self.instance_events.deliver(event)

    def get_serial_console(self, context, instance_uuid):
        return self.driver.get_serial_console(context, self.records.get(context, instance_uuid))

    # -- volumes (volumes.py) --------------------------------------------------------------
    def attach_volume(self, context, instance_uuid, bdm_uuid):
        with self.locks(instance_uuid):
            self.volumes.attach_volume(context, instance_uuid, bdm_uuid)

    def detach_volume(self, context, instance_uuid, volume_id):
        with self.locks(instance_uuid):
            self.volumes.detach_volume(context, instance_uuid, volume_id)

    def reattach_volume(self, context, instance_uuid, volume_id):
        with self.locks(instance_uuid):
            return self.volumes.reattach_volume(context, instance_uuid, volume_id)

    def swap_volume(self, context, instance_uuid, bdm_uuid, new_volume_id, new_attachment_id):
        with self.locks(instance_uuid):
            self.volumes.swap_volume(context, instance_uuid, bdm_uuid, new_volume_id,
                                     new_attachment_id)

    # -- resize and cold migration (resize.py) ------------------------------------------
    def prep_resize(self, context, instance_uuid, migration_id, request_spec, limits):
        self.resizes.prep_resize(context, instance_uuid, migration_id, request_spec, limits)

    def resize_instance(self, context, instance_uuid, migration_id):
        self.resizes.resize_instance(context, instance_uuid, migration_id=migration_id)

    def finish_resize(self, context, instance_uuid, migration_id, disk_info):
        self.resizes.finish_resize(context, instance_uuid, migration_id=migration_id,
                                   disk_info=disk_info)

    def confirm_resize(self, context, instance_uuid, migration_id):
        self.resizes.confirm_resize(context, instance_uuid, migration_id=migration_id)

    def revert_resize(self, context, instance_uuid, migration_id):
        self.resizes.revert_resize(context, instance_uuid, migration_id=migration_id)

    def finish_revert_resize(self, context, instance_uuid, migration_id):
        self.resizes.finish_revert_resize(context, instance_uuid, migration_id=migration_id)

    def drop_move_claim(self, context, instance_uuid):
        """A move here will not happen: its claim goes, and the firewall rules a live
        migration's pre_live_migration put in place for the guest."""
        self.claims.drop_move(context, instance_uuid)
        self.live_migrations.refresh_firewall(context)

    # -- live migration (live_migrate.py) ---------------------------------------------------
    def check_can_live_migrate_destination(self, context, instance_uuid, migration_id,
                                           block_migration=False, disk_over_commit=False,
                                           limits=None):
        return self.live_migrations.check_can_live_migrate_destination(
            context, instance_uuid, migration_id, block_migration, disk_over_commit, limits)

    def check_can_live_migrate_source(self, context, instance_uuid, dest_check_data):
        return self.live_migrations.check_can_live_migrate_source(context, instance_uuid,
                                                                  dest_check_data)

    def live_migration(self, context, instance_uuid, dest, migration_id,
                       block_migration=False, migrate_data=None):
        self.live_migrations.live_migration(context, instance_uuid, dest=dest,
                                            migration_id=migration_id,
                                            block_migration=block_migration,
                                            migrate_data=migrate_data)

    def pre_live_migration(self, context, instance_uuid, migrate_data):
        return self.live_migrations.pre_live_migration(context, instance_uuid, migrate_data)

    def post_live_migration_at_destination(self, context, instance_uuid):
        self.live_migrations.post_live_migration_at_destination(context, instance_uuid)

    def live_migration_abort(self, context, instance_uuid, migration_id):
        self.live_migrations.live_migration_abort(context, instance_uuid,
                                                  migration_id=migration_id)

    def live_migration_force_complete(self, context, instance_uuid, migration_id):
        self.live_migrations.live_migration_force_complete(context, instance_uuid,
                                                           migration_id=migration_id)

    # -- evacuation (evacuate.py) -----------------------------------------------------------
    def evacuate_instance(self, context, instance_uuid, migration_id, admin_password,
                          limits=None, stopped=False):
        self.evacuations.evacuate_instance(context, instance_uuid, migration_id=migration_id,
                                           admin_password=admin_password, limits=limits,
                                           stopped=stopped)

    # -- rebuild, snapshots, shelve (rebuild.py, snapshot.py, shelve.py) ------------------
    def rebuild_instance(self, context, instance_uuid, admin_password=None):
        self.rebuilds.rebuild_instance(context, instance_uuid, admin_password=admin_password)

    def snapshot_instance(self, context, instance_uuid, image_id):
        self.snapshots.snapshot_instance(context, instance_uuid, image_id=image_id)

    def backup_instance(self, context, instance_uuid, image_id, backup_type, rotation):
        self.snapshots.backup_instance(context, instance_uuid, image_id=image_id,
                                       backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, context, instance_uuid, image_id):
        self.shelves.shelve_instance(context, instance_uuid, image_id=image_id)

    def shelve_offload_instance(self, context, instance_uuid):
        self.shelves.shelve_offload_instance(context, instance_uuid)

    def unshelve_instance(self, context, instance_uuid, limits=None):
        self.shelves.unshelve_instance(context, instance_uuid, limits=limits)

    # -- periodic tasks -----------------------------------------------------------
    @manager.periodic_task
    def update_available_resource(self, context):
        """Recount usage from the DB and the hypervisor, then report it."""
        self.claims.recount(context)
        self.tracker.update_available_resource(context, self.service_id)
        self.claims.send_report(context)

    @manager.periodic_task
    def poll_unconfirmed_resizes(self, context):
        """Confirm the resizes finished here longer than resize_confirm_window ago."""
        self.resizes.poll_unconfirmed_resizes(context)

    @manager.periodic_task(spacing='shelved_poll_interval')
    def poll_shelved_instances(self, context):
        """Offload the instances shelved here longer than shelved_offload_time ago."""
        self.shelves.poll_shelved_instances(context)

    @manager.periodic_task(spacing='image_cache_manager_interval')
    def remove_unused_base_images(self, context):
        """Remove the cached images no instance here has used for a while."""
        in_use = {i.image_ref for i in db.instance_pages_by_host(context, self.host)}
        self.base_images.remove_unused(in_use)
        self.driver.remove_unused_images(in_use)

    @manager.periodic_task(spacing='sync_power_state_interval')
    def sync_power_states(self, context):
        """Reconcile the DB's power_state with what the hypervisor says."""
        for instance in db.instance_pages_by_host(context, self.host):
            if instance.task_state is not None:
                continue
            actual = self.records.power_state(instance)
            if actual != instance.power_state:
                values = {'power_state': actual}
                if (instance.vm_state == vm_states.ACTIVE and
                        actual in (power_state.SHUTDOWN, power_state.CRASHED)):
                    values['vm_state'] = vm_states.STOPPED  # the guest shut itself down
                try:
                    self.records.update(context, instance.uuid, expected_task_state=None, **values)
                except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                    pass

    @manager.periodic_task(spacing=60, run_immediately=True)
    def instance_usage_audit(self, context):
        """Once per audit period, record the instances active here (the task log)."""
        self.usage_audit.run(context)

    @manager.periodic_task(spacing='reclaim_instance_interval')
    def reclaim_queued_deletes(self, context):
        """Delete for good the soft-deleted instances older than the interval."""
        cutoff = utils.utcnow() - datetime.timedelta(seconds=CONF.reclaim_instance_interval)
        for instance in db.instance_get_all_by_filters(
                context, {'host': self.host, 'vm_state': vm_states.SOFT_DELETED,
                          'deleted': False}):
            if instance.task_state is None and instance.updated_at <= cutoff:
                try:
                    self.records.update(context, instance.uuid, task_state=task_states.DELETING,
                                        expected_task_state=None)
                    before = self.records.lifecycle.start(context, instance.uuid, 'delete')
                    self._terminate(context, instance)
                    self.records.lifecycle.end(context, instance.uuid, 'delete', before)
                except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                    pass

