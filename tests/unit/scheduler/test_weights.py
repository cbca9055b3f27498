"""Weighers: raw values, normalisation, multipliers and the soft group policies."""
import pytest

from nova import exception
from nova.conf import CONF
from nova.scheduler import weights
from nova.scheduler.weights import affinity, resources
from tests.unit.scheduler import fakes


def hosts():
    return [fakes.host_state('small', memory_mb=2048, vcpus=4, local_gb=500),
            fakes.host_state('big', memory_mb=16384, vcpus=2, local_gb=50),
            fakes.host_state('mid', memory_mb=4096, vcpus=8, local_gb=100)]


def test_all_weighers_are_the_default():
    names = {w.name for w in weights.load_weighers()}
    assert names == {'RAMWeigher', 'CPUWeigher', 'DiskWeigher',
                     'ServerGroupSoftAffinityWeigher', 'ServerGroupSoftAntiAffinityWeigher'}


def test_bad_weigher_path_is_a_config_error():
    with pytest.raises(exception.ConfigError, match='scheduler_weight_classes'):
        weights.load_weighers(['nova.scheduler.weights.NoSuchWeigher'])


def test_raw_values():
    states = hosts()
    states[0].consume(fakes.spec(memory_mb=1024, vcpus=3, root_gb=10))
    spec = fakes.spec()
    assert resources.RAMWeigher().weigh_all(states, spec) == [1024, 16384, 4096]
    assert resources.CPUWeigher().weigh_all(states, spec) == [61, 32, 128]
    assert resources.DiskWeigher().weigh_all(states, spec) == [490 * 1024, 50 * 1024,
                                                              100 * 1024]


def test_normalised_between_zero_and_one_times_the_multiplier():
    totals = weights.weigh([resources.RAMWeigher()], hosts(), fakes.spec())
    assert totals == [0.0, 1.0, pytest.approx((4096 - 2048) / (16384 - 2048))]
    CONF.set_override('ram_weight_multiplier', -2.0)
    totals = weights.weigh([resources.RAMWeigher()], hosts(), fakes.spec())
    assert totals == [0.0, -2.0, pytest.approx(-2.0 * 2048 / 14336)]


def test_weighers_add_up_after_normalisation():
    weighers = [resources.RAMWeigher(), resources.CPUWeigher(), resources.DiskWeigher()]
    ram = [0, 1, 2048 / 14336]
    cpu = [(64 - 32) / 96, 0, 1]
    disk = [1, 0, 50 / 450]
    expected = [sum(parts) for parts in zip(ram, cpu, disk)]
    assert weights.weigh(weighers, hosts(), fakes.spec()) == pytest.approx(expected)
    CONF.set_override('disk_weight_multiplier', 0.0)
    expected = [r + c for r, c in zip(ram, cpu)]
    assert weights.weigh(weighers, hosts(), fakes.spec()) == pytest.approx(expected)


def test_equal_hosts_all_weigh_zero():
    states = [fakes.host_state('a'), fakes.host_state('b')]
    assert weights.weigh([resources.RAMWeigher()], states, fakes.spec()) == [0.0, 0.0]
    assert weights.weigh([], states, fakes.spec()) == [0.0, 0.0]


def test_fixed_bounds_replace_the_observed_ones():
    class Bounded(resources.RAMWeigher):
        minval, maxval = 0, 32768

    assert weights.weigh([Bounded()], hosts(), fakes.spec()) == [2048 / 32768, 0.5,
                                                                 4096 / 32768]


def group_spec(policy):
    return fakes.spec(instance_group={'uuid': 'g', 'policies': [policy], 'hosts': ['a', 'b'],
                                      'members': ['m1', 'm2', 'm3']})


def test_soft_affinity_prefers_hosts_with_more_members():
    states = [fakes.host_state('a', instances=['m1', 'x']),
              fakes.host_state('b', instances=['m2', 'm3']), fakes.host_state('c')]
    soft = affinity.ServerGroupSoftAffinityWeigher()
    assert soft.weigh_all(states, group_spec('soft-affinity')) == [1, 2, 0]
    assert weights.weigh([soft], states, group_spec('soft-affinity')) == [0.5, 1.0, 0.0]
    assert soft.weigh_all(states, group_spec('soft-anti-affinity')) is None
    CONF.set_override('soft_affinity_weight_multiplier', 2.0)
    assert weights.weigh([soft], states, group_spec('soft-affinity')) == [1.0, 2.0, 0.0]


def test_soft_anti_affinity_prefers_hosts_with_fewer_members():
    states = [fakes.host_state('a', instances=['m1']),
              fakes.host_state('b', instances=['m2', 'm3']), fakes.host_state('c')]
    soft = affinity.ServerGroupSoftAntiAffinityWeigher()
    assert soft.weigh_all(states, group_spec('soft-anti-affinity')) == [-1, -2, 0]
    assert weights.weigh([soft], states, group_spec('soft-anti-affinity')) == [0.5, 0.0, 1.0]
    assert soft.weigh_all(states, fakes.spec()) is None
