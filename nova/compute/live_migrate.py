"""Live migration (admin): move a running guest to another host without stopping it.

The API side (the hosts' is nova/compute/host/live_migrate.py): task
MIGRATING, a 'live-migration' migration record (accepted), and a destination
from the scheduler (or the admin's host, forced) that passes the pre-checks:
the destination's driver check, then the source's, then a claim on the
destination (preparing). Then the source moves the guest (running), which an
administrator may force to complete or abort while it runs (2.22, 2.24).
"""
import logging

from nova import exception
from nova.compute import capabilities, move_claims, move_spec, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.conf import CONF
from nova.db import api as db

LOG = logging.getLogger(__name__)

IN_PROGRESS = ('queued', 'preparing', 'running', 'post-migrating')


class LiveMigrationAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED])
    def live_migrate(self, context, instance, host=None, block_migration=False,
                     disk_over_commit=False):
        """Move the running instance to ``host`` or to one the scheduler picks."""
        compute_utils.require_mover(context, host)
        capabilities.require(context, instance, 'supports_live_migration', 'live migration')
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
            self.compute_rpcapi.live_migration(context, instance.host, instance.uuid,
                                               dest=dest, migration_id=migration.id,
                                               block_migration=block_migration,
                                               migrate_data=migrate_data)
        except Exception as error:
            db.migration_update(context, migration.id, {'status': 'error'})
            compute_utils.add_instance_fault(context, instance.uuid, error)
            try:
                db.instance_update(context, instance.uuid, {'task_state': None},
                                   expected_task_state=task_states.MIGRATING)
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                pass
            raise

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
                                          ignore_hosts=tried, force_hosts=[host] if host else [],
                                          required_capabilities=['supports_live_migration'])
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
            try:
                return dest['host'], self.compute_rpcapi.check_can_live_migrate_destination(
                    context, dest['host'], instance.uuid,
                    migration_id=migration.id, block_migration=block_migration,
                    disk_over_commit=disk_over_commit, limits=dest.get('limits'))
            except Exception as error:
                LOG.info('Cannot live-migrate %s to %s: %s', instance.uuid, dest['host'], error)
                if host or len(tried) >= CONF.scheduler_max_attempts:
                    raise exception.MigrationPreCheckError(reason=str(error)) from error
                tried.append(dest['host'])

    def get_live_migrations(self, context, instance):
        """The instance's live migrations in progress (/servers/{id}/migrations)."""
        return db.migration_get_all_by_filters(context, {
            'instance_uuid': instance.uuid, 'migration_type': move_claims.LIVE_TYPE,
            'status': list(IN_PROGRESS)})

    def get_live_migration(self, context, instance, migration_id):
        for migration in self.get_live_migrations(context, instance):
            if migration.id == migration_id:
                return migration
        raise exception.LiveMigrationInProgressNotFound(migration_id=migration_id,
                                                        instance_id=instance.uuid)

    @staticmethod
    def _running_migration(context, instance, migration_id, method):
        try:
            migration = db.migration_get(context, migration_id)
        except exception.MigrationNotFound:
            migration = None
        if migration is None or migration.instance_uuid != instance.uuid:
            raise exception.MigrationNotFoundForInstance(migration_id=migration_id,
                                                         instance_id=instance.uuid)
        if migration.status != 'running' or migration.migration_type != move_claims.LIVE_TYPE:
            raise exception.InvalidMigrationState(
                migration_id=migration_id, instance_uuid=instance.uuid,
                state=migration.status, method=method)
        return migration

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED],
                          task_state=[task_states.MIGRATING])
    def live_migrate_force_complete(self, context, instance, migration_id):
        """Have the source finish a running live migration now."""
        migration = self._running_migration(context, instance, migration_id,
                                            'force complete')
        capabilities.require(context, instance, 'supports_live_migration_control',
                             'force complete a live migration')
        compute_utils.start_action(context, instance.uuid, 'live_migration_force_complete')
        self.compute_rpcapi.live_migration_force_complete(context, instance, migration.id)

    @check_instance_lock
    @check_instance_state(task_state=[task_states.MIGRATING])
    def live_migrate_abort(self, context, instance, migration_id):
        """Have the source stop a running live migration: the guest stays (cancelled)."""
        migration = self._running_migration(context, instance, migration_id,
                                            'abort live migration')
        capabilities.require(context, instance, 'supports_live_migration_control',
                             'abort a live migration')
        compute_utils.start_action(context, instance.uuid, 'live_migration_cancel')
        self.compute_rpcapi.live_migration_abort(context, instance, migration.id)
