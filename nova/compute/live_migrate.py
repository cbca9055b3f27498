"""Live migration (admin): move a running guest to another host without stopping it.

API: task MIGRATING, a 'live-migration' migration record (accepted), a
destination from the scheduler (or the admin's host, forced) that passes the
pre-checks: the destination's driver check, then the source's, then a claim
on the destination (preparing). The source's driver moves the guest (running)
and calls back: on success the instance's host and node change, the claims
move and the migration is completed; on failure the instance stays on the
source, ACTIVE (or PAUSED), with a fault, and the migration is error.
"""
import functools
import logging

from nova import exception
from nova.compute import move_claims, move_spec, power_state, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.action_events import instance_action
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.conf import CONF
from nova.db import api as db
from nova.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

_LIVE_STEPS = ('accepted', 'preparing', 'running')


class LiveMigrationAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED])
    def live_migrate(self, context, instance, host=None, block_migration=False,
                     disk_over_commit=False):
        """Move the running instance to ``host`` or to one the scheduler picks."""
        if not context.is_admin:
            raise exception.AdminRequired()
        virt_driver.compute_driver_class().require('supports_live_migration', 'live migration')
        if host is not None:
            self._check_destination(context, instance, host)
        compute_utils.start_action(context, instance.uuid, 'live-migration')
        instance = begin_task(context, instance, task_states.MIGRATING, method='live_migrate')
        cur = move_claims.current_flavor(instance)
        migration = db.migration_create(context, {
            'instance_uuid': instance.uuid, 'source_compute': instance.host,
            'source_node': instance.node, 'dest_compute': host, 'status': 'accepted',
            'migration_type': move_claims.LIVE_TYPE, 'old_instance_type_id': cur.get('id'),
            'new_instance_type_id': cur.get('id')})
        try:
            dest, migrate_data = self._live_destination(
                context, instance, migration, host, block_migration, disk_over_commit)
        except Exception as error:
            db.migration_update(context, migration.id, {'status': 'error'})
            compute_utils.add_instance_fault(context, instance.uuid, error)
            try:
                db.instance_update(context, instance.uuid, {'task_state': None},
                                   expected_task_state=task_states.MIGRATING)
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                pass
            raise
        self.compute_rpcapi.to_host(context, 'live_migration', instance.host, instance.uuid,
                                    dest=dest, migration_id=migration.id,
                                    block_migration=block_migration,
                                    migrate_data=migrate_data)

    def _live_destination(self, context, instance, migration, host, block_migration,
                          disk_over_commit):
        """(host, migrate_data) of a destination that passed the pre-checks.

        A scheduler-chosen host that fails them is replaced by another, up to
        scheduler_max_attempts hosts; the admin's host is not.
        """
        tried = [instance.host]
        while True:
            spec = move_spec.request_spec(context, instance,
                                          move_claims.current_flavor(instance),
                                          ignore_hosts=tried, force_hosts=[host] if host else [])
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
            try:
                return dest['host'], self.compute_rpcapi.call_host(
                    context, 'check_can_live_migrate_destination', dest['host'], instance.uuid,
                    migration_id=migration.id, block_migration=block_migration,
                    disk_over_commit=disk_over_commit, limits=dest.get('limits'))
            except Exception as error:
                LOG.info('Cannot live-migrate %s to %s: %s', instance.uuid, dest['host'], error)
                if host or len(tried) >= CONF.scheduler_max_attempts:
                    raise exception.MigrationPreCheckError(reason=str(error)) from error
                tried.append(dest['host'])


