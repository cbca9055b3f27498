"""The task log: which host ran which periodic audit for which period, and how it went.

A host begins a task once per (task, host, period): the unique constraint makes
a second begin (a restart, a second process) a TaskAlreadyRunning instead of a
duplicate row. Ending it records the items seen, the errors and a message.
"""
import sqlalchemy as sa

from nova import exception
from nova.db import errors
from nova.db import models
from nova.db import session as db_session

TaskLog = models.TaskLog

RUNNING, DONE = 'RUNNING', 'DONE'


def task_log_begin_task(context, task_name, period_beginning, period_ending, host,
                        task_items=None, message=None):
    """Record that host starts task_name for the period; TaskAlreadyRunning if it did."""
    row = TaskLog(task_name=task_name, host=host, state=RUNNING,
                  period_beginning=period_beginning, period_ending=period_ending,
                  task_items=task_items or 0, message=message or '')
    with errors.duplicate_raises(lambda: exception.TaskAlreadyRunning(
            task_name=task_name, host=host)):
        with db_session.writer() as session:
            session.add(row)
    return row


def task_log_end_task(context, task_name, period_beginning, period_ending, host, errors_count,
                      message=None, task_items=None):
    """Mark the host's run DONE with its counts; TaskNotRunning if it never began."""
    values = {'state': DONE, 'errors': errors_count, 'message': message or ''}
    if task_items is not None:
        values['task_items'] = task_items
    with db_session.writer() as session:
        updated = session.execute(
            sa.update(TaskLog).where(TaskLog.task_name == task_name, TaskLog.host == host,
                                     TaskLog.period_beginning == period_beginning,
                                     TaskLog.period_ending == period_ending)
            .values(**values).execution_options(synchronize_session=False)).rowcount
    if not updated:
        raise exception.TaskNotRunning(task_name=task_name, host=host)


def task_log_get_all(context, task_name, period_beginning, period_ending, host=None,
                     state=None):
    """The runs of task_name for exactly this period (every host, or one)."""
    stmt = sa.select(TaskLog).where(TaskLog.task_name == task_name,
                                    TaskLog.period_beginning == period_beginning,
                                    TaskLog.period_ending == period_ending)
    if host is not None:
        stmt = stmt.where(TaskLog.host == host)
    if state is not None:
        stmt = stmt.where(TaskLog.state == state)
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(TaskLog.host)))
