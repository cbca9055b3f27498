"""FilterScheduler: placement, spreading, claims, groups, retries and NoValidHost reasons."""
import collections
import random
import threading

import pytest

from nova import exception
from nova.conf import CONF
from nova.scheduler import filters, filter_scheduler
from nova.scheduler.request_spec import RequestSpec
from tests.unit.scheduler import fakes


def scheduler(*nodes, **kwargs):
    hm = fakes.manager(*nodes, **kwargs)
    return filter_scheduler.FilterScheduler(hm), hm


def three_hosts(**values):
    return [fakes.compute_node('h%d' % i, **values) for i in (1, 2, 3)]


def hosts_of(dests):
    return collections.Counter(d['host'] for d in dests)


def test_one_instance_gets_a_node_and_its_limits():
    sched, hm = scheduler(fakes.compute_node('h1', 'n1'))
    [dest] = sched.select_destinations(None, fakes.spec().to_dict())
    assert dest == {'host': 'h1', 'nodename': 'n1',
                    'limits': {'memory_mb': 8192 * 1.5, 'vcpu': 128, 'disk_gb': 100.0}}
    assert hm.get_all_host_states()[0].free_ram_mb == 8192 - 512


def test_the_host_with_most_room_wins_and_negative_multipliers_stack():
    nodes = [fakes.compute_node('full', memory_mb_used=4096),
             fakes.compute_node('empty'), fakes.compute_node('half', memory_mb_used=2048)]
    sched, _ = scheduler(*nodes)
    assert sched.select_destinations(None, fakes.spec())[0]['host'] == 'empty'
    CONF.set_override('ram_weight_multiplier', -1.0)
    sched, _ = scheduler(*nodes)
    assert sched.select_destinations(None, fakes.spec())[0]['host'] == 'full'


def test_instances_of_one_request_spread_over_equal_hosts():
    sched, _ = scheduler(*three_hosts())
    dests = sched.select_destinations(None, fakes.spec(instance_uuids=list('abcdef')))
    assert hosts_of(dests) == {'h1': 2, 'h2': 2, 'h3': 2}


def test_a_hundred_instances_in_one_request_never_overcommit():
    # 8192 MB * 1.0 per host: 8 instances of 1 GB each, 24 in all
    CONF.set_override('ram_allocation_ratio', 1.0)
    sched, hm = scheduler(*three_hosts())
    dests = sched.select_destinations(None, fakes.spec(memory_mb=1024, num_instances=24))
    assert hosts_of(dests) == {'h1': 8, 'h2': 8, 'h3': 8}
    assert all(s.free_ram_mb == 0 for s in hm.get_all_host_states())
    with pytest.raises(exception.NoValidHost):
        sched.select_destinations(None, fakes.spec(memory_mb=1024))

    sched, hm = scheduler(*three_hosts(memory_mb=65536))
    dests = sched.select_destinations(None, fakes.spec(memory_mb=1024, num_instances=100))
    assert len(dests) == 100 and max(hosts_of(dests).values()) - min(
        hosts_of(dests).values()) <= 1
    assert all(s.free_ram_mb >= 0 for s in hm.get_all_host_states())


def test_a_request_that_does_not_fit_claims_nothing_and_explains():
    CONF.set_override('ram_allocation_ratio', 1.0)
    sched, hm = scheduler(*three_hosts())
    with pytest.raises(exception.NoValidHost) as e:
        sched.select_destinations(None, fakes.spec(memory_mb=1024, num_instances=25))
    assert str(e.value) == ('No valid host was found. There are not enough hosts available. '
                            '3 hosts: RamFilter removed 3 (placing instance 25 of 25)')
    assert all(s.free_ram_mb == 8192 and s.num_instances == 0
               for s in hm.get_all_host_states())


