"""The instance usage audit: each compute host records, once per audit period,
which instances were active on it (a task_log row per host and period);
the Compute API's /os-instance_usage_audit_log summarizes those rows.

The period is --instance_usage_audit_period: hour, day, month or year,
optionally with an offset (``month@15``: from the 15th of one month to the
15th of the next, ``day@6``: 06:00 to 06:00). Shared by the API and the hosts.
"""
import datetime

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.db import api as db

TASK_NAME = 'instance_usage_audit'
UNITS = ('hour', 'day', 'month', 'year')


def _parse_unit(unit):
    name, _sep, offset = unit.partition('@')
    if name not in UNITS:
        raise exception.InvalidInput(reason='audit period %r: the unit must be one of %s'
                                     % (unit, ', '.join(UNITS)))
    try:
        return name, int(offset) if offset else None
    except ValueError:
        raise exception.InvalidInput(reason='audit period %r: the offset must be an integer'
                                     % unit) from None


def _shift(moment, name, count):
    """moment moved by count units (months and years keep the day of the month)."""
    if name == 'hour':
        return moment + datetime.timedelta(hours=count)
    if name == 'day':
        return moment + datetime.timedelta(days=count)
    months = moment.month - 1 + (count if name == 'month' else 12 * count)
    return moment.replace(year=moment.year + months // 12, month=months % 12 + 1)


def last_completed_period(unit=None, before=None):
    """(beginning, ending) of the last whole audit period that ended by ``before``
    (default now), as naive UTC datetimes."""
    name, offset = _parse_unit(unit or CONF.instance_usage_audit_period)
    before = before or utils.utcnow()
    if name == 'hour':
        end = before.replace(minute=offset or 0, second=0, microsecond=0)
    elif name == 'day':
        end = before.replace(hour=offset or 0, minute=0, second=0, microsecond=0)
    elif name == 'month':
        end = before.replace(day=offset or 1, hour=0, minute=0, second=0, microsecond=0)
    else:
        end = before.replace(month=offset or 1, day=1, hour=0, minute=0, second=0,
                             microsecond=0)
    if end > before:
        end = _shift(end, name, -1)
    return _shift(end, name, -1), end


def summary(context, before=None):
    """The audit log of the last completed period before ``before``: every compute
    host, which ran the audit (DONE or RUNNING), which did not, and the totals."""
    begin, end = last_completed_period(before=before)
    hosts = {svc.host for svc in db.service_get_all_by_topic(context, CONF.compute_topic)}
    logs = db.task_log_get_all(context, TASK_NAME, begin, end)
    done = {log.host for log in logs if log.state == 'DONE'}
    running = {log.host for log in logs if log.state == 'RUNNING'}
    not_run = sorted(hosts - {log.host for log in logs})
    errors = sum(log.errors for log in logs)
    done_text = 'ALL' if hosts and done >= hosts else '%d of %d' % (len(done & hosts),
                                                                     len(hosts))
    return {
        'period_beginning': str(begin), 'period_ending': str(end),
        'num_hosts': len(hosts), 'num_hosts_done': len(done),
        'num_hosts_running': len(running), 'num_hosts_not_run': len(not_run),
        'hosts_not_run': not_run,
        'total_instances': sum(log.task_items for log in logs), 'total_errors': errors,
        'overall_status': '%s hosts done. %d errors.' % (done_text, errors),
        'log': {log.host: {'state': log.state, 'instances': log.task_items,
                           'errors': log.errors, 'message': log.message} for log in logs},
    }
