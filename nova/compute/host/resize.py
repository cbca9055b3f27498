"""Compute host side of resize and cold migration, as classic Nova does it.

    prep_resize (dest: claim the new flavor; on failure reschedule)
      -> resize_instance (source: RESIZE_MIGRATING, power off, send the disks)
      -> finish_resize (dest: RESIZE_FINISH, build the guest) -> vm_state RESIZED
    confirm_resize (source: free the kept copy) -> ACTIVE or STOPPED on dest
    revert_resize (dest: destroy) -> finish_revert_resize (source: old flavor back)

Migration status: pre-migrating -> migrating -> post-migrating -> finished ->
confirming/confirmed or reverting/reverted, or error. Both hosts keep their
claims until confirm or revert (nova/compute/move_claims.py). A failure puts
the instance back to rest on the host its guest is on, with a fault: before
the disks move, where it was; when the destination cannot build it, back on
the source, as a revert.
"""
import logging

from nova import exception
from nova import hooks
from nova.compute import move_claims, move_spec, power_state, resize_quota, task_states
from nova.compute import utils as compute_utils
from nova.compute import vm_states
from nova.compute.host.action_events import instance_action
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.scheduler.request_spec import RequestSpec

LOG = logging.getLogger(__name__)

IN_PROGRESS = ('pre-migrating', 'migrating', 'post-migrating', 'finished', 'confirming',
               'reverting')


def _rest_state(instance):
    """The vm_state the instance had before the resize (ACTIVE or STOPPED)."""
    return (instance.system_metadata or {}).get('old_vm_state') or vm_states.ACTIVE


def _without_old_state(instance):
    meta = dict(instance.system_metadata or {})
    meta.pop('old_vm_state', None)
    return meta


def _flavor_columns(flavor):
    return {'instance_type_id': flavor['id'], 'memory_mb': flavor['memory_mb'],
            'vcpus': flavor['vcpus'], 'root_gb': flavor['root_gb'],
            'ephemeral_gb': flavor['ephemeral_gb']}


