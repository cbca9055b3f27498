"""nova.db.api on SQLite: instance metadata, tags, faults, actions and events."""
import pytest

from nova import exception
from nova import utils
from nova.db import api as db

from tests.unit.db.compute_helpers import count_statements, instance_values, queries


@pytest.fixture
def instance(db_ctx):
    return db.instance_create_many(db_ctx, [instance_values()])[0]


# ---------------------------------------------------------------- metadata

def test_metadata_update_merge_replace_delete(db_ctx, instance):
    uuid = instance.uuid
    assert db.instance_metadata_get(db_ctx, uuid) == {}
    assert db.instance_metadata_update(db_ctx, uuid, {'a': '1', 'b': '2'}) == {'a': '1',
                                                                              'b': '2'}
    assert db.instance_metadata_update(db_ctx, uuid, {'b': '3', 'c': '4'}) == {
        'a': '1', 'b': '3', 'c': '4'}
    assert db.instance_metadata_update(db_ctx, uuid, {'c': '5', 'd': '6'}, delete=True) == {
        'c': '5', 'd': '6'}
    assert db.instance_metadata_get(db_ctx, uuid) == {'c': '5', 'd': '6'}
    db.instance_metadata_delete(db_ctx, uuid, 'c')
    db.instance_metadata_delete(db_ctx, uuid, 'not-there')
    assert db.instance_metadata_get(db_ctx, uuid) == {'d': '6'}
    db.instance_metadata_update(db_ctx, uuid, {'c': 'back'})
    assert db.instance_get_by_uuid(db_ctx, uuid).metadata_dict == {'c': 'back', 'd': '6'}


