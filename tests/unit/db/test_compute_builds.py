"""nova.db.api build writes on SQLite (and, from tests/integration, PostgreSQL): a host's
move to SPAWNING with its start event, and ACTIVE with the Success event."""
from nova import context as nova_context
from nova import utils
from nova.db import api as db

from tests.unit.db.compute_helpers import count_statements, instance_values, queries


def _instances(ctx, count, request_id):
    made = db.instance_create_many(
        ctx, [instance_values(task_state='scheduling', vm_state='building',
                              admin_password='secret') for _ in range(count)],
        actions=[])
    db.action_start_many(ctx, [{'action': 'create', 'instance_uuid': i.uuid,
                                'request_id': request_id} for i in made])
    return [i.uuid for i in made]


def _events(ctx, uuid, request_id):
    action = db.action_get_by_request_id(ctx, uuid, request_id)
    return [(e.event, e.host, e.result) for e in db.action_events_get(ctx, action.id)]


def build_writes(db_ctx):
    """Both writes of a build checked; (statements of the move, of the activation)."""
    ctx = nova_context.RequestContext(user_id='u1', project_id='p1', is_admin=True,
                                      request_id='req-build')
    uuids = _instances(ctx, 3, 'req-build')
    taken, gone = uuids[1], uuids[2]
    db.instance_update(ctx, taken, {'task_state': 'deleting'})
    db.instance_destroy(ctx, gone)
    with count_statements() as begin:
        moved, started = db.instance_build_begin(ctx, uuids, 'h1', 'n1', 'build',
                                                 utils.utcnow())
    assert (moved, started) == ({uuids[0]}, 1)
    row = db.instance_get_by_uuid(ctx, uuids[0])
    assert (row.host, row.node, row.launched_on, row.task_state) == ('h1', 'n1', 'h1',
                                                                     'spawning')
    assert db.instance_get_by_uuid(ctx, taken).task_state == 'deleting'
    assert _events(ctx, uuids[0], 'req-build') == [('build', 'h1', None)]
    assert _events(ctx, taken, 'req-build') == []
    assert db.instance_build_password_get(ctx, uuids[0]) == 'secret'

    with count_statements() as activate:
        assert db.instance_build_activate(ctx, uuids[:2], 'build', utils.utcnow()) == (1, 1)
    row = db.instance_get_by_uuid(ctx, uuids[0])
    assert (row.vm_state, row.task_state, row.power_state) == ('active', None, 1)
    assert row.launched_at is not None
    assert _events(ctx, uuids[0], 'req-build') == [('build', 'h1', 'Success')]
    assert db.instance_build_password_get(ctx, uuids[0]) is None
    assert db.instance_get_by_uuid(ctx, taken).vm_state == 'building'
    # again: nothing is SPAWNING or open any more
    assert db.instance_build_activate(ctx, uuids[:1], 'build', utils.utcnow()) == (0, 0)
    return queries(begin), queries(activate)


def test_a_build_moves_what_is_still_scheduling_then_activates_what_spawns(db_ctx):
    """Each write leaves alone what was deleted or taken meanwhile, and records events only
    for what it moved; the passwords are forgotten once ACTIVE."""
    begin, activate = build_writes(db_ctx)
    assert len(begin) == 2 and len(activate) == 3  # SQLite: one after the other
