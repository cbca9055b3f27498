"""The decorator every per-instance RPC method on a compute host wears.

It records the method as an event of the instance's current action and, when
the method fails, a fault, and clears the task so that no instance is left in
a task forever; it sends the action's lifecycle notifications (start, then end
or error; see lifecycle.py). Two failures need less: a method whose compare-and-swap lost
to another action (that action owns the instance now), and a method whose own
handler already put the instance back to rest (it raises InstanceFaultRollback).
"""
import functools
import logging

from nova import exception
from nova.compute import lifecycle as lifecycle_mod
from nova.db import api as db
from nova.i18n import _LE, _LW

LOG = logging.getLogger(__name__)


def _exists(context, instance_uuid):
    try:
        db.instance_get_by_uuid(context, instance_uuid)
        return True
    except exception.InstanceNotFound:
        return False


# returned by a method that wrote its Success event in its last transaction itself
SUCCESS_RECORDED = object()


def instance_action(func):
    """Wrap <flow>.<func>(context, instance_uuid, **kwargs) with event, fault and task.

    The flow (the manager or one of its collaborators) has ``records``, the
    host's nova.compute.host.records.InstanceRecords. A method that records its
    Success event with its last write (one transaction) returns SUCCESS_RECORDED.
    """
    @functools.wraps(func)
    def wrapper(self, context, instance_uuid, **kwargs):
        records = self.records
        event = 'compute_%s' % func.__name__
        records.event(context, [instance_uuid], event)
        action = lifecycle_mod.ACTIONS.get(func.__name__)
        notify = action is not None and records.lifecycle.enabled()
        before = records.lifecycle.start(context, instance_uuid, action) if notify else None
        try:
            result = func(self, context, instance_uuid, **kwargs)
        except exception.UnexpectedTaskStateError as error:
            LOG.info('%s of instance %s gave way to another action: %s', func.__name__,
                     instance_uuid, error)
            records.event(context, [instance_uuid], event, 'Error', error)
            if notify:
                records.lifecycle.end(context, instance_uuid, action, before, error)
            return None
        except exception.InstanceFaultRollback as rollback:
            error = rollback.inner_exception
            LOG.warning(_LW('%s failed for instance %s and was rolled back: %s'), func.__name__,
                        instance_uuid, error)
            records.fault(context, instance_uuid, error)
            records.event(context, [instance_uuid], event, 'Error', error)
            if notify:
                records.lifecycle.end(context, instance_uuid, action, before, error)
            raise error from None
        except Exception as error:
            if notify:
                records.lifecycle.end(context, instance_uuid, action, before, error)
            if isinstance(error, exception.InstanceNotFound) and \
                    not _exists(context, instance_uuid):
                LOG.info('Instance %s vanished during %s', instance_uuid, func.__name__)
                records.event(context, [instance_uuid], event, 'Error')
                return None
            LOG.exception(_LE('%s failed for instance %s'), func.__name__, instance_uuid)
            records.fault(context, instance_uuid, error)
            records.clear_task(context, instance_uuid)
            records.event(context, [instance_uuid], event, 'Error', error)
            raise
        if result is SUCCESS_RECORDED:
            result = None
        else:
            records.event(context, [instance_uuid], event, 'Success')
        if notify:
            records.lifecycle.end(context, instance_uuid, action, before)
        return result
    return wrapper
