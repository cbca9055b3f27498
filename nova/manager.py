"""Manager: the host-side half of a service.

A manager exposes exactly the RPC methods its rpcapi declares (``RPC_API``),
and may declare periodic tasks with ``@periodic_task(spacing=N)``. The Service
runs ``periodic_tasks`` every ``periodic_interval`` seconds; each task runs when
its own spacing has passed, and one task's failure never stops the others.
"""
import logging
import time

from nova.conf import CONF
from nova.i18n import _LE

LOG = logging.getLogger(__name__)


def periodic_task(*args, spacing=0, run_immediately=False):
    """Mark a manager method as periodic; spacing 0 means every loop.

    ``spacing`` may name a flag (read when the task is due, so flagfiles count);
    a flag whose value is 0 or less disables the task.
    """
    def decorator(func):
        func._periodic_task = True
        func._periodic_spacing = spacing
        func._periodic_run_immediately = run_immediately
        return func
    if args and callable(args[0]):
        return decorator(args[0])
    return decorator


class Manager:
    """Base of every service manager."""

    RPC_API = None  # the rpcapi class that declares this manager's interface
    service_id = None  # our row in the services table, set by the Service before init_host

    def __init__(self, host=None, service_name=None):
        self.host = host or CONF.host
        self.service_name = service_name
        self._periodic_last_run = {}
        for name in self._periodic_task_names():
            run_now = getattr(type(self), name)._periodic_run_immediately
            self._periodic_last_run[name] = None if run_now else time.monotonic()

    @classmethod
    def _periodic_task_names(cls):
        return sorted(name for name in dir(cls)
                      if getattr(getattr(cls, name, None), '_periodic_task', False))

    def init_host(self):
        """Hook run once before the service starts consuming messages."""

    def cleanup_host(self):
        """Hook run once after the service stopped consuming messages."""

    def ping(self, context, arg=None):
        """Declared by every rpcapi: proves the service consumes and answers."""
        return {'host': self.host, 'service': self.service_name, 'arg': arg}

    def periodic_tasks(self, context, raise_on_error=False):
        """Run the periodic tasks that are due; return seconds until the next one."""
        now = time.monotonic()
        idle = None
        for name in self._periodic_task_names():
            method = getattr(self, name)
            spacing = method._periodic_spacing
            if isinstance(spacing, str):
                spacing = getattr(CONF, spacing)
                if spacing <= 0:
                    continue
            last = self._periodic_last_run[name]
            if last is not None and spacing and now - last < spacing:
                wait = spacing - (now - last)
                idle = wait if idle is None else min(idle, wait)
                continue
            self._periodic_last_run[name] = now
            try:
                method(context)
            except Exception:
                if raise_on_error:
                    raise
                LOG.exception(_LE('Periodic task %s failed'), name)
            if spacing:
                idle = spacing if idle is None else min(idle, spacing)
        return idle
