"""The instance usage audit on one compute host (a periodic task of the manager).

Once per audit period (nova/compute/usage_audit.py) the host records in the
task log that it began, logs an ``exists`` line for every instance that was
active on it during the period (what usage billing reads) and sends a
compute.instance.exists notification for it, and ends the run with the count
and the notifications that could not be sent as errors; another process of
the same host finds the run begun and skips it.
"""
import logging
import time

from nova import exception
from nova.compute import usage_audit
from nova.conf import CONF
from nova.db import api as db

LOG = logging.getLogger(__name__)


class UsageAudit:
    def __init__(self, host, lifecycle):
        self.host = host
        self.lifecycle = lifecycle

    def run(self, context):
        """Audit the last completed period unless this host already did."""
        if not CONF.instance_usage_audit:
            return None
        begin, end = usage_audit.last_completed_period()
        if db.task_log_get_all(context, usage_audit.TASK_NAME, begin, end, host=self.host):
            return None
        try:
            db.task_log_begin_task(context, usage_audit.TASK_NAME, begin, end, self.host)
        except exception.TaskAlreadyRunning:
            return None
        started = time.monotonic()
        instances = db.instance_get_active_by_window(context, begin, end, host=self.host)
        for instance in instances:
            LOG.info('Usage audit %s to %s: instance %s of project %s exists '
                     '(launched %s, terminated %s)', begin, end, instance.uuid,
                     instance.project_id, instance.launched_at, instance.terminated_at)
        errors = self.lifecycle.exists(context, instances, begin, end)
        message = ('Instance usage audit ran for host %s, %d instances in %.2f seconds.'
                   % (self.host, len(instances), time.monotonic() - started))
        db.task_log_end_task(context, usage_audit.TASK_NAME, begin, end, self.host, errors,
                             message=message, task_items=len(instances))
        return len(instances)
