"""Instance actions (one per user request) and their events (one per service step).

An action is found by (instance_uuid, request_id); the batch functions serve
a request acting on many instances in a fixed number of statements.
"""
import sqlalchemy as sa

from nova import exception
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


def _event_values(values, action):
    return {k: v for k, v in values.items() if k not in ('instance_uuid', 'request_id')} | {
        'action_id': action.id}


def action_event_start(context, values):
    """Record an event (event, host, start_time, details) of the action of
    values['instance_uuid'] + values['request_id'].
    """
    return action_event_start_many(context, [values])[0]


def action_event_start_many(context, values_list):
    with db_session.writer() as session:
        actions = _newest_actions(session, [(v['instance_uuid'], v['request_id'])
                                            for v in values_list])
        return bulk.insert_rows(session, Event, [
            _event_values(v, actions[(v['instance_uuid'], v['request_id'])])
            for v in values_list])


def action_event_finish(context, values):
    """Set finish_time, result ('Success'|'Error') and traceback of the newest
    event of that name; an error marks the action's message 'Error'.
    """
    return action_event_finish_many(context, [values])[0]


def action_event_finish_many(context, values_list):
    with db_session.writer() as session:
        actions = _newest_actions(session, [(v['instance_uuid'], v['request_id'])
                                            for v in values_list])
        action_ids = {action.id for action in actions.values()}
        names = {v['event'] for v in values_list}
        newest = {}
        for event in session.scalars(sa.select(Event).where(
                Event.action_id.in_(action_ids), Event.event.in_(names)).order_by(Event.id)):
            newest[(event.action_id, event.event)] = event
        events = []
        for values in values_list:
            action = actions[(values['instance_uuid'], values['request_id'])]
            event = newest.get((action.id, values['event']))
            if event is None:
                raise exception.InstanceActionEventNotFound(action_id=action.id,
                                                            event=values['event'])
            event.update(_event_values(values, action))
            if (values.get('result') or '').lower() == 'error':
                action.message = 'Error'
            events.append(event)
    return events


def action_events_get(context, action_id):
    """The action's events, newest first."""
    stmt = sa.select(Event).where(Event.action_id == action_id).order_by(
        Event.created_at.desc(), Event.id.desc())
    with db_session.reader() as session:
        return list(session.scalars(stmt))