def test_metadata_update_statements_do_not_grow_with_keys(db_ctx):
    def update(count):
        instance = db.instance_create_many(db_ctx, [instance_values(
            metadata={'k%d' % i: 'old' for i in range(count)})])[0]
        # half the keys change, a quarter go, as many new ones come
        metadata = {'k%d' % i: 'new' for i in range(count // 2)}
        metadata.update(('n%d' % i, 'v') for i in range(count))
        with count_statements() as statements:
            db.instance_metadata_update(db_ctx, instance.uuid, metadata, delete=True)
        assert db.instance_metadata_get(db_ctx, instance.uuid) == metadata
        return len(queries(statements))

    assert update(4) == update(40) == 4


# -------------------------------------------------------------------- tags

def test_tags(db_ctx, instance):
    uuid = instance.uuid
    assert db.instance_tag_get(db_ctx, uuid) == []
    assert db.instance_tag_set(db_ctx, uuid, ['b', 'a', 'b']) == ['a', 'b']
    assert db.instance_tag_add(db_ctx, uuid, 'c') == 'c'
    db.instance_tag_add(db_ctx, uuid, 'c')
    assert db.instance_tag_get(db_ctx, uuid) == ['a', 'b', 'c']
    assert db.instance_tag_exists(db_ctx, uuid, 'a')
    assert not db.instance_tag_exists(db_ctx, uuid, 'z')
    db.instance_tag_delete(db_ctx, uuid, 'a')
    with pytest.raises(exception.InstanceTagNotFound, match='no tag a'):
        db.instance_tag_delete(db_ctx, uuid, 'a')
    assert db.instance_tag_set(db_ctx, uuid, ['c', 'd']) == ['c', 'd']
    assert db.instance_get_by_uuid(db_ctx, uuid).tags == ['c', 'd']
    db.instance_tag_delete_all(db_ctx, uuid)
    assert db.instance_tag_get(db_ctx, uuid) == []


def test_tags_of_a_missing_instance(db_ctx):
    for call in (lambda: db.instance_tag_set(db_ctx, 'nope', ['a']),
                 lambda: db.instance_tag_add(db_ctx, 'nope', 'a'),
                 lambda: db.instance_tag_delete(db_ctx, 'nope', 'a'),
                 lambda: db.instance_tag_delete_all(db_ctx, 'nope'),
                 lambda: db.instance_tag_exists(db_ctx, 'nope', 'a')):
        with pytest.raises(exception.InstanceNotFound):
            call()


# ------------------------------------------------------------------ faults

def test_faults_newest_first_and_latest(db_ctx, instance):
    other = db.instance_create_many(db_ctx, [instance_values()])[0]
    for i in range(3):
        db.instance_fault_create(db_ctx, {'instance_uuid': instance.uuid, 'code': 500,
                                          'message': 'boom %d' % i, 'details': 'trace',
                                          'host': 'h1'})
    faults = db.instance_fault_get_by_instance_uuids(db_ctx, [instance.uuid, other.uuid],
                                                     latest=False)
    assert [f.message for f in faults[instance.uuid]] == ['boom 2', 'boom 1', 'boom 0']
    assert faults[other.uuid] == []
    latest = db.instance_fault_get_by_instance_uuids(db_ctx, [instance.uuid, other.uuid])
    assert [f.message for f in latest[instance.uuid]] == ['boom 2']
    assert (latest[instance.uuid][0].code, latest[instance.uuid][0].host) == (500, 'h1')


# ----------------------------------------------------------------- actions

def _action(ctx, instance_uuid, request_id='req-1', action='reboot'):
    return db.action_start(ctx, {'action': action, 'instance_uuid': instance_uuid,
                                 'request_id': request_id, 'user_id': 'u1',
                                 'project_id': 'p1', 'start_time': utils.utcnow()})


def test_action_lifecycle(db_ctx, instance):
    action = _action(db_ctx, instance.uuid)
    assert action.id and action.action == 'reboot'
    db.action_event_start(db_ctx, {'instance_uuid': instance.uuid, 'request_id': 'req-1',
                                   'event': 'compute_reboot', 'host': 'h1',
                                   'start_time': utils.utcnow()})
    finished = db.action_event_finish(db_ctx, {
        'instance_uuid': instance.uuid, 'request_id': 'req-1', 'event': 'compute_reboot',
        'finish_time': utils.utcnow(), 'result': 'Error', 'traceback': 'Traceback...'})
    assert (finished.result, finished.traceback, finished.host) == ('Error', 'Traceback...',
                                                                    'h1')
    got = db.action_get_by_request_id(db_ctx, instance.uuid, 'req-1')
    assert got.message == 'Error'
    done = db.action_finish(db_ctx, instance.uuid, 'req-1', {'finish_time': utils.utcnow()})
    assert done.finish_time is not None
    events = db.action_events_get(db_ctx, action.id)
    assert [(e.event, e.result) for e in events] == [('compute_reboot', 'Error')]


def test_action_misses(db_ctx, instance):
    with pytest.raises(exception.InstanceActionNotFound):
        db.action_get_by_request_id(db_ctx, instance.uuid, 'nope')
    with pytest.raises(exception.InstanceActionNotFound):
        db.action_finish(db_ctx, instance.uuid, 'nope', {})
    with pytest.raises(exception.InstanceActionNotFound):
        db.action_event_start(db_ctx, {'instance_uuid': instance.uuid, 'request_id': 'nope',
                                       'event': 'e'})
    _action(db_ctx, instance.uuid)
    with pytest.raises(exception.InstanceActionEventNotFound):
        db.action_event_finish(db_ctx, {'instance_uuid': instance.uuid, 'request_id': 'req-1',
                                        'event': 'never-started', 'result': 'Success'})


def test_actions_newest_first_with_pages(db_ctx, instance):
    for i in range(5):
        _action(db_ctx, instance.uuid, 'req-%d' % i)
    actions = db.actions_get(db_ctx, instance.uuid)
    assert [a.request_id for a in actions] == ['req-4', 'req-3', 'req-2', 'req-1', 'req-0']
    page = db.actions_get(db_ctx, instance.uuid, limit=2, marker='req-3')
    assert [a.request_id for a in page] == ['req-2', 'req-1']
    with pytest.raises(exception.MarkerNotFound):
        db.actions_get(db_ctx, instance.uuid, marker='nope')


def test_batches_take_a_fixed_number_of_statements(db_ctx):
    def batch(count):
        instances = db.instance_create_many(db_ctx, [instance_values() for _ in range(count)])
        uuids = [i.uuid for i in instances]
        with count_statements() as statements:
            actions = db.action_start_many(db_ctx, [
                {'action': 'create', 'instance_uuid': u, 'request_id': 'req-b'}
                for u in uuids])
            db.action_event_start_many(db_ctx, [
                {'instance_uuid': u, 'request_id': 'req-b', 'event': 'build', 'host': 'h'}
                for u in uuids])
            now = utils.utcnow()
            db.action_event_finish_many(db_ctx, [
                {'instance_uuid': u, 'request_id': 'req-b', 'event': 'build',
                 'result': 'Success', 'finish_time': now} for u in uuids])
        assert [a.instance_uuid for a in actions] == uuids
        assert [[(e.event, e.result, e.host) for e in db.action_events_get(db_ctx, a.id)]
                for a in actions] == [[('build', 'Success', 'h')]] * count
        return len(queries(statements))

    assert batch(3) == batch(30) == 3  # an INSERT, an INSERT ... SELECT, an UPDATE


def test_an_event_finishes_in_the_newest_action_of_its_request(db_ctx, instance):
    """A rescheduled build starts the same event again: each finish closes the open one;
    an error marks the action; a finish with nothing open is refused whole."""
    _action(db_ctx, instance.uuid, 'req-old')
    action = _action(db_ctx, instance.uuid)
    other = db.instance_create_many(db_ctx, [instance_values()])[0]
    _action(db_ctx, other.uuid)
    values = {'instance_uuid': instance.uuid, 'request_id': 'req-1', 'event': 'build'}
    for host, result in (('h1', 'Error'), ('h2', 'Success')):
        db.action_event_start_many(db_ctx, [dict(values, host=host,
                                                 start_time=utils.utcnow())])
        db.action_event_finish_many(db_ctx, [dict(values, result=result,
                                                  finish_time=utils.utcnow())])
    events = db.action_events_get(db_ctx, action.id)
    assert sorted((e.host, e.result) for e in events) == [('h1', 'Error'), ('h2', 'Success')]
    assert db.action_get_by_request_id(db_ctx, instance.uuid, 'req-1').message == 'Error'
    with pytest.raises(exception.InstanceActionEventNotFound):
        db.action_event_finish_many(db_ctx, [
            dict(values, result='Success'), dict(values, instance_uuid=other.uuid,
                                                 result='Success')])
    with pytest.raises(exception.InstanceActionNotFound):
        db.action_event_start_many(db_ctx, [dict(values, instance_uuid=other.uuid),
                                            dict(values, request_id='nope')])
    assert [e.host for e in db.action_events_get(db_ctx, action.id)] == ['h2', 'h1']
