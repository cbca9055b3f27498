"""The monitor's manager on a real database and the fake driver: what it samples,
what a restart keeps, what happens to a deleted instance's archive."""
import datetime
import json
import os
import types

import eventlet
import pytest

from nova import context as nova_context
from nova.api.cloudwatch import actions as cloudwatch_actions
from nova.conf import CONF
from nova.db import api as db
from nova.monitor import api as monitor_api
from nova.monitor import graphs, local, metrics, publisher, statistics
from nova.monitor import manager as monitor_manager
from nova.virt import fake
from tests.unit.monitor.conftest import HOST, DriverCompute


def _cpu(mgr, uuid, start, end):
    path = mgr.store.find(uuid)
    return statistics.rates(mgr.store, path, metrics.METRICS['CPUUtilization'], start, end,
                            60)


def test_one_compute_call_per_step_and_the_profile_recorded(cloud):
    first = cloud.boot()
    second = cloud.boot(metadata={'fake_load': 'cpu=10'})
    off = cloud.boot()
    db.instance_monitoring_set(cloud.ctx, [off], False)
    mgr = cloud.monitor()
    t0 = cloud.clock.now
    for _ in range(6):
        mgr.sample_instances(cloud.ctx)
        cloud.clock.now += 60
    assert cloud.compute.calls == 6
    assert mgr.store.live_uuids() == {first, second}
    _, _, rates = _cpu(mgr, first, t0, t0 + 300)
    assert [r for r in rates if r is not None] == [pytest.approx(40.0)] * 5
    _, _, rates = _cpu(mgr, second, t0, t0 + 300)
    assert [r for r in rates if r is not None] == [pytest.approx(10.0)] * 5


def test_an_empty_range_answers_no_data(cloud):
    """What the front ends refuse (end not after start), the monitor's RPC answers
    empty instead of failing in rrdtool (a caller's clock a second ahead)."""
    uuid = cloud.boot()
    mgr = cloud.monitor()
    for _ in range(3):
        mgr.sample_instances(cloud.ctx)
        cloud.clock.now += 60
    now = int(cloud.clock.now)
    query = {'instance_uuid': uuid, 'metric': 'CPUUtilization', 'period': 60,
             'statistics': ['Average']}
    assert mgr.get_statistics(cloud.ctx, [dict(query, start=now - 180, end=now)]) != [[]]
    assert mgr.get_statistics(cloud.ctx, [dict(query, start=now + 1, end=now),
                                          dict(query, start=now, end=now)]) == [[], []]
    rates = {'instance_uuid': uuid, 'metric': 'CPUUtilization', 'resolution': 60}
    assert mgr.get_rates(cloud.ctx, [dict(rates, start=now, end=now - 60)]) == [None]


