"""Which filters exist, and loading them by name."""
import pytest

from nova import exception
from nova.conf import CONF
from nova.scheduler import filters
from nova.scheduler.filters import compute_filter

EXPECTED = {'AvailabilityZoneFilter', 'ComputeFilter', 'RamFilter', 'CoreFilter', 'DiskFilter',
            'ImagePropertiesFilter', 'ServerGroupAffinityFilter',
            'ServerGroupAntiAffinityFilter', 'AggregateInstanceExtraSpecsFilter',
            'SameHostFilter', 'DifferentHostFilter', 'JsonFilter', 'RetryFilter',
            'CapacityFilter', 'CapabilitiesFilter'}  # the last two place volumes


def test_all_filters():
    assert {cls.__name__ for cls in filters.all_filters()} == EXPECTED


def test_default_filters_load_in_order():
    loaded = filters.load_filters(CONF.scheduler_default_filters)
    assert [f.name for f in loaded] == CONF.scheduler_default_filters


def test_unknown_filter_names_the_choices():
    CONF.set_override('scheduler_available_filters',
                      ['nova.scheduler.filters.compute_filter.ComputeFilter'])
    assert list(filters.available_filters()) == ['ComputeFilter']
    with pytest.raises(exception.SchedulerHostFilterNotFound) as e:
        filters.load_filters(['ComputeFilter', 'RamFilter'])
    assert 'RamFilter could not be found; available: ComputeFilter' in str(e.value)
    assert isinstance(filters.load_filters(['ComputeFilter'])[0], compute_filter.ComputeFilter)


@pytest.mark.parametrize('cls', filters.all_filters(), ids=lambda cls: cls.__name__)
def test_filters_that_depend_only_on_the_request_say_so(cls):
    once = {'AvailabilityZoneFilter', 'ComputeFilter', 'ImagePropertiesFilter',
            'AggregateInstanceExtraSpecsFilter', 'SameHostFilter', 'DifferentHostFilter',
            'RetryFilter', 'CapabilitiesFilter'}
    assert cls.run_filter_once_per_request is (cls.__name__ in once)


def test_bad_available_filters_path_is_a_config_error():
    CONF.set_override('scheduler_available_filters', ['nova.scheduler.filters.NoSuchFilter'])
    with pytest.raises(exception.ConfigError, match='scheduler_available_filters'):
        filters.load_filters(['RamFilter'])
