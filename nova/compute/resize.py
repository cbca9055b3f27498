"""Compute API side of resize, cold migration, confirm and revert.

A resize records both flavors in the instance (flavor JSON 'old' and 'new'),
reserves the quota it adds, asks the scheduler for a destination and hands
the instance to it (prep_resize); nova/compute/resize_manager.py does the
rest on the hosts. The instance rests in RESIZED until it is confirmed
(the source frees its copy) or reverted (back to the old flavor and host).
"""
import logging

from nova import exception
from nova import hooks
from nova.compute import (capabilities, disk_config, flavors, move_claims, move_spec,
                          resize_quota, task_states, vm_states)
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)


class ResizeAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED])
    @hooks.add_hook('resize_instance')
    def resize(self, context, instance, flavor, auto_disk_config=None):
        """Resize to ``flavor`` (a flavor row): the root disk may grow, never shrink.

        auto_disk_config (OS-DCF:diskConfig), when given, applies to the new disk.
        """
        capabilities.require(context, instance, 'supports_resize', 'resize')
        cur = move_claims.current_flavor(instance)
        if flavor.id == cur.get('id'):
            raise exception.CannotResizeToSameFlavor()
        if flavor.disabled and not context.is_admin:
            raise exception.FlavorNotFound(flavor_id=flavor.flavorid)
        if flavor.root_gb < (cur.get('root_gb') or 0):
            raise exception.CannotResizeDisk(
                reason='flavor %s has a smaller root disk (%d GB) than the instance (%d GB).'
                % (flavor.name, flavor.root_gb, cur['root_gb']))
        if auto_disk_config is not None:
            instance = db.instance_update(context, instance.uuid, {
                'auto_disk_config': disk_config.for_instance(instance, auto_disk_config)})
        self._move(context, instance, flavors.snapshot(flavor), 'resize',
                   ignore_self=not CONF.allow_resize_to_same_host)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED])
    def migrate(self, context, instance, host=None):
        """Cold-migrate (admins, managers): a resize to the same flavor on another host."""
        compute_utils.require_mover(context, host)
        capabilities.require(context, instance, 'supports_resize', 'migrate')
        if host is not None:
            self._check_destination(context, instance, host)
        self._move(context, instance, move_claims.current_flavor(instance), 'migrate',
                   ignore_self=True, host=host)

    def _move(self, context, instance, new, action, ignore_self, host=None):
        old = move_claims.current_flavor(instance)
        compute_utils.start_action(context, instance.uuid, action)
        instance = begin_task(
            context, instance, task_states.RESIZE_PREP, method=action, progress=0,
            flavor={'cur': old, 'old': old, 'new': new},
            system_metadata=dict(instance.system_metadata or {},
                                 old_vm_state=instance.vm_state))
        try:
            resize_quota.reserve_growth(context, instance, old, new)
        except exception.OverQuota as over:
            self._undo_move(context, instance, old)
            raise exception.TooManyInstances(**over.kwargs) from over
        spec = move_spec.request_spec(context, instance, new,
                                      ignore_hosts=[instance.host] if ignore_self else [],
                                      force_hosts=[host] if host else [],
                                      required_capabilities=['supports_resize'])
        try:
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
        except exception.NoValidHost as error:
            compute_utils.add_instance_fault(context, instance.uuid, error)
            if self._undo_move(context, instance, old):
                resize_quota.release_growth(context, instance, old, new)
            raise
        migration = db.migration_create(context, {
            'instance_uuid': instance.uuid, 'source_compute': instance.host,
            'source_node': instance.node, 'dest_compute': dest['host'],
            'dest_node': dest['nodename'], 'old_instance_type_id': old.get('id'),
            'new_instance_type_id': new.get('id'), 'status': 'pre-migrating',
            'migration_type': 'resize' if action == 'resize' else 'migration'})
        try:
            self.compute_rpcapi.prep_resize(context, dest['host'], instance.uuid,
                                            migration_id=migration.id, request_spec=spec,
                                            limits=dest.get('limits'))
        except Exception:
            db.migration_update(context, migration.id, {'status': 'error'})
            if self._undo_move(context, instance, old):
                resize_quota.release_growth(context, instance, old, new)
            raise

    @staticmethod
    def _undo_move(context, instance, old):
        """The move never left the API: the instance rests as it was. False if it moved on."""
        meta = dict(instance.system_metadata or {})
        meta.pop('old_vm_state', None)
        try:
            db.instance_update(context, instance.uuid, {
                'task_state': None, 'flavor': {'cur': old, 'old': None, 'new': None},
                'system_metadata': meta}, expected_task_state=task_states.RESIZE_PREP)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            return False
        return True

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.RESIZED])
    def confirm_resize(self, context, instance):
        """Keep the new flavor: the source host frees what it kept for a revert."""
        migration = db.migration_get_by_instance_and_status(context, instance.uuid, 'finished')
        compute_utils.start_action(context, instance.uuid, 'confirmResize')
        self._confirm(context, instance, migration, 'confirmResize')

    def _confirm(self, context, instance, migration, method, wait=False):
        begin_task(context, instance, task_states.RESIZE_CONFIRMING, method=method)
        db.migration_update(context, migration.id, {'status': 'confirming'})
        try:
            self.compute_rpcapi.confirm_resize(context, migration.source_compute,
                                               instance.uuid, migration_id=migration.id,
                                               cast=not wait)
        except exception.MessageDeliveryFailure:
            self._back_to_resized(context, instance, migration, task_states.RESIZE_CONFIRMING)
            raise

    def _back_to_resized(self, context, instance, migration, task_state):
        """The host was not told: the resize waits, finished, for confirm or revert."""
        db.migration_update(context, migration.id, {'status': 'finished'})
        self._end_task(context, instance.uuid, task_state)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.RESIZED])
    def revert_resize(self, context, instance):
        """Go back to the old flavor on the source host."""
        migration = db.migration_get_by_instance_and_status(context, instance.uuid, 'finished')
        compute_utils.start_action(context, instance.uuid, 'revertResize')
        begin_task(context, instance, task_states.RESIZE_REVERTING, method='revertResize')
        db.migration_update(context, migration.id, {'status': 'reverting'})
        try:
            self.compute_rpcapi.revert_resize(context, migration.dest_compute, instance.uuid,
                                              migration_id=migration.id)
        except Exception:
            self._back_to_resized(context, instance, migration, task_states.RESIZE_REVERTING)
            raise

    def _confirm_before_delete(self, context, instance):
        """As Nova: a resized instance is confirmed (waiting for the source) before a delete."""
        try:
            migration = db.migration_get_by_instance_and_status(context, instance.uuid,
                                                                'finished')
        except exception.MigrationNotFound:
            return instance
        if not self._host_is_up(context, migration.source_compute):
            return instance
        try:
            self._confirm(context, instance, migration, 'delete', wait=True)
        except Exception:
            LOG.exception(_LE('Could not confirm the resize of %s before deleting it'),
                          instance.uuid)
        return db.instance_get_by_uuid(context, instance.uuid)
