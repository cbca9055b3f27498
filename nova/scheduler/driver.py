"""The scheduler interface, and the --scheduler_driver loader."""
import abc

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.conf.scheduler import SCHEDULER_DRIVERS


class Scheduler(abc.ABC):
    """Chooses compute nodes from a HostManager's view of them."""

    def __init__(self, host_manager):
        self.host_manager = host_manager

    @abc.abstractmethod
    def select_destinations(self, context, spec):
        """[{'host', 'nodename', 'limits'}] for each instance of ``spec``, claimed.

        ``spec`` is a RequestSpec or its dict. Raises NoValidHost, claiming
        nothing, when not every instance finds a host.
        """


def load_scheduler(host_manager, driver=None):
    """The scheduler --scheduler_driver names ('filter', 'chance' or an import path)."""
    name = driver or CONF.scheduler_driver
    path = SCHEDULER_DRIVERS.get(name, name)
    try:
        cls = utils.import_class(path)
    except ImportError as e:
        raise exception.ConfigError(reason='scheduler_driver %s: %s' % (name, e)) from e
    if not (isinstance(cls, type) and issubclass(cls, Scheduler)):
        raise exception.ConfigError(
            reason='scheduler_driver %s is not a nova.scheduler.driver.Scheduler' % name)
    return cls(host_manager)
