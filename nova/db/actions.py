"""Instance actions (one per user request) and their events (one per service step).

An action is found by (instance_uuid, request_id); the batch functions serve
a request acting on many instances in a fixed number of statements.
"""
import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import bulk
from nova.db import models
from nova.db import paginate
from nova.db import session as db_session

Action = models.InstanceAction
Event = models.InstanceActionEvent


def _newest_actions(session, keys):
    """{(instance_uuid, request_id): action} for the newest action of each key."""
    keys = set(keys)
    stmt = sa.select(Action).where(
        Action.instance_uuid.in_({uuid for uuid, _r in keys}),
        Action.request_id.in_({request for _u, request in keys})).order_by(Action.id)
    found = {}
    for action in session.scalars(stmt):
        key = (action.instance_uuid, action.request_id)
        if key in keys:
            found[key] = action
    for instance_uuid, request_id in keys - set(found):
        raise exception.InstanceActionNotFound(request_id=request_id,
                                               instance_uuid=instance_uuid)
    return found


def action_start(context, values):
    """Record an action (action, instance_uuid, request_id, user_id, project_id, start_time)."""
    return action_start_many(context, [values])[0]


def action_start_many(context, values_list):
    """Record many actions (one per instance of a request); returns them in order."""
    with db_session.writer() as session:
        return bulk.insert_rows(session, Action, [dict(values) for values in values_list])


def action_finish(context, instance_uuid, request_id, values):
    """Set finish_time (and message) on the action; InstanceActionNotFound if none."""
    with db_session.writer() as session:
        action = _newest_actions(session, [(instance_uuid, request_id)])[
            (instance_uuid, request_id)]
        action.update(values)
    return action


def action_get_by_request_id(context, instance_uuid, request_id):
    with db_session.reader() as session:
        return _newest_actions(session, [(instance_uuid, request_id)])[
            (instance_uuid, request_id)]


def actions_get(context, instance_uuid, limit=None, marker=None):
    """The instance's actions, newest first, after the marker request_id."""
    stmt = sa.select(Action).where(Action.instance_uuid == instance_uuid)
    order = paginate.sort_criteria(Action, ['created_at', 'id'], ['desc', 'desc'])
    marker_stmt = sa.select(Action).where(Action.instance_uuid == instance_uuid,
                                          Action.request_id == marker).order_by(Action.id.desc())
    with db_session.reader() as session:
        return paginate.page(session, stmt, order, limit, marker_stmt, marker)


_actions, _events = Action.__table__.c, Event.__table__.c


def _newest_action_ids():
    """SELECT of the id of the newest action of each of :b_uuids for :b_request."""
    return (sa.select(sa.func.max(_actions.id))
            .where(_actions.instance_uuid.in_(sa.bindparam('b_uuids', expanding=True)),
                   _actions.request_id == sa.bindparam('b_request', type_=sa.String))
            .group_by(_actions.instance_uuid).scalar_subquery())


def _bound(name, column):
    return sa.bindparam(name, type_=column.type)


# Built once with bound parameters (building an expression costs more CPU than
# running it): each is one statement for a whole batch, where reading the
# actions and then the events was two or three.
_EVENT_START = sa.insert(Event.__table__).from_select(
    ['action_id', 'event', 'start_time', 'host', 'details', 'created_at'],
    sa.select(sa.func.max(_actions.id), _bound('b_event', _events.event),
              _bound('b_start', _events.start_time), _bound('b_host', _events.host),
              _bound('b_details', _events.details), _bound('b_now', _events.created_at))
    .where(_actions.instance_uuid.in_(sa.bindparam('b_uuids', expanding=True)),
           _actions.request_id == sa.bindparam('b_request', type_=sa.String))
    .group_by(_actions.instance_uuid)).execution_options(preserve_rowcount=True)
EVENT_FINISH = (sa.update(Event.__table__)
                 .where(_events.event == _bound('b_event', _events.event),
                        _events.finish_time.is_(None),
                        _events.action_id.in_(_newest_action_ids()))
                 .values(finish_time=_bound('b_finish', _events.finish_time),
                         result=_bound('b_result', _events.result),
                         traceback=_bound('b_traceback', _events.traceback),
                         updated_at=_bound('b_now', _events.updated_at)))
