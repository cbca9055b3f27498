"""Server group and same/different host filters."""
from nova.scheduler.filters import affinity_filter
from tests.unit.scheduler import fakes
from tests.unit.scheduler.fakes import passes


def group(policy, hosts=(), members=()):
    return {'uuid': 'g1', 'policies': [policy], 'hosts': list(hosts), 'members': list(members)}


def test_affinity_sticks_to_the_group_hosts():
    affinity = affinity_filter.ServerGroupAffinityFilter()
    h1, h2 = fakes.host_state('h1'), fakes.host_state('h2')
    spec = fakes.spec(instance_group=group('affinity', ['h1']))
    assert passes(affinity, h1, spec) and not passes(affinity, h2, spec)
    empty = fakes.spec(instance_group=group('affinity'))
    assert passes(affinity, h1, empty) and passes(affinity, h2, empty)
    other = fakes.spec(instance_group=group('anti-affinity', ['h1']))
    assert passes(affinity, h2, other)


def test_anti_affinity_avoids_the_group_hosts():
    anti = affinity_filter.ServerGroupAntiAffinityFilter()
    h1, h2 = fakes.host_state('h1'), fakes.host_state('h2')
    spec = fakes.spec(instance_group=group('anti-affinity', ['h1']))
    assert not passes(anti, h1, spec) and passes(anti, h2, spec)
    assert passes(anti, h1, fakes.spec(instance_group=group('affinity', ['h1'])))
    assert passes(anti, h1, fakes.spec())


def test_anti_affinity_lets_an_instance_stay_where_it_is():
    anti = affinity_filter.ServerGroupAntiAffinityFilter()
    source = fakes.host_state('h1', instances=['moving'])
    spec = fakes.spec(instance_uuids=['moving'], instance_group=group('anti-affinity', ['h1']))
    assert passes(anti, source, spec)


def test_same_host_hint():
    same = affinity_filter.SameHostFilter()
    with_i1 = fakes.host_state('h1', instances=['i1', 'i5'])
    without = fakes.host_state('h2', instances=['i2'])
    spec = fakes.spec(scheduler_hints={'same_host': ['i1', 'i3']})
    assert passes(same, with_i1, spec) and not passes(same, without, spec)
    assert passes(same, without, fakes.spec())


def test_different_host_hint():
    different = affinity_filter.DifferentHostFilter()
    with_i1 = fakes.host_state('h1', instances=['i1'])
    without = fakes.host_state('h2', instances=['i2'])
    spec = fakes.spec(scheduler_hints={'different_host': 'i1'})
    assert not passes(different, with_i1, spec) and passes(different, without, spec)
    assert passes(different, with_i1, fakes.spec())
