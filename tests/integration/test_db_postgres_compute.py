"""The compute data layer on a real PostgreSQL: schema, quota races, compare-and-swap.

Concurrency here is real: green threads each hold their own server
connection (psycopg waits green), and separate processes run in parallel,
so the conditional UPDATEs and the usage row creation race inside the server.
"""
import eventlet
import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.db import api as db
from nova.db import models
from nova.db import quotas
from nova.db import session as db_session
from tests.unit.db.compute_helpers import (boot_in_processes, count_statements,
                                           instance_values, queries, reservation)
from tests.unit.db.test_compute_migration import COMPUTE_TABLES


@pytest.fixture
def ctx(pg_db):
    """A migrated database with only the seeded flavors."""
    yield nova_context.get_admin_context()
    db_session.dispose()
    CONF.set_override('sql_connection', pg_db)
    tables = sorted(COMPUTE_TABLES - {'instance_types'})
    with db_session.get_engine().begin() as connection:
        connection.exec_driver_sql('TRUNCATE %s RESTART IDENTITY' % ', '.join(tables))
        connection.exec_driver_sql('DELETE FROM instance_types WHERE flavorid NOT IN '
                                   "('1', '2', '3', '4', '5')")
    db_session.dispose()


def test_schema_matches_the_models(ctx):
    engine = db_session.get_engine()
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        assert autogenerate.compare_metadata(context, models.Base.metadata) == []
    indexes = {i['name']: i for i in sa.inspect(engine).get_indexes('quota_usages')}
    partial = indexes['uniq_quota_usages0project_id0resource']
    assert partial['unique'] and 'user_id IS NULL' in str(
        partial['dialect_options']['postgresql_where'])
    assert [f.name for f in db.flavor_get_all(ctx)] == [
        'm1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']


def test_green_threads_racing_for_quota_never_exceed_it(ctx):
    """No usage rows exist yet: the threads also race to create them."""
    results = []

    def boot():
        try:
            db.instance_create_many(ctx, [instance_values(project_id='race')
                                          for _ in range(2)],
                                    quota=reservation('race', 2, vcpus=2, instances=7))
            results.append('ok')
        except exception.OverQuota:
            results.append('over')

    for thread in [eventlet.spawn(boot) for _ in range(20)]:
        thread.wait()
    assert (results.count('ok'), results.count('over')) == (3, 17)
    assert len(db.instance_get_all_by_filters(ctx, {'project_id': 'race'})) == 6
    assert db.quota_usage_get_all_by_project(ctx, 'race') == {
        'instances': 6, 'cores': 12, 'ram': 3072}


def test_processes_racing_for_quota_never_exceed_it(ctx, pg_url):
    created, refused = boot_in_processes(pg_url, 'procs', processes=4, requests=10, count=1,
                                         limits={'instances': 25})
    assert (created, refused) == (25, 15)
    assert len(db.instance_get_all_by_filters(ctx, {'project_id': 'procs'})) == 25
    assert db.quota_usage_get_all_by_project(ctx, 'procs') == {'instances': 25}


def test_processes_racing_into_one_server_group_never_overfill_it(ctx, pg_url):
    group = db.instance_group_create(ctx, {'name': 'g', 'project_id': 'procs',
                                           'policy': 'affinity'})
    created, refused = boot_in_processes(pg_url, 'procs', processes=4, requests=5, count=1,
                                         limits={'server_group_members': 7},
                                         group_uuid=group.uuid)
    assert (created, refused) == (7, 13)
    assert len(db.instance_group_get(ctx, group.uuid).members) == 7


def test_racing_key_pairs_stop_at_the_limit(ctx):
    outcomes = []

    def create(i):
        try:
            db.key_pair_create(ctx, {'name': 'k%d' % i, 'user_id': 'u1', 'public_key': 'x'},
                               limit=4)
            outcomes.append('ok')
        except exception.OverQuota:
            outcomes.append('over')

    for thread in [eventlet.spawn(create, i) for i in range(12)]:
        thread.wait()
    assert outcomes.count('ok') == 4 and db.key_pair_count_by_user(ctx, 'u1') == 4


