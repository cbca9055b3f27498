"""ChanceScheduler, and choosing a scheduler by flag."""
import random

import pytest

from nova import exception
from nova.conf import CONF
from nova.scheduler import chance, driver, filter_scheduler
from tests.unit.scheduler import fakes


def test_random_among_up_enabled_hosts_without_capacity_checks(monkeypatch):
    nodes = [fakes.compute_node('h%d' % i, memory_mb=256) for i in range(1, 5)]
    services = [fakes.service('h1'), fakes.service('h2', is_up=False),
                fakes.service('h3', disabled=True), fakes.service('h4')]
    hm = fakes.manager(*nodes, services=services)
    offered = []
    monkeypatch.setattr(random, 'choice', lambda seq: offered.append(seq) or seq[-1])
    dests = chance.ChanceScheduler(hm).select_destinations(
        None, fakes.spec(memory_mb=1024, num_instances=2))
    assert [d['host'] for d in dests] == ['h4', 'h4']
    assert [[s.host for s in seq] for seq in offered] == [['h1', 'h4'], ['h1', 'h4']]
    assert dests[0]['limits'] == {} and hm.get_all_host_states()[3].num_instances == 2


def test_honours_retry_and_zone_and_explains_failures():
    aggregates = [{'id': 1, 'metadata': {'availability_zone': 'z1'}, 'hosts': ['h1']}]
    hm = fakes.manager(fakes.compute_node('h1'), fakes.compute_node('h2'),
                       aggregates=aggregates)
    sched = chance.ChanceScheduler(hm)
    assert sched.select_destinations(None, {'availability_zone': 'z1'})[0]['host'] == 'h1'
    retry = {'num_attempts': 2, 'hosts': [['h1', 'h1']]}
    assert sched.select_destinations(None, {'retry': retry})[0]['host'] == 'h2'
    with pytest.raises(exception.NoValidHost) as e:
        sched.select_destinations(None, {'retry': retry, 'availability_zone': 'z1'})
    assert e.value.kwargs['reason'] == ('There are not enough hosts available. 2 hosts: '
                                        'RetryFilter removed 1, AvailabilityZoneFilter removed 1')


def test_load_scheduler_by_flag():
    hm = fakes.manager()
    assert type(driver.load_scheduler(hm)) is filter_scheduler.FilterScheduler
    CONF.set_override('scheduler_driver', 'chance')
    assert type(driver.load_scheduler(hm)) is chance.ChanceScheduler
    path = 'nova.scheduler.chance.ChanceScheduler'
    assert type(driver.load_scheduler(hm, path)).__name__ == 'ChanceScheduler'
    with pytest.raises(exception.ConfigError, match='scheduler_driver nova.nowhere.Sched'):
        driver.load_scheduler(hm, 'nova.nowhere.Sched')
    with pytest.raises(exception.ConfigError, match='is not a nova.scheduler.driver.Scheduler'):
        driver.load_scheduler(hm, 'nova.scheduler.host_manager.HostManager')
