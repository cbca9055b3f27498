"""Resource, compute, zone and retry filters."""
import pytest

from nova.conf import CONF
from nova.scheduler.filters import (availability_zone_filter, compute_filter, resource_filter,
                                    retry_filter)
from tests.unit.scheduler import fakes
from tests.unit.scheduler.fakes import passes


def test_ram_filter_overcommits_by_the_ratio():
    ram = resource_filter.RamFilter()
    state = fakes.host_state(memory_mb=1024, memory_mb_used=1024)  # limit 1536
    assert passes(ram, state, fakes.spec(memory_mb=512))
    assert not passes(ram, state, fakes.spec(memory_mb=513))
    assert ram.limits(state) == {'memory_mb': 1536}
    CONF.set_override('ram_allocation_ratio', 1.0)
    assert not passes(ram, fakes.host_state(memory_mb=1024, memory_mb_used=1024),
                      fakes.spec(memory_mb=1))


def test_ram_filter_sees_claims():
    ram = resource_filter.RamFilter()
    state = fakes.host_state(memory_mb=1024, ram_allocation_ratio=1.0)
    spec = fakes.spec(memory_mb=1024)
    assert passes(ram, state, spec)
    state.consume(spec)
    assert not passes(ram, state, spec)


def test_core_filter():
    core = resource_filter.CoreFilter()
    state = fakes.host_state(vcpus=2, vcpus_used=30)  # limit 32
    assert passes(core, state, fakes.spec(vcpus=2))
    assert not passes(core, state, fakes.spec(vcpus=3))
    assert core.limits(state) == {'vcpu': 32}
    # never more vCPUs than the host has, whatever the ratio
    assert not passes(core, fakes.host_state(vcpus=2), fakes.spec(vcpus=3))


def test_core_filter_passes_hosts_that_report_no_vcpus():
    core = resource_filter.CoreFilter()
    state = fakes.host_state(vcpus=0)
    assert passes(core, state, fakes.spec(vcpus=64))
    assert core.limits(state) == {}


def test_disk_filter_counts_root_ephemeral_and_swap():
    disk = resource_filter.DiskFilter()
    state = fakes.host_state(local_gb=10, local_gb_used=4)
    assert passes(disk, state, fakes.spec(root_gb=5, ephemeral_gb=1))
    assert not passes(disk, state, fakes.spec(root_gb=5, ephemeral_gb=1, swap=1))
    assert disk.limits(state) == {'disk_gb': 10.0}
    CONF.set_override('disk_allocation_ratio', 2.0)
    assert passes(disk, fakes.host_state(local_gb=10, local_gb_used=10), fakes.spec(root_gb=10))


@pytest.mark.parametrize('service_values, ok', [
    ({}, True), ({'is_up': False}, False), ({'disabled': True}, False),
    ({'forced_down': True}, False)])
def test_compute_filter(service_values, ok):
    state = fakes.host_state(service_values=service_values)
    assert passes(compute_filter.ComputeFilter(), state, fakes.spec()) is ok


def test_availability_zone_filter():
    az = availability_zone_filter.AvailabilityZoneFilter()
    zoned = fakes.host_state(aggregates=[{'id': 1, 'metadata': {'availability_zone': 'z1'}}])
    plain = fakes.host_state()
    assert passes(az, zoned, fakes.spec(availability_zone='z1'))
    assert not passes(az, plain, fakes.spec(availability_zone='z1'))
    assert passes(az, plain, fakes.spec(availability_zone='nova'))
    assert not passes(az, zoned, fakes.spec(availability_zone='nova'))
    assert passes(az, zoned, fakes.spec()) and passes(az, plain, fakes.spec())


def test_retry_filter_skips_tried_nodes():
    retry = retry_filter.RetryFilter()
    spec = fakes.spec(retry={'num_attempts': 2, 'hosts': [['h1', 'n1']]})
    assert not passes(retry, fakes.host_state('h1', 'n1'), spec)
    assert passes(retry, fakes.host_state('h1', 'n2'), spec)
    assert passes(retry, fakes.host_state('h1', 'n1'), fakes.spec())