def test_compare_and_swap_has_one_winner(ctx):
    instance = db.instance_create_many(ctx, [instance_values(task_state=None)])[0]
    outcomes = []

    def begin(task):
        try:
            db.instance_update(ctx, instance.uuid, {'task_state': task},
                               expected_task_state=[None])
            outcomes.append(task)
        except exception.UnexpectedTaskStateError as e:
            outcomes.append(('refused', e.kwargs['actual']))

    for thread in [eventlet.spawn(begin, 'task-%d' % i) for i in range(16)]:
        thread.wait()
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1
    assert outcomes.count(('refused', winners[0])) == 15
    assert db.instance_get_by_uuid(ctx, instance.uuid).task_state == winners[0]


def test_filters_regex_tags_and_pages(ctx):
    values = [instance_values(display_name='web-%02d' % i, tags=['even' if i % 2 else 'odd'],
                              metadata={'i': str(i)}) for i in range(30)]
    values.append(instance_values(display_name='db-1'))
    db.instance_create_many(ctx, values)
    with count_statements() as statements:
        web = db.instance_get_all_by_filters(ctx, {'display_name': '^web-[0-9]+$',
                                                   'tags': ['even']})
    assert any(' ~ ' in s for s in statements) and len(queries(statements)) == 3
    assert len(web) == 15 and all(i.tags == ['even'] for i in web)
    assert {i.metadata_dict['i'] for i in web} == {str(i) for i in range(1, 30, 2)}
    seen, marker = [], None
    while True:
        page = db.instance_get_all_by_filters(ctx, {}, ['display_name'], ['asc'], limit=7,
                                              marker=marker)
        if not page:
            break
        seen += [i.display_name for i in page]
        marker = page[-1].uuid
    assert seen == sorted(v['display_name'] for v in values)


def test_destroy_releases_quota_in_the_same_transaction(ctx):
    instance = db.instance_create_many(ctx, [instance_values(vcpus=2, memory_mb=256)],
                                       quota=reservation('p1', 1, vcpus=2, memory_mb=256))[0]
    db.instance_destroy(ctx, instance.uuid, quota={
        'project_id': 'p1', 'deltas': {'instances': -1, 'cores': -2, 'ram': -256}})
    assert db.quota_usage_get_all_by_project(ctx, 'p1') == {'instances': 0, 'cores': 0,
                                                           'ram': 0}
    with pytest.raises(exception.InstanceNotFound):
        db.instance_destroy(ctx, instance.uuid)


def test_action_events_and_usage_in_one_statement_each(ctx):
    """The events' INSERT ... SELECT and UPDATE (their row counts decide) and the
    usage UPDATEs without a look for the rows first, on PostgreSQL."""
    from tests.unit.db import test_compute_instance_info as events
    from tests.unit.db import test_compute_quotas as quotas
    events.test_batches_take_a_fixed_number_of_statements(ctx)
    events.test_an_event_finishes_in_the_newest_action_of_its_request(
        ctx, db.instance_create_many(ctx, [instance_values()])[0])
    quotas.test_a_change_of_existing_usage_is_one_update_per_resource(ctx)


def _usage(ctx, project_id, user_id=None):
    return db.quota_usage_get_all_by_project(ctx, project_id, user_id=user_id)


def test_a_reservation_is_one_statement_for_project_and_user_rows(ctx):
    """Once the rows exist, the project's and the user's usage change in one UPDATE; a
    limit reached at either level refuses it all, as row by row did."""
    quota = {'project_id': 'one', 'user_id': 'u1',
             'deltas': {'instances': 1, 'cores': 2, 'ram': 64},
             'limits': {'cores': 10, 'ram': -1}, 'user_limits': {'cores': 4}}
    db.quota_apply(ctx, quota)  # makes the rows
    with count_statements() as statements:
        db.quota_apply(ctx, quota)
    assert [s.split()[0] for s in queries(statements)] == ['WITH']
    twice = {'instances': 2, 'cores': 4, 'ram': 128}
    assert _usage(ctx, 'one') == _usage(ctx, 'one', 'u1') == twice
    with pytest.raises(exception.OverQuota, match='cores: Requested 2, but already used 4 '
                                                  'of 4 cores'):
        db.quota_apply(ctx, quota)  # the user's limit
    assert _usage(ctx, 'one') == _usage(ctx, 'one', 'u1') == twice
    release = dict(quota, deltas={'instances': -5, 'cores': -2, 'ram': 0})
    db.quota_apply(ctx, release)  # never below 0
    assert _usage(ctx, 'one') == _usage(ctx, 'one', 'u1') == {
        'instances': 0, 'cores': 2, 'ram': 128}
    with db_session.connection(writes=True) as conn:  # as a volume's destroy gives it
        quotas.apply_quota(conn, dict(quota, deltas={'cores': -2}))
    assert _usage(ctx, 'one')['cores'] == _usage(ctx, 'one', 'u1')['cores'] == 0


