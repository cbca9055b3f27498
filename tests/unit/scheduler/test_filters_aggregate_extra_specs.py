"""AggregateInstanceExtraSpecsFilter and the extra specs match operators."""
import pytest

from nova.scheduler.filters import aggregate_instance_extra_specs, extra_specs_ops
from tests.unit.scheduler import fakes
from tests.unit.scheduler.fakes import passes

FILTER = aggregate_instance_extra_specs.AggregateInstanceExtraSpecsFilter()


@pytest.mark.parametrize('value, requirement, ok', [
    ('ssd', 'ssd', True), ('ssd', 'hdd', False), (None, 'ssd', False),
    ('4', '= 2', True), ('1', '= 2', False), ('2', '== 2.0', True), ('2', '!= 2', False),
    ('8', '>= 8', True), ('8', '<= 7', False), ('x', '>= 1', False),
    ('fast ssd', '<in> ssd', True), ('fast', '<in> ssd', False),
    ('a b c', '<all-in> a c', True), ('a b', '<all-in> a c', False),
    ('b', '<or> a <or> b <or> c', True), ('d', '<or> a <or> b', False),
    ('abc', 's== abc', True), ('abc', 's!= abc', False), ('abc', 's< abd', True),
    ('abc', 's<= abc', True), ('abc', 's> abd', False), ('abd', 's>= abc', True),
    ('x', '>=', False), (None, '<or> a', False),
])
def test_match(value, requirement, ok):
    assert extra_specs_ops.match(value, requirement) is ok


def aggregates(*metadatas):
    return [{'id': i, 'metadata': metadata} for i, metadata in enumerate(metadatas)]


def test_scoped_and_unscoped_keys_must_match_aggregate_metadata():
    state = fakes.host_state(aggregates=aggregates({'ssd': 'true', 'gpus': '2'},
                                                   {'ssd': 'false'}))
    ok = fakes.spec(extra_specs={'aggregate_instance_extra_specs:ssd': 'true',
                                 'gpus': '>= 1'})
    assert passes(FILTER, state, ok)
    assert not passes(FILTER, state, fakes.spec(extra_specs={'gpus': '>= 4'}))
    assert not passes(FILTER, state, fakes.spec(extra_specs={'fpga': 'yes'}))


def test_other_scopes_and_no_specs_are_not_its_business():
    state = fakes.host_state()
    assert passes(FILTER, state, fakes.spec(extra_specs={'hw:cpu_policy': 'dedicated',
                                                         'quota:disk_read_bytes_sec': '1'}))
    assert passes(FILTER, state, fakes.spec())
