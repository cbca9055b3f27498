"""The one guard every instance action passes: allowed states, lock, and the
compare-and-swap that moves the instance into its task."""
import functools

from nova import exception
from nova.db import api as db


def check_instance_state(vm_state=None, task_state=(None,)):
    """Refuse the action (409 naming the state) unless vm_state/task_state allow it.

    None for either means any value is allowed.
    """
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, context, instance, *args, **kwargs):
            if vm_state is not None and instance.vm_state not in vm_state:
                raise exception.InstanceInvalidState(
                    attr='vm_state', state=instance.vm_state, method=func.__name__,
                    instance_uuid=instance.uuid)
            if task_state is not None and instance.task_state not in task_state:
                raise exception.InstanceInvalidState(
                    attr='task_state', state=instance.task_state, method=func.__name__,
                    instance_uuid=instance.uuid)
            return func(self, context, instance, *args, **kwargs)
        wrapper.allowed_vm_states = vm_state
        return wrapper
    return decorator


def check_instance_lock(func):
    """A locked instance refuses actions, except to an admin."""
    @functools.wraps(func)
    def wrapper(self, context, instance, *args, **kwargs):
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
        return func(self, context, instance, *args, **kwargs)
    return wrapper


def begin_task(context, instance, task_state, expected_task_state=(None,), method=None,
               reload=True, **values):
    """Move an instance into a task atomically; a concurrent action loses with 409.
    Returns the updated row (reload=False: None, for callers that do not use it)."""
    try:
        return db.instance_update(context, instance.uuid, dict(values, task_state=task_state),
                                  expected_task_state=list(expected_task_state),
                                  reload=reload)
    except exception.UnexpectedTaskStateError:
        raise task_refused(context, instance, method or task_state) from None


def task_refused(context, instance, method):
    """The 409 of a move into a task that another action won: the task it is in now."""
    current = db.instance_get_by_uuid(context, instance.uuid)
    return exception.InstanceInvalidState(attr='task_state', state=current.task_state,
                                          method=method, instance_uuid=instance.uuid)