def test_green_threads_racing_for_a_users_quota_never_exceed_it(ctx):
    """The rows exist: every reservation is the one locking UPDATE, racing in the server."""
    quota = dict(reservation('race2', 1, instances=10), user_id='u1',
                 user_limits={'instances': 8})
    db.quota_apply(ctx, quota)
    results = []

    def reserve():
        try:
            db.quota_apply(ctx, quota)
            results.append('ok')
        except exception.OverQuota:
            results.append('over')

    for thread in [eventlet.spawn(reserve) for _ in range(20)]:
        thread.wait()
    assert (results.count('ok'), results.count('over')) == (7, 13)
    assert _usage(ctx, 'race2') == _usage(ctx, 'race2', 'u1') == {
        'instances': 8, 'cores': 8, 'ram': 4096}


def test_a_destroy_is_one_statement_with_its_children_then_the_quota(ctx):
    """Metadata, tags, passwords and group membership go in the instance's UPDATE (data-
    modifying CTEs); a destroy refused on its expected state leaves them all, even in a
    transaction that goes on."""
    from tests.unit.db import test_compute_instances as instances
    instances.test_destroy_soft_deletes_everything_and_releases_quota(ctx)
    quota = reservation('p2', 1)
    made = db.instance_create_many(ctx, [instance_values(project_id='p2', metadata={'a': '1'},
                                                         tags=['t']) for _ in range(2)],
                                   quota=dict(quota, deltas={'instances': 2, 'cores': 2,
                                                             'ram': 1024}))
    release = dict(quota, deltas={'instances': -1, 'cores': -1, 'ram': -512})
    with db_session.batch():  # refused, and the transaction goes on and commits
        with pytest.raises(exception.UnexpectedTaskStateError):
            db.instance_destroy(ctx, made[0].uuid, quota=release,
                                expected={'task_state': 'deleting'})
    assert db.instance_metadata_get(ctx, made[0].uuid) == {'a': '1'}
    assert db.instance_tag_get(ctx, made[0].uuid) == ['t']
    with count_statements() as statements:
        db.instance_destroy(ctx, made[0].uuid, quota=release)
    assert [s.split()[0] for s in queries(statements)] == ['WITH', 'WITH']
    assert db.instance_metadata_get(ctx, made[0].uuid) == {}
    assert db.instance_tag_get(ctx, made[0].uuid) == []
    assert db.instance_metadata_get(ctx, made[1].uuid) == {'a': '1'}
    assert db.quota_usage_get_all_by_project(ctx, 'p2') == {
        'instances': 1, 'cores': 1, 'ram': 512}


def test_a_task_move_with_its_action_is_one_statement(ctx):
    """A delete's move into its task records the action from the UPDATE's CTE, in
    autocommit: one statement, no BEGIN and COMMIT."""
    from tests.unit.db import test_compute_instances as instances
    instances.test_a_task_move_records_its_action_both_or_neither(ctx)
    made = db.instance_create_many(ctx, [instance_values(task_state=None)])[0]
    with count_statements() as statements:
        db.instance_task_with_action(ctx, made.uuid, 'deleting', None, 'delete')
    assert [s.split()[0] for s in statements] == ['WITH']


def test_a_builds_writes_are_one_statement_each(ctx):
    """The move to SPAWNING with its start event, and ACTIVE with the Success event and
    the passwords forgotten: one statement each (data-modifying CTEs)."""
    from tests.unit.db import test_compute_builds as builds
    begin, activate = builds.build_writes(ctx)
    assert [s.split()[0] for s in begin + activate] == ['WITH', 'WITH']