def test_no_valid_host_counts_what_each_filter_removed():
    aggregates = [{'id': 1, 'metadata': {'availability_zone': 'z1'}, 'hosts': ['h1', 'h2', 'h3']}]
    nodes = three_hosts() + [fakes.compute_node('h4')]
    nodes[0]['memory_mb_used'] = nodes[1]['memory_mb_used'] = 8192
    sched, _ = scheduler(*nodes, aggregates=aggregates)
    with pytest.raises(exception.NoValidHost) as e:
        sched.select_destinations(None, fakes.spec(memory_mb=8192, vcpus=9,
                                                   availability_zone='z1'))
    assert e.value.kwargs['reason'] == (
        'There are not enough hosts available. 4 hosts: AvailabilityZoneFilter removed 1, '
        'RamFilter removed 2, CoreFilter removed 1')
    nodes[2]['vcpus'] = 0  # CoreFilter lets it through now
    sched, _ = scheduler(*nodes, aggregates=aggregates)
    [dest] = sched.select_destinations(None, fakes.spec(memory_mb=8192, vcpus=9,
                                                        availability_zone='z1'))
    assert dest['host'] == 'h3'
    sched, _ = scheduler()
    with pytest.raises(exception.NoValidHost, match=r'available\. 0 hosts$'):
        sched.select_destinations(None, fakes.spec())


def test_down_and_disabled_hosts_are_never_chosen():
    services = [fakes.service('h1', is_up=False), fakes.service('h2', disabled=True),
                fakes.service('h3')]
    sched, _ = scheduler(*three_hosts(), services=services)
    dests = sched.select_destinations(None, fakes.spec(num_instances=5))
    assert hosts_of(dests) == {'h3': 5}


def test_anti_affinity_within_one_request():
    sched, _ = scheduler(*three_hosts())
    group = {'uuid': 'g', 'policies': ['anti-affinity'], 'hosts': [], 'members': []}
    spec = RequestSpec.from_dict({'instance_uuids': ['a', 'b', 'c'], 'instance_group': group})
    dests = sched.select_destinations(None, spec)
    assert sorted(d['host'] for d in dests) == ['h1', 'h2', 'h3']
    assert spec.group_hosts == {'h1', 'h2', 'h3'} and spec.group_members == {'a', 'b', 'c'}
    with pytest.raises(exception.NoValidHost, match='ServerGroupAntiAffinityFilter removed 3'):
        sched.select_destinations(None, {'instance_uuids': ['d'], 'instance_group': dict(
            group, hosts=['h1', 'h2', 'h3'])})


def test_anti_affinity_with_existing_members_and_rollback_of_group_hosts():
    sched, _ = scheduler(*three_hosts())
    group = {'uuid': 'g', 'policies': ['anti-affinity'], 'hosts': ['h2'], 'members': ['old']}
    spec = RequestSpec.from_dict({'instance_uuids': ['a', 'b', 'c'], 'instance_group': group})
    with pytest.raises(exception.NoValidHost, match='placing instance 3 of 3'):
        sched.select_destinations(None, spec)
    assert spec.group_hosts == {'h2'} and spec.group_members == {'old'}
    dests = sched.select_destinations(
        None, dict(spec.to_dict(), instance_uuids=['a', 'b'], num_instances=2))
    assert sorted(d['host'] for d in dests) == ['h1', 'h3']


def test_affinity_within_one_request_and_with_existing_members():
    sched, _ = scheduler(*three_hosts())
    group = {'uuid': 'g', 'policies': ['affinity'], 'hosts': [], 'members': []}
    dests = sched.select_destinations(None, {'num_instances': 4, 'instance_group': group})
    assert len(hosts_of(dests)) == 1
    dests = sched.select_destinations(None, {'num_instances': 2, 'instance_group': dict(
        group, hosts=['h3'])})
    assert hosts_of(dests) == {'h3': 2}


def test_soft_anti_affinity_spreads_but_never_fails():
    sched, _ = scheduler(fakes.compute_node('h1'), fakes.compute_node('h2', memory_mb=65536))
    group = {'uuid': 'g', 'policies': ['soft-anti-affinity'], 'hosts': [], 'members': []}
    CONF.set_override('soft_anti_affinity_weight_multiplier', 100.0)
    dests = sched.select_destinations(None, {'instance_uuids': ['a', 'b', 'c'],
                                             'instance_group': group})
    assert hosts_of(dests) == {'h2': 2, 'h1': 1}


def test_retry_skips_the_nodes_already_tried():
    sched, _ = scheduler(*three_hosts())
    spec = {'retry': {'num_attempts': 3, 'hosts': [['h1', 'h1'], ['h2', 'h2']]}}
    assert sched.select_destinations(None, spec)[0]['host'] == 'h3'
    spec['retry']['hosts'].append(['h3', 'h3'])
    with pytest.raises(exception.NoValidHost, match='3 hosts: RetryFilter removed 3$'):
        sched.select_destinations(None, spec)


