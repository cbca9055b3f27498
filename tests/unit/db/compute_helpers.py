"""Shared by the compute DB tests (SQLite and PostgreSQL): instance values, statement counts."""
import contextlib
import uuid

from sqlalchemy import event

from nova.db import session as db_session


def instance_values(project_id='p1', user_id='u1', **extra):
    values = {'uuid': str(uuid.uuid4()), 'project_id': project_id, 'user_id': user_id,
              'display_name': 'server', 'vm_state': 'building', 'task_state': 'scheduling',
              'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
              'instance_type_id': 1}
    values.update(extra)
    return values


def reservation(project_id, count, vcpus=1, memory_mb=512, instances=10, cores=20, ram=51200):
    return {'project_id': project_id, 'user_id': None,
            'deltas': {'instances': count, 'cores': count * vcpus, 'ram': count * memory_mb},
            'limits': {'instances': instances, 'cores': cores, 'ram': ram}}


@contextlib.contextmanager
def count_statements():
    """A list that collects every SQL statement the engine runs inside the block."""
    statements = []
    engine = db_session.get_engine()

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, 'before_cursor_execute', before)
    try:
        yield statements
    finally:
        event.remove(engine, 'before_cursor_execute', before)


def queries(statements):
    """The statements that are not transaction control."""
    return [s for s in statements
            if not s.lstrip().upper().startswith(('BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT',
                                                  'RELEASE'))]