def test_restart_leaves_a_gap_of_the_downtime_only(cloud):
    uuid = cloud.boot()
    t0 = cloud.clock.now
    mgr = cloud.monitor()
    for _ in range(5):
        mgr.sample_instances(cloud.ctx)
        cloud.clock.now += 60
    cloud.clock.now += 600  # the monitor is down for ten steps; the guest runs on
    mgr = cloud.monitor()
    for _ in range(5):
        mgr.sample_instances(cloud.ctx)
        cloud.clock.now += 60
    first, seconds, rates = _cpu(mgr, uuid, t0, cloud.clock.now)
    known = [int((first + i * seconds - t0) // 60) for i, r in enumerate(rates)
             if r is not None]
    # samples at 0..240 s, none until 900 s: the rows of [240, 900) are unknown, and
    # the rows from 900 s on are known again, from the counters the archive kept
    assert known == [0, 1, 2, 3, 15, 16, 17, 18]
    assert all(r == pytest.approx(40.0) for r in rates if r is not None)


@pytest.mark.parametrize('keep_days', [0, 3])
def test_a_deleted_instance_archive_follows_the_flag(cloud, keep_days):
    CONF.set_override('monitor_keep_deleted_days', keep_days)
    uuid = cloud.boot()
    mgr = cloud.monitor()
    for _ in range(3):
        mgr.sample_instances(cloud.ctx)
        cloud.clock.now += 60
    db.instance_destroy(cloud.ctx, uuid)
    mgr.sample_instances(cloud.ctx)
    assert mgr.store.live_uuids() == set()
    if keep_days:
        assert mgr.store.find(uuid) == mgr.store.path(uuid, deleted=True)
        answer = mgr.get_statistics(cloud.ctx, [{
            'instance_uuid': uuid, 'metric': 'CPUUtilization', 'start': cloud.clock.now - 300,
            'end': cloud.clock.now, 'period': 60, 'statistics': ['Average']}])
        assert answer[0] and answer[0][0]['Average'] == pytest.approx(40.0)
        assert mgr.store.purge(keep_days * 86400, now=cloud.clock.now + keep_days * 86400) \
            == [uuid]
    assert mgr.store.find(uuid) is None


def test_monitoring_state_default_and_switch(cloud):
    uuid = cloud.boot()
    rows = db.instance_monitoring_rows(cloud.ctx, uuids=[uuid])
    assert rows[0].monitoring is None and metrics.monitoring_enabled(None)
    CONF.set_override('monitor_new_instances', False)
    assert not metrics.monitoring_enabled(None)
    assert db.instance_monitoring_set(cloud.ctx, [uuid], True) == 1
    assert db.instance_monitoring_rows(cloud.ctx, uuids=[uuid])[0].monitoring is True


def test_a_project_sees_only_its_own_instances(cloud):
    mine = cloud.boot(project_id='p1')
    theirs = cloud.boot(project_id='p2')
    api = monitor_api.MonitorAPI()
    asked = []
    api.rpcapi = types.SimpleNamespace(
        get_statistics=lambda ctxt, host, queries: asked.extend(queries) or [
            ['data'] for _ in queries])
    ctxt = nova_context.RequestContext('u1', 'p1')
    query = {'metric': 'CPUUtilization', 'start': 0, 'end': 60, 'period': 60,
             'statistics': ['Average']}
    answers = api.get_statistics(ctxt, [dict(query, instance_uuid=mine),
                                        dict(query, instance_uuid=theirs)])
    assert answers == [['data'], []]
    assert [q['instance_uuid'] for q in asked] == [mine]
    assert [u for u, _names in api.list_metrics(ctxt)] == [mine]


@pytest.mark.timeout(30)
def test_publishing_runs_beside_the_sampler(cloud):
    """A round of graph publishing (slow: many renders and uploads) never holds back
    the next sample, and a second round does not start while one is under way."""
    uuid = cloud.boot()
    mgr = cloud.monitor()
    started, release = eventlet.event.Event(), eventlet.event.Event()
    rounds = []

    class SlowPublisher:
        def publish(self, ctxt):
            rounds.append(ctxt)
            started.send()
            release.wait()
    mgr.publisher = SlowPublisher()
    publishing = mgr.publish_graphs(cloud.ctx)
    started.wait()  # the round is under way, in its own green thread
    assert mgr.publish_graphs(cloud.ctx) is None  # no second round meanwhile
    assert mgr.sample_instances(cloud.ctx) == 1  # the sampler is not held back
    assert mgr.store.find(uuid)
    release.send()
    publishing.wait()
    assert len(rounds) == 1
    mgr.publisher = types.SimpleNamespace(publish=rounds.append)
    mgr.publish_graphs(cloud.ctx).wait()  # the next round, once that one finished
    assert len(rounds) == 2


def test_a_failed_round_of_publishing_is_logged_and_the_next_one_runs(cloud, caplog):
    mgr = cloud.monitor()
    rounds = []

    def publish(ctxt):
        rounds.append(ctxt)
        if len(rounds) == 1:
            raise RuntimeError('rrdtool broke')
        return 3
    mgr.publisher = types.SimpleNamespace(publish=publish)
    assert mgr.publish_graphs(cloud.ctx).wait() == 0
    assert 'Publishing the graphs of host mon-host failed' in caplog.text
    assert 'rrdtool broke' in caplog.text
    assert mgr.publish_graphs(cloud.ctx).wait() == 3


def _move(cloud, uuid, source, dest):
    """The instance live-migrated from source to dest; the monitor of a dest it never
    ran on (its guest spawned there by a FakeDriver of that host), else None."""
    db.instance_update(cloud.ctx, uuid, {'host': dest})
    db.migration_create(cloud.ctx, {'instance_uuid': uuid, 'source_compute': source,
                                    'dest_compute': dest, 'status': 'completed',
                                    'migration_type': 'live-migration'})
    driver = fake.FakeDriver(dest)
    if dest == HOST or driver.instance_exists(db.instance_get_by_uuid(cloud.ctx, uuid)):
        return None
    driver.spawn(cloud.ctx, db.instance_get_by_uuid(cloud.ctx, uuid), {},
                 network_info=[{'id': 'vif-moved'}])
    mgr = monitor_manager.InstanceMonitorManager(host=dest)
    mgr.compute_rpcapi = DriverCompute(driver)
    return mgr


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat()


def _minutes(t0, first, seconds, rates):
    """The minutes after t0 of the rows a get_rates answer has a rate in."""
    return [int(first + i * seconds - t0) // 60 for i, r in enumerate(rates) if r is not None]


def test_graphs_of_a_moved_instance_draw_every_host(cloud, monkeypatch):
    """What nova-manage vm graph draws (MonitorAPI.get_rates), a CloudWatch widget and
    what the new host's monitor publishes: the rows of the host it left, then its new
    host's."""
    uuid = cloud.boot()
    first = cloud.monitor()
    t0 = cloud.clock.now
    cloud.sample(first, 5)
    second = _move(cloud, uuid, HOST, 'mon-new')
    first.sample_instances(cloud.ctx)
    cloud.sample(second, 5)
    query = {'instance_uuid': uuid, 'metric': 'CPUUtilization', 'start': int(t0),
             'end': int(cloud.clock.now), 'resolution': 60}
    api = monitor_api.MonitorAPI(monitors=local.LocalArchives())
    [(row0, seconds, rates)] = api.get_rates(cloud.ctx, [query], any_project=True)
    drawn = _minutes(t0, row0, seconds, rates)
    assert drawn[0] <= 1 and drawn[-1] >= 8, drawn
    assert [r for r in rates if r is not None] == [pytest.approx(40.0)] * len(drawn)
    [alone] = local.LocalArchives().get_rates(cloud.ctx, 'mon-new', [query])
    assert min(_minutes(t0, *alone)) >= 5  # what the new host alone has

    # GetMetricWidgetImage, as the instance's project asks it
    number = db.ec2_id_get_or_create_many(cloud.ctx, 'i', [uuid])[uuid]
    widget = {'metrics': [['AWS/EC2', 'CPUUtilization', 'InstanceId', 'i-%08x' % number]],
              'start': _iso(t0), 'end': _iso(cloud.clock.now), 'period': 60}
    lines = []
    monkeypatch.setattr(graphs, 'render', lambda series, *args, **kwargs:
                        lines.extend(series) or b'PNG')
    cloudwatch_actions.get_metric_widget_image(cloudwatch_actions.Call(
        nova_context.RequestContext('u1', 'p1'), {'MetricWidget': json.dumps(widget)}, api))
    [(_label, row0, seconds, values)] = lines
    widget_minutes = _minutes(t0, row0, seconds, values)
    assert widget_minutes[0] <= 1 and widget_minutes[-1] >= 8, widget_minutes

    rendered = []
    monkeypatch.setattr(graphs, 'render_group', lambda group, period, queries, answers:
                        rendered.append((group, period, answers)) or b'PNG')
    others = local.LocalArchives()
    asked = []
    monkeypatch.setattr(others, 'get_rates', lambda ctxt, host, queries: asked.append(
        host) or local.LocalArchives().get_rates(ctxt, host, queries))
    graph_publisher = publisher.GraphPublisher('mon-new', second.store, others=others)
    monkeypatch.setattr(graph_publisher, '_put', lambda *args: None)
    assert graph_publisher.publish(cloud.ctx, now=cloud.clock.now) == 15
    assert asked == [HOST]  # one call for its fifteen graphs
    [cpu_hour] = [answers for group, period, answers in rendered
                  if (group, period) == ('cpu', 'hour')]
    published = _minutes(t0, *cpu_hour[0])
    assert published[0] <= 1 and published[-1] >= 8, published


def test_an_instance_back_on_a_host_it_left_keeps_its_older_series(cloud):
    """Back on its first host within the heartbeat: that host takes up the archive it
    set aside (one archive per host, its first minutes still answered), and the time
    spent on the other host is counted once (the archive's counters are cut)."""
    uuid = cloud.boot()
    first = cloud.monitor()
    t0 = cloud.clock.now
    cloud.sample(first, 5)  # minutes 0-4 on the first host
    second = _move(cloud, uuid, HOST, 'mon-new')
    first.sample_instances(cloud.ctx)
    cloud.sample(second, 2)  # minutes 5-6 on the other
    _move(cloud, uuid, 'mon-new', HOST)
    second.sample_instances(cloud.ctx)
    cloud.sample(first, 5)  # minutes 7-11 back on the first
    assert first.store.find(uuid) == first.store.path(uuid)
    assert not os.path.exists(first.store.path(uuid, deleted=True))
    api = monitor_api.MonitorAPI(monitors=local.LocalArchives())
    query = {'instance_uuid': uuid, 'metric': 'CPUUtilization', 'start': int(t0),
             'end': int(cloud.clock.now), 'period': 60,
             'statistics': ['SampleCount', 'Average']}

    def minutes():
        [points] = api.get_statistics(cloud.ctx, [query], any_project=True)
        assert [p['SampleCount'] for p in points] == [1.0] * len(points)  # none twice
        assert [p['Average'] for p in points] == [pytest.approx(40.0)] * len(points)
        return [int(p['Timestamp'] - t0) // 60 for p in points]
    assert minutes() == [0, 1, 2, 3, 5, 7, 8, 9, 10]
    # leaving again sets the one archive aside, its whole series with it
    _move(cloud, uuid, HOST, 'mon-new')
    first.sample_instances(cloud.ctx)
    cloud.sample(second, 2)
    assert minutes()[:9] == [0, 1, 2, 3, 5, 7, 8, 9, 10]


def test_a_moved_instance_keeps_its_history(cloud):
    """Its series on the host it left (kept as a deleted instance's there) and on its
    new host answer as one: statistics ask both monitors and merge."""
    uuid = cloud.boot()
    first = cloud.monitor()
    t0 = cloud.clock.now
    cloud.sample(first, 5)
    # live-migrated: the guest runs on 'mon-new', whose monitor samples it from now on
    second = _move(cloud, uuid, HOST, 'mon-new')
    first.sample_instances(cloud.ctx)  # puts its archive aside: the instance left
    assert first.store.find(uuid) == first.store.path(uuid, deleted=True)
    cloud.sample(second, 5)
    query = {'instance_uuid': uuid, 'metric': 'CPUUtilization', 'start': int(t0),
             'end': int(cloud.clock.now), 'period': 60, 'statistics': ['Average']}
    api = monitor_api.MonitorAPI(monitors=local.LocalArchives())
    # an older move from a host whose monitor is gone: its part is skipped
    db.migration_create(cloud.ctx, {'instance_uuid': uuid, 'source_compute': 'mon-gone',
                                    'dest_compute': HOST, 'status': 'completed',
                                    'migration_type': 'live-migration'})
    [points] = api.get_statistics(cloud.ctx, [query], any_project=True)
    at = [int(p['Timestamp'] - t0) // 60 for p in points]
    assert at[0] <= 1 and at[-1] >= 8, at  # from the first host's steps to the new one's
    assert all(set(p) == {'Timestamp', 'Unit', 'Average'} for p in points)
    assert [p['Average'] for p in points] == [pytest.approx(40.0)] * len(points)
    # the new host alone has only its own steps
    [alone] = local.LocalArchives().get_statistics(cloud.ctx, 'mon-new', [query])
    assert min(int(p['Timestamp'] - t0) // 60 for p in alone) >= 5
    # the hour period of the move adds both hosts' samples up
    [[hour]] = api.get_statistics(cloud.ctx, [dict(query, period=3600,
                                                   statistics=['SampleCount', 'Average'])],
                                  any_project=True)
    [[own]] = local.LocalArchives().get_statistics(
        cloud.ctx, 'mon-new', [dict(query, period=3600, statistics=['SampleCount'])])
    assert hour['SampleCount'] > own['SampleCount'] and hour['Average'] == pytest.approx(40.0)