_ACTION_FAILED = (sa.update(Action.__table__).where(_actions.id.in_(_newest_action_ids()))
                  .values(message='Error', updated_at=_bound('b_now', _actions.updated_at)))


def _batches(values_list, keys):
    """{(request_id, value of each key): [instance_uuid]}: the events one statement
    writes."""
    batches = {}
    for values in values_list:
        key = (values['request_id'], *(values.get(k) for k in keys))
        batches.setdefault(key, []).append(values['instance_uuid'])
    return batches


def action_event_start(context, values):
    """Record an event (event, host, start_time, details) of the newest action of
    values['instance_uuid'] + values['request_id'] (InstanceActionNotFound if none).
    """
    action_event_start_many(context, [values])


def action_event_start_many(context, values_list):
    """action_event_start for many: one INSERT ... SELECT per request, event, host
    and time (a batch has one), all of them or none. One instance's is one
    statement in autocommit where the engine has it (no BEGIN and COMMIT): it
    inserts its row or none."""
    keys = ('event', 'start_time', 'host', 'details')
    now = utils.utcnow()
    single = len(values_list) == 1
    with (db_session.one_statement_writer() if single else db_session.writer()) as session:
        for (request_id, *fields), uuids in _batches(values_list, keys).items():
            params = dict(zip(('b_event', 'b_start', 'b_host', 'b_details'), fields),
                          b_uuids=sorted(set(uuids)), b_request=request_id, b_now=now)
            if session.execute(_EVENT_START, params).rowcount < len(set(uuids)):
                found = {a.instance_uuid for a in session.scalars(sa.select(Action).where(
                    Action.instance_uuid.in_(uuids), Action.request_id == request_id))}
                missing = sorted(set(uuids) - found)
                raise exception.InstanceActionNotFound(request_id=request_id,
                                                       instance_uuid=missing[0])


def action_event_finish(context, values):
    """Set finish_time, result ('Success'|'Error') and traceback of the unfinished
    event of that name of the instance's newest action of the request, and return
    it; an error marks the action's message 'Error'.
    """
    action_event_finish_many(context, [values])
    with db_session.reader() as session:
        action = _newest_actions(session, [(values['instance_uuid'], values['request_id'])])[
            (values['instance_uuid'], values['request_id'])]
        return session.scalars(sa.select(Event).where(
            Event.action_id == action.id, Event.event == values['event'])
            .order_by(Event.id.desc()).limit(1)).one()


def action_event_finish_many(context, values_list):
    """action_event_finish for many: one UPDATE per request, event and result (plus
    one marking the actions of errors), all of them or none
    (InstanceActionEventNotFound when an instance has no such event unfinished)."""
    keys = ('event', 'finish_time', 'result', 'traceback')
    now = utils.utcnow()
    with db_session.writer() as session:
        for (request_id, event, finish, result, trace), uuids in _batches(
                values_list, keys).items():
            uuids = sorted(set(uuids))
            params = {'b_uuids': uuids, 'b_request': request_id, 'b_now': now}
            finished = session.execute(EVENT_FINISH, dict(
                params, b_event=event, b_finish=finish, b_result=result,
                b_traceback=trace)).rowcount
            if finished < len(uuids):
                found = {a.instance_uuid: a.id for a in session.scalars(sa.select(Action).where(
                    Action.instance_uuid.in_(uuids), Action.request_id == request_id))}
                raise exception.InstanceActionEventNotFound(
                    action_id=found.get(uuids[0], 'of request %s' % request_id), event=event)
            if (result or '').lower() == 'error':
                session.execute(_ACTION_FAILED, params)


def action_events_get(context, action_id):
    """The action's events, newest first."""
    stmt = sa.select(Event).where(Event.action_id == action_id).order_by(
        Event.created_at.desc(), Event.id.desc())
    with db_session.reader() as session:
        return list(session.scalars(stmt))