class Resizes:
    """The resize and cold migration steps this host runs, at either end of a move."""

    def __init__(self, records, driver, tracker, claims, compute_rpcapi, scheduler_rpcapi,
                 base_images, locks):
        self.records, self.host = records, records.host
        self.driver = driver
        self.tracker = tracker
        self.claims = claims
        self.compute_rpcapi = compute_rpcapi
        self.scheduler_rpcapi = scheduler_rpcapi
        self.base_images = base_images  # the destination boots from its own cache
        self.locks = locks

    def recovery(self):
        """{task_state: how to resolve it after a restart} for init_host."""
        return {
            task_states.RESIZE_PREP: self._recover_resize_prep,
            task_states.RESIZE_MIGRATING: self._recover_resize_on_source,
            task_states.RESIZE_MIGRATED: self._recover_resize_on_source,
            task_states.RESIZE_FINISH: self._recover_resize_finish,
            task_states.RESIZE_REVERTING: self._recover_resize_revert,
            task_states.RESIZE_CONFIRMING: self._recover_resize_confirm,
        }

    # -- destination: claim ---------------------------------------------------------
    def prep_resize(self, context, instance_uuid, migration_id, request_spec, limits):
        """Claim the new flavor here, then ask the source to send the instance."""
        event = 'compute_prep_resize'
        self.records.event(context, [instance_uuid], event)
        migration = db.migration_get(context, migration_id)
        try:
            instance = self.records.get(context, instance_uuid)
        except exception.InstanceNotFound:
            instance = None
        if instance is None or instance.task_state != task_states.RESIZE_PREP \
                or migration.status != 'pre-migrating':
            LOG.info('Resize of %s was cancelled before it reached %s', instance_uuid,
                     self.host)
            self.records.migration_status(context, migration_id, 'error')
            self.records.event(context, [instance_uuid], event, 'Error')
            return
        _, new = move_claims.resize_flavors(instance)
        try:
            self.tracker.instance_claim(instance, limits, flavor=new,
                                        key=move_claims.key(instance_uuid))
        except Exception as error:
            self.records.event(context, [instance_uuid], event, 'Error', error)
            self._reschedule_resize(context, instance, migration, request_spec, error)
            return
        db.migration_update(context, migration_id, {'dest_compute': self.host,
                                                    'dest_node': self.tracker.nodename})
        self.records.event(context, [instance_uuid], event, 'Success')
        self.claims.report_soon(context)
        self.compute_rpcapi.resize_instance(context, instance.host, instance_uuid,
                                            migration_id=migration_id)

    def _reschedule_resize(self, context, instance, migration, request_spec, error):
        """Another destination, until scheduler_max_attempts; then the resize fails."""
        self.records.fault(context, instance.uuid, error)
        self.tracker.drop(move_claims.key(instance.uuid))
        try:
            spec = RequestSpec.from_dict(request_spec).for_retry(
                instance.uuid, self.host, self.tracker.nodename, str(error))
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
        except Exception as final:
            LOG.warning(_LW('Resize of %s failed: %s'), instance.uuid, final)
            self._abort_resize(context, instance, migration, error=final)
            return
        db.migration_update(context, migration.id, {'dest_compute': dest['host'],
                                                    'dest_node': dest['nodename']})
        self.compute_rpcapi.prep_resize(context, dest['host'], instance.uuid,
                                        migration_id=migration.id, request_spec=spec,
                                        limits=dest.get('limits'))

    def _abort_resize(self, context, instance, migration, error=None, **values):
        """The resize did not happen: the instance rests with its old flavor, quota back.

        ``instance`` is the row as last written by this flow: if its task changed
        since, another action owns the instance and nothing is touched.
        """
        if migration is not None:
            self.records.migration_status(context, migration.id, 'error')
        old, new = move_claims.resize_flavors(instance)
        values.update(task_state=None, system_metadata=_without_old_state(instance))
        if old:
            values['flavor'] = {'cur': old, 'old': None, 'new': None}
        try:
            self.records.update(context, instance.uuid, expected_task_state=instance.task_state,
                                **values)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            return
        if old and new:
            resize_quota.release_growth(context, instance, old, new)
        if error is not None:
            self.records.fault(context, instance.uuid, error)

    # -- source: send the disks -------------------------------------------------------
    @instance_action
    def resize_instance(self, context, instance_uuid, migration_id):
        """Power off and hand the disks over; the destination builds the guest."""
        migration = db.migration_get(context, migration_id)
        try:
            instance = self.records.update(context, instance_uuid,
                                           task_state=task_states.RESIZE_MIGRATING,
                                           expected_task_state=task_states.RESIZE_PREP)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            self.records.migration_status(context, migration_id, 'error')
            self.claims.drop_at(context, migration.dest_compute, instance_uuid)
            raise
        self.records.migration_status(context, migration_id, 'migrating')
        _, new = move_claims.resize_flavors(instance)
        try:
            disk_info = self.driver.migrate_disk_and_power_off(
                context, instance, migration.dest_compute, new, [])
        except Exception as error:
            self._resize_back_to_source(context, instance, migration)
            raise exception.InstanceFaultRollback(inner_exception=error) from error
        self.records.migration_status(context, migration_id, 'post-migrating')
        self.records.update(context, instance_uuid, task_state=task_states.RESIZE_MIGRATED,
                            expected_task_state=task_states.RESIZE_MIGRATING)
        self.compute_rpcapi.finish_resize(context, migration.dest_compute,
                                          instance_uuid, migration_id=migration_id,
                                          disk_info=disk_info)

    def _resize_back_to_source(self, context, instance, migration):
        """The disks did not (or may not have) left: bring the guest back up here."""
        power = self._restore_source_guest(context, instance, migration)
        vm_state = vm_states.ERROR if power == power_state.NOSTATE else _rest_state(instance)
        self._abort_resize(context, instance, migration, vm_state=vm_state, power_state=power)
        if migration is not None:
            self.claims.drop_at(context, migration.dest_compute, instance.uuid)

    def _restore_source_guest(self, context, instance, migration):
        """The guest as it was before the resize, if the hypervisor still has it."""
        rest = _rest_state(instance)
        if self.records.power_state(instance) == power_state.NOSTATE and migration is not None:
            try:
                self.driver.finish_revert_migration(context, instance, [], migration,
                                                    power_on=rest != vm_states.STOPPED)
            except Exception:
                LOG.exception(_LE('Could not restore the guest of %s'), instance.uuid)
        power = self.records.power_state(instance)
        if rest == vm_states.ACTIVE and power == power_state.SHUTDOWN:
            try:
                self.driver.power_on(context, instance)
                power = self.records.power_state(instance)
            except Exception:
                LOG.exception(_LE('Could not power %s back on'), instance.uuid)
        return power

    # -- destination: build the guest -------------------------------------------------
    @instance_action
    def finish_resize(self, context, instance_uuid, migration_id, disk_info):
        """Move the instance here with its new flavor and build the guest: RESIZED."""
        migration = db.migration_get(context, migration_id)
        old, new = move_claims.resize_flavors(self.records.get(context, instance_uuid))
        try:
            instance = self.records.update(
                context, instance_uuid, expected_task_state=task_states.RESIZE_MIGRATED,
                task_state=task_states.RESIZE_FINISH, host=self.host,
                node=self.tracker.nodename, flavor={'cur': new, 'old': old, 'new': new},
                **_flavor_columns(new))
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            self.claims.drop_move(context, instance_uuid)
            raise
        same_host = migration.source_compute == self.host
        self.claims.settle(instance, own=new, other=old if same_host else None)
        try:
            self._build_resized_guest(context, instance, migration, disk_info,
                                      resize_instance=old['id'] != new['id'])
        except Exception as error:
            self._revert_after_failed_finish(context, instance, migration)
            raise exception.InstanceFaultRollback(inner_exception=error) from error
        self.records.migration_status(context, migration_id, 'finished')
        self.records.update(context, instance_uuid, expected_task_state=task_states.RESIZE_FINISH,
                            vm_state=vm_states.RESIZED, task_state=None,
                            power_state=self.records.power_state(instance))
        self.claims.report_soon(context)

    @hooks.add_hook('finish_resize')
    def _build_resized_guest(self, context, instance, migration, disk_info, resize_instance):
        """The guest on this (destination) host from the disks the source sent."""
        image_meta = self.base_images.image_meta(context, {
            'id': instance.image_ref, 'properties': move_spec.image_properties(instance)})
        self.driver.finish_migration(
            context, migration, instance, disk_info, [], image_meta,
            resize_instance=resize_instance,
            power_on=_rest_state(instance) != vm_states.STOPPED)

    def _revert_after_failed_finish(self, context, instance, migration):
        """The guest cannot be built here: send the instance back, as a revert does."""
        try:
            self.records.update(context, instance.uuid, task_state=task_states.RESIZE_REVERTING,
                                expected_task_state=task_states.RESIZE_FINISH)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            return
        self.records.migration_status(context, migration.id, 'reverting')
        try:
            self._revert_at_destination(context, instance, migration)
        except Exception as error:
            LOG.exception(_LE('Could not send %s back to %s'), instance.uuid,
                          migration.source_compute)
            self._fail_resize(context, instance.uuid, migration.id)
            self.records.fault(context, instance.uuid, error)

    def _fail_resize(self, context, instance_uuid, migration_id):
        """A step after the disks moved failed: only an admin can sort it out (ERROR)."""
        self.records.migration_status(context, migration_id, 'error')
        self.records.update(context, instance_uuid, vm_state=vm_states.ERROR, task_state=None)

    # -- confirm (source) -----------------------------------------------------------
    @instance_action
    def confirm_resize(self, context, instance_uuid, migration_id):
        """Free the copy this source host kept for a revert."""
        migration = db.migration_get(context, migration_id)
        if migration.status == 'confirmed':
            return
        instance = self.records.get(context, instance_uuid)
        try:
            self.driver.confirm_migration(context, migration, instance, [])
        except Exception:
            self._end_confirm(context, instance, migration, 'error', vm_states.ERROR)
            raise
        self._end_confirm(context, instance, migration, 'confirmed')

    def _end_confirm(self, context, instance, migration, status, vm_state=None):
        old, new = move_claims.resize_flavors(instance)
        on_this_host = instance.host == self.host
        self.claims.settle(instance, own=move_claims.current_flavor(instance)
                           if on_this_host else None)
        self.records.migration_status(context, migration.id, status)
        if vm_state is None:
            vm_state = (vm_states.STOPPED if instance.power_state == power_state.SHUTDOWN
                        else vm_states.ACTIVE)
        self.records.update(context, instance.uuid,
                            expected_task_state=task_states.RESIZE_CONFIRMING,
                            vm_state=vm_state, task_state=None,
                            flavor={'cur': move_claims.current_flavor(instance), 'old': None,
                                    'new': None},
                            system_metadata=_without_old_state(instance))
        if old and new:
            resize_quota.release_shrink(context, instance, old, new)
        self.claims.report_soon(context)

    def poll_unconfirmed_resizes(self, context):
        """Confirm the resizes finished here longer than resize_confirm_window ago."""
        window = CONF.resize_confirm_window
        if window <= 0:
            return
        for migration in db.migration_get_unconfirmed_by_dest_compute(context, window,
                                                                      self.host):
            try:
                db.instance_update(context, migration.instance_uuid,
                                   {'task_state': task_states.RESIZE_CONFIRMING},
                                   expected_task_state=None,
                                   expected_vm_state=vm_states.RESIZED)
            except exception.UnexpectedTaskStateError:
                continue  # busy: next time
            except (exception.InstanceNotFound, exception.UnexpectedVMStateError):
                self.records.migration_status(context, migration.id, 'error')
                continue
            LOG.info('Automatically confirming the resize of %s', migration.instance_uuid)
            compute_utils.start_action(context, migration.instance_uuid, 'confirmResize')
            self.records.migration_status(context, migration.id, 'confirming')
            self.compute_rpcapi.confirm_resize(context, migration.source_compute,
                                               migration.instance_uuid, migration_id=migration.id)

    # -- revert -----------------------------------------------------------------------
    @instance_action
    def revert_resize(self, context, instance_uuid, migration_id):
        """Destination: destroy the new guest, free its claim, hand back to the source."""
        migration = db.migration_get(context, migration_id)
        try:
            self._revert_at_destination(context, self.records.get(context, instance_uuid),
                                        migration)
        except Exception:
            self._fail_resize(context, instance_uuid, migration_id)
            raise

    def _revert_at_destination(self, context, instance, migration):
        with self.locks(instance.uuid):
            self.driver.destroy(context, instance)
        if migration.source_compute != self.host:
            self.claims.settle(instance)
        self.claims.report_soon(context)
        self.compute_rpcapi.finish_revert_resize(context, migration.source_compute,
                                                 instance.uuid, migration_id=migration.id)

    @instance_action
    def finish_revert_resize(self, context, instance_uuid, migration_id):
        """Source: the instance comes back here with its old flavor and state."""
        migration = db.migration_get(context, migration_id)
        old, new = move_claims.resize_flavors(self.records.get(context, instance_uuid))
        instance = self.records.update(context, instance_uuid,
                                       expected_task_state=task_states.RESIZE_REVERTING,
                                       host=self.host, node=migration.source_node,
                                       flavor={'cur': old, 'old': old, 'new': new},
                                       **_flavor_columns(old))
        self.claims.settle(instance, own=old)
        rest = _rest_state(instance)
        try:
            self.driver.finish_revert_migration(context, instance, [], migration,
                                                power_on=rest != vm_states.STOPPED)
        except Exception:
            self._fail_resize(context, instance_uuid, migration_id)
            raise
        self.records.migration_status(context, migration_id, 'reverted')
        self.records.update(context, instance_uuid,
                            expected_task_state=task_states.RESIZE_REVERTING,
                            task_state=None, vm_state=rest,
                            power_state=self.records.power_state(instance),
                            flavor={'cur': old, 'old': None, 'new': None},
                            system_metadata=_without_old_state(instance))
        resize_quota.release_growth(context, instance, old, new)
        self.claims.report_soon(context)

    # -- start-up: what a crash interrupted ------------------------------------------------
    def _resize_migration(self, context, instance):
        found = db.migration_get_all_by_filters(
            context, {'instance_uuid': instance.uuid, 'status': list(IN_PROGRESS),
                      'migration_type': list(move_claims.RESIZE_TYPES)}, limit=1)
        return found[0] if found else None

    def _recover_resize_prep(self, context, instance):
        """Nothing moved yet: the resize did not happen."""
        migration = self._resize_migration(context, instance)
        self._abort_resize(context, instance, migration, error=self.records.interrupted(instance))
        if migration is not None:
            self.claims.drop_at(context, migration.dest_compute, instance.uuid)

    def _recover_resize_on_source(self, context, instance):
        """Stopped while or after sending the disks: the guest comes back up here."""
        instance = self.records.update(context, instance.uuid,
                                       task_state=task_states.RESIZE_REVERTING,
                                       expected_task_state=instance.task_state)
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))
        self._resize_back_to_source(context, instance,
                                    self._resize_migration(context, instance))

    def _recover_resize_finish(self, context, instance):
        """Stopped while building the guest: keep it if it runs, else revert."""
        migration = self._resize_migration(context, instance)
        if migration is None:
            self.records.set_error(context, instance.uuid, self.records.interrupted(instance))
        elif self.records.power_state(instance) != power_state.NOSTATE:
            self.records.migration_status(context, migration.id, 'finished')
            self.records.update(context, instance.uuid, vm_state=vm_states.RESIZED, task_state=None,
                                power_state=self.records.power_state(instance),
                                expected_task_state=task_states.RESIZE_FINISH)
        else:
            self.records.fault(context, instance.uuid, self.records.interrupted(instance))
            self._revert_after_failed_finish(context, instance, migration)

    def _recover_resize_revert(self, context, instance):
        """Do the revert step that did not happen: on the destination, or here on the source."""
        migration = self._resize_migration(context, instance)
        if migration is None:
            self.records.set_error(context, instance.uuid, self.records.interrupted(instance))
            return
        old, _ = move_claims.resize_flavors(instance)
        at_source = instance.host == migration.source_compute and (
            migration.source_compute != migration.dest_compute
            or move_claims.current_flavor(instance).get('id') == (old or {}).get('id'))
        step = self.finish_revert_resize if at_source else self.revert_resize
        step(context, instance.uuid, migration_id=migration.id)

    def _recover_resize_confirm(self, context, instance):
        """Ask the source again to free its copy."""
        migration = self._resize_migration(context, instance)
        if migration is None:
            self.records.update(context, instance.uuid, task_state=None,
                                expected_task_state=task_states.RESIZE_CONFIRMING)
        elif migration.source_compute == self.host:
            self.confirm_resize(context, instance.uuid, migration_id=migration.id)
        else:
            self.compute_rpcapi.confirm_resize(context, migration.source_compute,
                                               instance.uuid, migration_id=migration.id)

