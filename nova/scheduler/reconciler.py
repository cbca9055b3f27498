"""The owner of instances whose messages were lost: nothing is left building or deleting forever.

A create commits its rows and quota, then casts to the scheduler, then marks
the rows handed over (``scheduled_at``); a cast that fails rolls the rows
back (503). What a crash, a lost message or a host that stopped reporting
leaves behind, the schedulers' periodic reconcile finds and settles:

- never handed over (the API died between commit and cast): still in
  scheduling, no host, no ``scheduled_at`` after --scheduling_timeout:
  deleted and their quota released (the client never got their ids);
- handed over but never placed (the message or the scheduler was lost, or a
  reschedule could not be sent): re-sent to the scheduler every
  --scheduling_timeout; ERROR with a fault once older than
  --instance_build_timeout;
- building on a host whose nova-compute stopped reporting: ERROR with a
  fault after --instance_build_timeout (the host, if it returns, resolves the
  guest at start-up and a delete removes it);
- deleting on a host that stopped reporting: deleted here, quota released;
  deleting on a live host that did not act for --scheduling_timeout: the
  terminate is sent again.

Every change is a compare-and-swap on the state the decision was made on,
so several schedulers reconciling at once, or a late message, cannot undo
each other's work. ERROR instances keep their quota until deleted, as any
instance row does: quota usage always equals the rows.
"""
import datetime
import logging

from nova import exception
from nova import servicegroup
from nova import utils
from nova.compute import move_claims, move_spec, resize_quota, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW

LOG = logging.getLogger(__name__)

_BUILD_TASKS = [task_states.SCHEDULING, task_states.BLOCK_DEVICE_MAPPING,
                task_states.NETWORKING, task_states.SPAWNING]


def _ago(seconds):
    return utils.utcnow() - datetime.timedelta(seconds=seconds)


class Reconciler:
    """Settles what lost messages and silent hosts leave; ``build`` re-sends a placement."""

    def __init__(self, build, compute_rpcapi, network_api):
        self.build = build  # build(context, request_spec, instance_uuids): the scheduler's
        self.compute_rpcapi = compute_rpcapi
        self.network_api = network_api

    def run(self, context):
        """One pass; returns {what was done: count}, for logs and tests."""
        done = {'deleted_unsent': 0, 'resent': 0, 'failed': 0, 'deleted': 0,
                'terminate_resent': 0}
        self._unplaced(context, done)
        self._silent_host_builds(context, done)
        self._stuck_deletes(context, done)
        changed = {k: v for k, v in done.items() if v}
        if changed:
            LOG.info('Reconciled instances: %s', changed)
        return done

    # -- rows in scheduling with no host ------------------------------------------------
    def _unplaced(self, context, done):
        left = db.instance_get_all_by_filters(context, {
            'vm_state': vm_states.BUILDING, 'task_state': task_states.SCHEDULING,
            'host': None, 'deleted': False, 'changes-before': _ago(CONF.scheduling_timeout)})
        resend = []
        for instance in left:
            if instance.scheduled_at is None:
                self._delete_unsent(context, instance, done)
            elif instance.created_at <= _ago(CONF.instance_build_timeout):
                self._fail(context, instance, exception.InstanceBuildTimedOut(
                    instance_uuid=instance.uuid, timeout=CONF.instance_build_timeout,
                    reason='no scheduler placed it'), [task_states.SCHEDULING], done)
            else:
                resend.append(instance)
        for instance in resend:
            self._resend(context, instance, done)

    def _delete_unsent(self, context, instance, done):
        """The API never handed these over: nothing of them may remain."""
        try:
            db.instance_destroy(context, instance.uuid,
                                quota=resize_quota.release_on_delete(instance),
                                expected={'task_state': task_states.SCHEDULING,
                                          'host': None, 'scheduled_at': None})
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            return  # handed over, placed or deleted meanwhile
        done['deleted_unsent'] += 1

    def _resend(self, context, instance, done):
        try:  # touch it: the next pass waits another --scheduling_timeout
            db.instance_update(context, instance.uuid, {'host': None},
                               expected_task_state=task_states.SCHEDULING)
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            return
        LOG.info('Instance %s was not placed within %ss: sending it to the scheduler again',
                 instance.uuid, CONF.scheduling_timeout)
        spec = move_spec.request_spec(context, instance, move_claims.current_flavor(instance),
                                      hints=True)
        spec['admin_password'] = db.instance_build_password_get(context, instance.uuid)
        self.build(context, spec, [instance.uuid])
        done['resent'] += 1

    # -- builds on hosts that stopped reporting ---------------------------------------------
    def _silent_host_builds(self, context, done):
        cutoff = _ago(CONF.instance_build_timeout)
        building = [i for i in db.instance_get_all_by_filters(context, {
            'vm_state': vm_states.BUILDING, 'task_state': _BUILD_TASKS, 'deleted': False,
            'changes-before': cutoff}) if i.host]
        down = self._down_hosts(context, {i.host for i in building})
        for instance in building:
            if instance.host in down:
                self._fail(context, instance, exception.InstanceBuildTimedOut(
                    instance_uuid=instance.uuid, timeout=CONF.instance_build_timeout,
                    reason='host %s stopped reporting' % instance.host),
                    [instance.task_state], done)

    def _fail(self, context, instance, error, expected_tasks, done):
        try:
            db.instance_update(context, instance.uuid,
                               {'vm_state': vm_states.ERROR, 'task_state': None},
                               expected_task_state=expected_tasks,
                               expected_vm_state=vm_states.BUILDING)
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError,
                exception.UnexpectedVMStateError):
            return
        compute_utils.add_instance_fault(context, instance.uuid, error, instance.host)
        LOG.warning(_LW('Instance %s: %s'), instance.uuid, error.format_message())
        done['failed'] += 1

    # -- deletes that did not happen ------------------------------------------------------
    def _stuck_deletes(self, context, done):
        deleting = db.instance_get_all_by_filters(context, {
            'task_state': task_states.DELETING, 'deleted': False,
            'changes-before': _ago(CONF.scheduling_timeout)})
        down = self._down_hosts(context, {i.host for i in deleting if i.host})
        for instance in deleting:
            if not instance.host or instance.host in down:
                try:
                    self.network_api.deallocate_for_instance(context, instance)
                    db.instance_destroy(context, instance.uuid,
                                        quota=resize_quota.release_on_delete(instance),
                                        expected={'task_state': task_states.DELETING})
                except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
                    continue
                except Exception:  # e.g. nova-network unreachable: the next pass tries again
                    LOG.exception(_LE('Could not finish the delete of %s'), instance.uuid)
                    continue
                done['deleted'] += 1
                continue
            try:  # touch it, then ask its host again (terminate is idempotent)
                db.instance_update(context, instance.uuid, {},
                                   expected_task_state=task_states.DELETING)
            except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
                continue
            self.compute_rpcapi.terminate_instance(context, instance)
            done['terminate_resent'] += 1

    @staticmethod
    def _down_hosts(context, hosts):
        """The hosts among ``hosts`` whose nova-compute stopped reporting (or has no row)."""
        down = set()
        for host in hosts:
            try:
                service = db.service_get_by_host_and_binary(context, host, 'nova-compute')
            except exception.HostBinaryNotFound:
                down.add(host)
                continue
            if not servicegroup.service_is_up(service):
                down.add(host)
        return down
