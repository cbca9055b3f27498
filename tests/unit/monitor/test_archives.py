"""Round-robin archives and the CloudWatch statistics read from them, on exact times."""
import os

import pytest

from nova.monitor import archives, metrics, statistics

STEP = 60
T0 = 1_800_000_000  # a multiple of 60 and of 300


def _counters(seconds, cpu_percent=25.0, net_in=2048):
    """Cumulative counters of a 2-vCPU guest busy at cpu_percent, receiving net_in B/s."""
    return metrics.counters({
        'cpu_time_ns': int(seconds * cpu_percent / 100 * 2 * 1e9), 'vcpus': 2,
        'disk_read_bytes': seconds * 100, 'disk_read_requests': seconds,
        'disk_write_bytes': 0, 'disk_write_requests': 0,
        'vifs': [{'id': 'v', 'rx_bytes': seconds * net_in, 'rx_packets': seconds * 2,
                  'tx_bytes': 0, 'tx_packets': 0}]})


@pytest.fixture
def store(tmp_path):
    return archives.ArchiveStore(str(tmp_path), 'host1', STEP)


def _feed(store, uuid, steps, start=T0, **load):
    for n in steps:
        store.update(uuid, start + n * STEP, _counters(n * STEP, **load))


def test_layout_and_archives(store, tmp_path):
    path = store.create('u1', T0)
    assert path == os.path.join(str(tmp_path), 'host1', 'u1.rrd')
    assert store.live_uuids() == {'u1'}
    assert not [n for n in os.listdir(store.dir) if n.startswith('.tmp')]
    defs = archives.rra_definitions(STEP)
    # AVERAGE, MIN and MAX for an hour at the step, then a day, a week, a month, a year
    assert [d for d in defs if d.startswith('RRA:AVERAGE')] == [
        'RRA:AVERAGE:0.5:1:60', 'RRA:AVERAGE:0.5:5:288', 'RRA:AVERAGE:0.5:30:336',
        'RRA:AVERAGE:0.5:120:372', 'RRA:AVERAGE:0.5:1440:366']
    assert len(defs) == 15


def test_statistics_equal_the_load(store):
    _feed(store, 'u1', range(0, 11))
    path = store.find('u1')
    cpu = metrics.METRICS['CPUUtilization']
    points = statistics.datapoints(store, path, cpu, T0, T0 + 600, 300, metrics.STATISTICS)
    assert [p['Timestamp'] for p in points] == [T0, T0 + 300]
    for point in points:
        assert point['SampleCount'] == 5.0
        assert point['Average'] == pytest.approx(25.0)
        assert point['Minimum'] == pytest.approx(25.0)
        assert point['Maximum'] == pytest.approx(25.0)
        assert point['Sum'] == pytest.approx(125.0)
        assert point['Unit'] == 'Percent'
    net = metrics.METRICS['NetworkIn']
    [point] = statistics.datapoints(store, path, net, T0, T0 + 300, 300, ['Sum', 'Average'])
    assert point == {'Timestamp': T0, 'Unit': 'Bytes', 'Sum': pytest.approx(2048 * 300),
                     'Average': pytest.approx(2048 * 60)}  # bytes per sampling step


def test_only_requested_statistics_and_empty_periods(store):
    _feed(store, 'u1', range(0, 4))
    points = statistics.datapoints(store, store.find('u1'), metrics.METRICS['DiskReadOps'],
                                   T0 - 3600, T0 + 3600, 60, ['Maximum'])
    assert [p['Timestamp'] for p in points] == [T0, T0 + 60, T0 + 120]
    assert set(points[0]) == {'Timestamp', 'Unit', 'Maximum'}
    assert points[0]['Maximum'] == pytest.approx(60.0)  # one op per second, per step


def test_a_silence_is_a_gap_of_its_length_only(store):
    """The monitor stopped for 10 steps: exactly those rows are unknown, and the
    series goes on with the counters kept in the archive."""
    _feed(store, 'u1', range(0, 6))
    store = archives.ArchiveStore(os.path.dirname(store.dir), 'host1', STEP)  # a restart
    _feed(store, 'u1', range(16, 22))
    first, seconds, rates = statistics.rates(store, store.find('u1'),
                                             metrics.METRICS['CPUUtilization'],
                                             T0, T0 + 21 * STEP, STEP)
    assert (first, seconds) == (T0, STEP)
    known = [i for i, rate in enumerate(rates) if rate is not None]
    assert known == [0, 1, 2, 3, 4, 16, 17, 18, 19, 20]
    assert all(rates[i] == pytest.approx(25.0) for i in known)


def test_a_counter_going_back_is_one_unknown_interval(store):
    for n in range(0, 4):
        store.update('u1', T0 + n * STEP, _counters(n * STEP))
    for n in range(4, 8):  # the guest restarted: counters from zero again
        store.update('u1', T0 + n * STEP, _counters((n - 4) * STEP))
    _, _, rates = statistics.rates(store, store.find('u1'), metrics.METRICS['NetworkIn'],
                                   T0, T0 + 7 * STEP, STEP)
    assert rates[3] is None
    assert [r for r in rates if r is not None] == [pytest.approx(2048)] * 6


def test_a_sample_not_after_the_last_is_refused(store):
    assert store.update('u1', T0, _counters(0))
    assert not store.update('u1', T0, _counters(1))


def test_deleted_archives_are_kept_then_purged(store):
    _feed(store, 'u1', range(0, 3))
    assert store.archive('u1', now=T0)
    assert store.live_uuids() == set()
    assert store.find('u1') == store.path('u1', deleted=True)
    assert store.purge(keep_seconds=86400, now=T0 + 3600) == []
    assert store.purge(keep_seconds=86400, now=T0 + 86400) == ['u1']
    assert store.find('u1') is None


def test_a_long_range_keeps_the_last_hour_at_step_resolution(store):
    """Three hours asked at 60 s: older rows come from the 5-minute archive, the last
    hour from the step archive, and no sample is counted twice."""
    _feed(store, 'u1', range(0, 181))
    points = statistics.datapoints(store, store.find('u1'), metrics.METRICS['NetworkIn'],
                                   T0, T0 + 180 * STEP, 60, ['SampleCount', 'Average'])
    total = sum(p['SampleCount'] for p in points)
    assert total == 180
    assert all(p['Average'] == pytest.approx(2048 * 60) for p in points)
    last_hour = [p for p in points if p['Timestamp'] >= T0 + 121 * STEP]
    assert [p['SampleCount'] for p in last_hour] == [1.0] * len(last_hour) and last_hour


def test_the_current_period_counts_every_sample_so_far(store):
    """Three days of samples, ending 3 h 7 min into a day: a daily datapoint of today
    holds all 187 of its samples (from the 5-minute and step rows), hourly and 5-minute
    ones hold theirs, and nothing is counted twice or lost where two archives meet."""
    day = 86400
    end = T0 - T0 % day + 3 * 3600 + 7 * 60
    start = end - 3 * day
    _feed(store, 'u1', range(0, 3 * day // STEP + 1), start=start)
    path = store.find('u1')

    def counts(period, span):
        since = end - span - (end - span) % period
        points = statistics.datapoints(store, path, metrics.METRICS['NetworkIn'], since,
                                       end, period, ['SampleCount', 'Average'])
        assert all(p['Average'] == pytest.approx(2048 * 60) for p in points)
        return [int(p['SampleCount']) for p in points]
    assert counts(day, 2 * day) == [1440, 1440, 187]
    assert counts(3600, 6 * 3600) == [60] * 6 + [7]
    assert counts(300, 3 * 3600) == [5] * 36 + [2]
