"""The two writes of a host's build: a batch moves to SPAWNING with its start event,
and the spawned ones become ACTIVE with their Success event and build passwords
forgotten.

Each is a compare-and-swap on the task state (an instance deleted or taken
meanwhile is left alone) whose other writes touch only what it moved. On
PostgreSQL each is one statement in autocommit (data-modifying CTEs), where it was
a transaction of BEGIN, two or three statements and COMMIT per build: a host runs
them for every batch the scheduler sends. Elsewhere the same statements run one
after the other in one transaction. The statements are built once with bound
parameters: building them cost more CPU than running them.
"""
import sqlalchemy as sa

from nova.compute import power_state, task_states, vm_states
from nova.db import actions
from nova.db import models
from nova.db import session as db_session

_instances = models.Instance.__table__
_events = models.InstanceActionEvent.__table__
_actions = models.InstanceAction.__table__
_passwords = models.InstanceBuildPassword.__table__


def _param(name, column):
    return sa.bindparam(name, type_=column.type)


def _uuids():
    return sa.bindparam('b_uuids', expanding=True)


_now = _param('b_now', _instances.c.updated_at)

_MOVE = (sa.update(_instances)
         .where(_instances.c.uuid.in_(_uuids()), _instances.c.deleted == 0,
                _instances.c.task_state == task_states.SCHEDULING)
         .values(host=_param('b_host', _instances.c.host),
                 node=_param('b_node', _instances.c.node),
                 launched_on=_param('b_host', _instances.c.host),
                 task_state=task_states.SPAWNING, scheduled_at=_now, updated_at=_now)
         .returning(_instances.c.uuid))


def _event_start(moved_uuids):
    """INSERT ... SELECT of the start event of the newest action of the request of each
    instance among moved_uuids (a list parameter or a select)."""
    return sa.insert(_events).from_select(
        ['action_id', 'event', 'start_time', 'host', 'details', 'created_at'],
        sa.select(sa.func.max(_actions.c.id), _param('b_event', _events.c.event),
                  _param('b_start', _events.c.start_time),
                  _param('b_host', _events.c.host), sa.null(), _now)
        .where(_actions.c.instance_uuid.in_(moved_uuids),
               _actions.c.request_id == _param('b_request', _actions.c.request_id))
        .group_by(_actions.c.instance_uuid))


_ACTIVATE = (sa.update(_instances)
             .where(_instances.c.uuid.in_(_uuids()), _instances.c.deleted == 0,
                    _instances.c.task_state == task_states.SPAWNING)
             .values(vm_state=vm_states.ACTIVE, power_state=power_state.RUNNING,
                     task_state=None, launched_at=_now, updated_at=_now))
_FORGET = sa.delete(_passwords).where(_passwords.c.instance_uuid.in_(_uuids()))

_moved = _MOVE.cte('moved')
_started = _event_start(sa.select(_moved.c.uuid)).returning(_events.c.id).cte('started')
# PostgreSQL: (uuid moved, events started) rows, one round trip
_BEGIN_ONE = sa.select(_moved.c.uuid, sa.select(sa.func.count()).select_from(_started)
                       .scalar_subquery()).add_cte(_started)
_BEGIN_EVENT = _event_start(sa.bindparam('b_moved', expanding=True))

_finished = actions.EVENT_FINISH.returning(_events.c.id).cte('finished')
_activated = _ACTIVATE.returning(_instances.c.uuid).cte('activated')
# PostgreSQL: (instances activated, events finished), one round trip
_ACTIVATE_ONE = sa.select(
    sa.select(sa.func.count()).select_from(_activated).scalar_subquery(),
    sa.select(sa.func.count()).select_from(_finished).scalar_subquery(),
).add_cte(_finished, _FORGET.cte('forgot'))


def _postgres(conn):
    return conn.dialect.name == 'postgresql'


def instance_build_begin(context, uuids, host, node, event, now):
    """Move the instances among uuids that are still SCHEDULING to SPAWNING on host and
    node, and start ``event`` of the action of this request of each one moved.
    Returns (the uuids moved, how many events started)."""
    params = {'b_uuids': sorted(set(uuids)), 'b_host': host, 'b_node': node, 'b_now': now,
              'b_event': event, 'b_start': now, 'b_request': context.request_id}
    with db_session.connection(writes=True, one_statement=True) as conn:
        if _postgres(conn):
            rows = conn.execute(_BEGIN_ONE, params).all()
            return {uuid for uuid, _ in rows}, rows[0][1] if rows else 0
        moved = set(conn.execute(_MOVE, params).scalars())
        if not moved:
            return moved, 0
        started = conn.execute(_BEGIN_EVENT, dict(params, b_moved=sorted(moved))).rowcount
        return moved, started


def instance_build_activate(context, uuids, event, now):
    """The instances among uuids still SPAWNING become ACTIVE and running; ``event`` of
    the action of this request of each of uuids finishes with Success and their build
    passwords are forgotten. Returns (how many became ACTIVE, how many events
    finished)."""
    params = {'b_uuids': sorted(set(uuids)), 'b_request': context.request_id, 'b_now': now,
              'b_event': event, 'b_finish': now, 'b_result': 'Success', 'b_traceback': None}
    with db_session.connection(writes=True, one_statement=True) as conn:
        if _postgres(conn):
            return tuple(conn.execute(_ACTIVATE_ONE, params).one())
        finished = conn.execute(actions.EVENT_FINISH, params).rowcount
        activated = conn.execute(_ACTIVATE, params).rowcount
        conn.execute(_FORGET, params)
        return activated, finished
