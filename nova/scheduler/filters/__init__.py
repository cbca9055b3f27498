"""Host filters: each one removes the hosts that cannot take an instance of a request.

A filter answers ``host_passes(host_state, spec)`` for one host; the scheduler
calls ``filter_all(host_states, spec)``, which filters override with a list
comprehension over precomputed attributes (or return the list untouched when
the request does not concern them), because one request may face 10,000 hosts.
Filters whose answer cannot change while a request places its instances set
``run_filter_once_per_request`` and run once per request instead of once per
instance.
"""
import abc
import importlib

from nova import exception
from nova import utils
from nova.conf import CONF

_FILTER_MODULES = ('affinity_filter', 'aggregate_instance_extra_specs',
                   'availability_zone_filter', 'capacity_filter', 'compute_filter',
                   'image_props_filter', 'json_filter', 'resource_filter', 'retry_filter')


class BaseHostFilter(abc.ABC):
    """One filter; ``name`` (its class name) is what scheduler_default_filters lists."""

    run_filter_once_per_request = False

    @property
    def name(self):
        return type(self).__name__

    @abc.abstractmethod
    def host_passes(self, host_state, spec):
        """True when ``host_state`` can take one instance of ``spec`` (a RequestSpec)."""

    def filter_all(self, host_states, spec):
        """The hosts that pass, as a list (possibly ``host_states`` itself)."""
        passes = self.host_passes
        return [host for host in host_states if passes(host, spec)]

    def limits(self, host_state):
        """What the chosen host's compute must enforce for this filter's resource."""
        return {}


def all_filters():
    """Every filter class Nova ships (the default scheduler_available_filters)."""
    classes = []
    for module_name in _FILTER_MODULES:
        module = importlib.import_module('%s.%s' % (__name__, module_name))
        classes.extend(obj for name, obj in vars(module).items()
                       if isinstance(obj, type) and issubclass(obj, BaseHostFilter)
                       and obj.__module__ == module.__name__ and not name.startswith('_'))
    return classes


def available_filters():
    """{class name: class} for every entry of scheduler_available_filters."""
    found = {}
    for path in CONF.scheduler_available_filters:
        try:
            obj = utils.import_class(path)
        except ImportError as e:
            raise exception.ConfigError(reason='scheduler_available_filters: %s' % e) from e
        for cls in (obj() if not isinstance(obj, type) else [obj]):
            found[cls.__name__] = cls
    return found


def load_filters(names):
    """Instances of the named filters, in order; SchedulerHostFilterNotFound if one is missing."""
    available = available_filters()
    loaded = []
    for name in names:
        if name not in available:
            raise exception.SchedulerHostFilterNotFound(
                filter_name=name, available=', '.join(sorted(available)))
        loaded.append(available[name]())
    return loaded