class LiveMigrationManager:
    """Mixin of nova.compute.manager.ComputeManager."""

    def check_can_live_migrate_destination(self, context, instance_uuid, migration_id,
                                           block_migration=False, disk_over_commit=False,
                                           limits=None):
        """Destination: driver check, the source's check, then claim; the migrate_data."""
        instance = self._get(context, instance_uuid)
        dest_check = self.driver.check_can_live_migrate_destination(
            context, instance, block_migration, disk_over_commit)
        migrate_data = self.compute_rpcapi.call_host(
            context, 'check_can_live_migrate_source', instance.host, instance_uuid,
            dest_check_data=dest_check)
        db.migration_update(context, migration_id, {
            'dest_compute': self.host, 'dest_node': self.tracker.nodename,
            'status': 'preparing'})
        try:
            self.tracker.instance_claim(instance, limits, key=move_claims.key(instance_uuid))
        except exception.ComputeResourcesUnavailable as error:
            raise exception.MigrationPreCheckError(reason=error.format_message()) from error
        self._report_soon(context)
        return migrate_data

    def check_can_live_migrate_source(self, context, instance_uuid, dest_check_data):
        return self.driver.check_can_live_migrate_source(
            context, self._get(context, instance_uuid), dest_check_data)

    @instance_action
    def live_migration(self, context, instance_uuid, dest, migration_id,
                       block_migration=False, migrate_data=None):
        """Source: the driver moves the guest and calls back post or recover."""
        instance = self._get(context, instance_uuid)
        self._migration_status(context, migration_id, 'running')
        try:
            self.driver.live_migration(
                context, instance, dest,
                functools.partial(self._post_live_migration, migration_id=migration_id),
                functools.partial(self._rollback_live_migration, migration_id=migration_id),
                block_migration, migrate_data)
        except Exception:
            if db.migration_get(context, migration_id).status in _LIVE_STEPS:
                self._rollback_live_migration(context, instance, dest, migration_id)
            raise

    def _post_live_migration(self, context, instance, dest, migration_id):
        """The guest runs on dest now: the instance follows, the claims move."""
        migration = db.migration_get(context, migration_id)
        self.tracker.drop(instance.uuid)
        self._update(context, instance.uuid, expected_task_state=task_states.MIGRATING,
                     host=dest, node=migration.dest_node, task_state=None)
        self._migration_status(context, migration_id, 'completed')
        self.compute_rpcapi.to_host(context, 'post_live_migration_at_destination', dest,
                                    instance.uuid)
        self._report_soon(context)

    def post_live_migration_at_destination(self, context, instance_uuid):
        """Destination: the claim becomes the instance's own; its power state as seen here."""
        instance = self._get(context, instance_uuid)
        self._settle_claims(instance, own=move_claims.current_flavor(instance))
        self._update(context, instance_uuid, power_state=self._power_state(instance))
        self._report_soon(context)

    def _rollback_live_migration(self, context, instance, dest, migration_id):
        """The guest stays here: task cleared, migration error, the destination's claim freed."""
        self._migration_status(context, migration_id, 'error')
        try:
            self._update(context, instance.uuid, task_state=None,
                         expected_task_state=task_states.MIGRATING)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            pass
        if db.migration_get(context, migration_id).dest_compute == dest:
            self._drop_claim_at(context, dest, instance.uuid)

    def _recover_live_migration(self, context, instance):
        """Stopped mid-migration: the guest still here stays; a vanished one is an error."""
        found = db.migration_get_all_by_filters(
            context, {'instance_uuid': instance.uuid, 'status': list(_LIVE_STEPS),
                      'migration_type': move_claims.LIVE_TYPE}, limit=1)
        if self._power_state(instance) == power_state.NOSTATE:
            for migration in found:
                self._migration_status(context, migration.id, 'error')
            self._set_error(context, instance.uuid, self._interrupted(instance))
            return
        compute_utils.add_instance_fault(context, instance.uuid, self._interrupted(instance),
                                         self.host)
        if found:
            self._rollback_live_migration(context, instance, found[0].dest_compute,
                                          found[0].id)
        else:
            self._update(context, instance.uuid, task_state=None,
                         expected_task_state=task_states.MIGRATING)


RECOVERY = {task_states.MIGRATING: '_recover_live_migration'}