def test_subset_size_picks_at_random_among_the_best(monkeypatch):
    CONF.set_override('scheduler_host_subset_size', 2)
    nodes = [fakes.compute_node('h%d' % i, memory_mb_used=1024 * i) for i in range(4)]
    sched, _ = scheduler(*nodes)
    offered = []
    monkeypatch.setattr(random, 'choice', lambda seq: offered.append(list(seq)) or seq[-1])
    assert sched.select_destinations(None, fakes.spec())[0]['host'] == 'h1'
    assert offered == [[0, 1]]


def test_forced_hosts_skip_the_filters_and_ignored_hosts_are_out():
    services = [fakes.service('h1', disabled=True), fakes.service('h2'), fakes.service('h3')]
    sched, _ = scheduler(*three_hosts(), services=services)
    assert sched.select_destinations(None, {'force_hosts': ['h1']})[0]['host'] == 'h1'
    assert sched.select_destinations(None, {'force_nodes': ['h1']})[0]['host'] == 'h1'
    with pytest.raises(exception.NoValidHost, match='force_hosts removed 3'):
        sched.select_destinations(None, {'force_hosts': ['nowhere']})
    dests = sched.select_destinations(None, {'ignore_hosts': ['h2'], 'num_instances': 2})
    assert hosts_of(dests) == {'h3': 2}
    with pytest.raises(exception.NoValidHost,
                       match='3 hosts: ignore_hosts removed 2, ComputeFilter removed 1$'):
        sched.select_destinations(None, {'ignore_hosts': ['h2', 'h3']})


class CountingFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True
    calls = 0

    def host_passes(self, host_state, spec):
        CountingFilter.calls += 1
        return True


def test_request_level_filters_run_once_per_request():
    hm = fakes.manager(*three_hosts())
    sched = filter_scheduler.FilterScheduler(hm, filters=[CountingFilter()], weighers=[])
    sched.select_destinations(None, {'num_instances': 10})
    assert CountingFilter.calls == 3


def test_filters_and_weighers_come_from_the_flags():
    CONF.set_override('scheduler_default_filters', ['RamFilter'])
    CONF.set_override('scheduler_weight_classes',
                      ['nova.scheduler.weights.resources.DiskWeigher'])
    sched, _ = scheduler(*three_hosts())
    assert [f.name for f in sched.filters] == ['RamFilter']
    assert [w.name for w in sched.weighers] == ['DiskWeigher']
    [dest] = sched.select_destinations(None, fakes.spec())
    assert dest['limits'] == {'memory_mb': 8192 * 1.5}


def test_concurrent_requests_never_overcommit():
    CONF.set_override('ram_allocation_ratio', 1.0)
    sched, hm = scheduler(*three_hosts())  # room for 24 instances of 1 GB
    outcomes = []

    def boot():
        try:
            outcomes.append(sched.select_destinations(None, fakes.spec(memory_mb=1024))[0])
        except exception.NoValidHost:
            outcomes.append(None)

    threads = [threading.Thread(target=boot) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    placed = [dest for dest in outcomes if dest]
    assert len(placed) == 24 and hosts_of(placed) == {'h1': 8, 'h2': 8, 'h3': 8}
    assert all(s.free_ram_mb == 0 for s in hm.get_all_host_states())


def test_required_capabilities_come_from_each_host_report_and_bind_forced_hosts():
    sched, _ = scheduler(
        fakes.compute_node('old'),  # reported no capabilities (a release before 0007)
        fakes.compute_node('slim', capabilities={'supports_resize': False}),
        fakes.compute_node('full', capabilities='{"supports_resize": true}'))
    needs = dict(required_capabilities=['supports_resize'])
    for _ in range(5):
        assert sched.select_destinations(None, fakes.spec(**needs))[0]['host'] == 'full'
    with pytest.raises(exception.NoValidHost) as refused:
        sched.select_destinations(None, fakes.spec(force_hosts=['slim'], **needs))
    assert 'required_capabilities removed 2' in str(refused.value)
    assert {d['host'] for d in sched.select_destinations(
        None, fakes.spec(num_instances=3))} <= {'old', 'slim', 'full'}  # boots ask nothing
