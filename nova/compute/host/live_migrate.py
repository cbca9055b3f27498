"""Live migration on the hosts (the API side is nova/compute/live_migrate.py).

The destination checks itself and asks the source, then claims the instance's
flavor (migration preparing); the source asks the destination to prepare
(pre_live_migration: the guest's VIFs plugged, its firewall rules in place,
since the guest runs there the moment the copy ends), then its driver moves
the running guest and calls back: on success the instance's host and node
change, the claims move, both hosts' firewalls (and, on multi_host networks,
DHCP servers) follow the instance, and the migration is completed; on failure
the instance stays on the source, ACTIVE (or PAUSED), with a fault, and the
migration is error. While the guest is copied (migration running), an
administrator may force it to complete or abort it: then the guest stays and
the migration is cancelled.
"""
import functools
import logging

from nova import exception
from nova.compute import move_claims, power_state, task_states
from nova.compute.host.action_events import instance_action
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)

_LIVE_STEPS = ('accepted', 'preparing', 'running')


class LiveMigrations:
    """The live migration steps this host runs, as source or destination."""

    def __init__(self, records, driver, tracker, claims, compute_rpcapi, network_api,
                 firewall):
        self.records, self.host = records, records.host
        self.driver = driver
        self.tracker = tracker
        self.claims = claims
        self.compute_rpcapi = compute_rpcapi
        self.network_api = network_api
        self.firewall = firewall
        self._aborted = set()  # migration ids aborted here: their rollback is a cancel

    def recovery(self):
        """{task_state: how to resolve it after a restart} for init_host."""
        return {task_states.MIGRATING: self._recover_live_migration}

    def check_can_live_migrate_destination(self, context, instance_uuid, migration_id,
                                           block_migration=False, disk_over_commit=False,
                                           limits=None):
        """Destination: driver check, the source's check, then claim; the migrate_data."""
        instance = self.records.get(context, instance_uuid)
        dest_check = self.driver.check_can_live_migrate_destination(
            context, instance, block_migration, disk_over_commit)
        migrate_data = self.compute_rpcapi.check_can_live_migrate_source(
            context, instance.host, instance_uuid, dest_check_data=dest_check)
        db.migration_update(context, migration_id, {
            'dest_compute': self.host, 'dest_node': self.tracker.nodename,
            'status': 'preparing'})
        try:
            self.tracker.instance_claim(instance, limits, key=move_claims.key(instance_uuid))
        except exception.ComputeResourcesUnavailable as error:
            raise exception.MigrationPreCheckError(reason=error.format_message()) from error
        self.claims.report_soon(context)
        return migrate_data

    def check_can_live_migrate_source(self, context, instance_uuid, dest_check_data):
        return self.driver.check_can_live_migrate_source(
            context, self.records.get(context, instance_uuid), dest_check_data)

    def pre_live_migration(self, context, instance_uuid, migrate_data):
        """Destination, before the copy: what the guest needs here to run the moment
        it arrives (a rollback's drop_move_claim takes the rules away again)."""
        instance = self.records.get(context, instance_uuid)
        network_info = self.network_api.get_instance_nw_info(context, instance)
        migrate_data = self.driver.pre_live_migration(context, instance, network_info,
                                                      migrate_data)
        self.firewall.refresh(context, arriving=[instance])
        return migrate_data

    @instance_action
    def live_migration(self, context, instance_uuid, dest, migration_id,
                       block_migration=False, migrate_data=None):
        """Source: the driver moves the guest and calls back post or recover."""
        instance = self.records.get(context, instance_uuid)
        self.records.migration_status(context, migration_id, 'running')
        try:
            if self.compute_rpcapi.can_send_version('1.9'):  # else a 1.8 destination:
                # it plugs nothing ahead (a guest with NICs fails there and stays here)
                migrate_data = self.compute_rpcapi.pre_live_migration(
                    context, dest, instance_uuid, migrate_data=migrate_data)
            self.driver.live_migration(
                context, instance, dest,
                functools.partial(self._post_live_migration, migration_id=migration_id),
                functools.partial(self._rollback_live_migration, migration_id=migration_id),
                block_migration, migrate_data)
        except exception.LiveMigrationAborted:
            LOG.info('Live migration %s of %s was aborted', migration_id, instance_uuid)
        except Exception:
            if db.migration_get(context, migration_id).status in _LIVE_STEPS:
                self._rollback_live_migration(context, instance, dest, migration_id)
            raise

    def _running(self, context, instance_uuid, migration_id, method):
        migration = db.migration_get(context, migration_id)
        if migration.instance_uuid != instance_uuid:
            raise exception.MigrationNotFoundForInstance(migration_id=migration_id,
                                                         instance_id=instance_uuid)
        if migration.status != 'running':
            raise exception.InvalidMigrationState(
                migration_id=migration_id, instance_uuid=instance_uuid,
                state=migration.status, method=method)
        return self.records.get(context, instance_uuid)

    @instance_action
    def live_migration_abort(self, context, instance_uuid, migration_id):
        """Source: stop the copy; the guest stays here, the migration is cancelled."""
        instance = self._running(context, instance_uuid, migration_id, 'abort live migration')
        self._aborted.add(migration_id)
        try:
            self.driver.live_migration_abort(instance)
        except Exception:
            self._aborted.discard(migration_id)
            raise

    @instance_action
    def live_migration_force_complete(self, context, instance_uuid, migration_id):
        """Source: finish the copy now."""
        instance = self._running(context, instance_uuid, migration_id, 'force complete')
        self.driver.live_migration_force_complete(instance)

    def _post_live_migration(self, context, instance, dest, migration_id):
        """The guest runs on dest now: the instance follows, the claims move."""
        migration = db.migration_get(context, migration_id)
        self.tracker.drop(instance.uuid)
        self.records.update(context, instance.uuid, expected_task_state=task_states.MIGRATING,
                            host=dest, node=migration.dest_node, task_state=None)
        self.records.migration_status(context, migration_id, 'completed')
        self.compute_rpcapi.post_live_migration_at_destination(context, dest, instance.uuid)
        self.claims.report_soon(context)
        self.refresh_firewall(context)  # the guest's rules leave this host
        try:
            self.network_api.migrate_instance_finish(context, instance, self.host, dest)
        except Exception:  # noqa: BLE001 -- the guest runs there; its next DHCP renewal
            LOG.exception(_LE('Could not move the DHCP service of %s to %s'), instance.uuid, dest)

    def post_live_migration_at_destination(self, context, instance_uuid):
        """Destination: the claim becomes the instance's own; its power state as seen here."""
        instance = self.records.get(context, instance_uuid)
        self.claims.settle(instance, own=move_claims.current_flavor(instance))
        self.records.update(context, instance_uuid,
                            power_state=self.records.power_state(instance))
        self.claims.report_soon(context)
        self.refresh_firewall(context)

    def refresh_firewall(self, context):
        """This host's firewall from the instances it has now (the migration is done
        whatever happens here: the next refresh retries)."""
        try:
            self.firewall.refresh(context)
        except Exception:  # noqa: BLE001
            LOG.exception(_LE('Could not refresh the firewall of %s'), self.host)

    def _rollback_live_migration(self, context, instance, dest, migration_id):
        """The guest stays here: task cleared, migration error (cancelled when an
        administrator aborted it), the destination's claim freed."""
        aborted = migration_id in self._aborted
        self._aborted.discard(migration_id)
        self.records.migration_status(context, migration_id, 'cancelled' if aborted else 'error')
        try:
            self.records.update(context, instance.uuid, task_state=None,
                                expected_task_state=task_states.MIGRATING)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            pass
        if db.migration_get(context, migration_id).dest_compute == dest:
            self.claims.drop_at(context, dest, instance.uuid)

    def _recover_live_migration(self, context, instance):
        """Stopped mid-migration: the guest still here stays; a vanished one is an error."""
        found = db.migration_get_all_by_filters(
            context, {'instance_uuid': instance.uuid, 'status': list(_LIVE_STEPS),
                      'migration_type': move_claims.LIVE_TYPE}, limit=1)
        if self.records.power_state(instance) == power_state.NOSTATE:
            for migration in found:
                self.records.migration_status(context, migration.id, 'error')
            self.records.set_error(context, instance.uuid, self.records.interrupted(instance))
            return
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))
        if found:
            self._rollback_live_migration(context, instance, found[0].dest_compute,
                                          found[0].id)
        else:
            self.records.update(context, instance.uuid, task_state=None,
                                expected_task_state=task_states.MIGRATING)

