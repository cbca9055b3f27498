"""Placing volumes on nova-volume hosts with the filter scheduler's machinery:
--scheduler_default_volume_filters, then the capacity weigher, then a claim."""
import logging

from nova import exception
from nova.conf import CONF
from nova.scheduler import filter_scheduler
from nova.scheduler import filters as filters_mod
from nova.scheduler import weights as weights_mod
from nova.scheduler.volume_hosts import VolumeRequest
from nova.scheduler.weights.capacity import CapacityWeigher

LOG = logging.getLogger(__name__)


class VolumeScheduler:
    def __init__(self, host_manager, filters=None):
        self.host_manager = host_manager
        self.filters = (filters_mod.load_filters(CONF.scheduler_default_volume_filters)
                        if filters is None else list(filters))
        self.weighers = [CapacityWeigher()]

    def select_host(self, spec):
        """The host for one volume (its size claimed there), or NoValidHost explained."""
        spec = spec if isinstance(spec, VolumeRequest) else VolumeRequest.from_dict(spec)
        with self.host_manager.lock:
            all_hosts = self.host_manager.get_all_host_states()
            removed = []
            ignore = set(spec.ignore_hosts)
            hosts = [h for h in all_hosts if h.service_ok and h.host not in ignore]
            if len(hosts) != len(all_hosts):
                removed.append(('service down, disabled or excluded',
                                len(all_hosts) - len(hosts)))
            hosts = filter_scheduler.run_filters(self.filters, hosts, spec, removed)
            if not hosts:
                reason = filter_scheduler.explain(len(all_hosts), removed, 0, 1)
                LOG.info('Cannot place volume %s (%d GiB): %s', spec.volume_id, spec.size,
                         reason)
                raise exception.NoValidHost(reason=reason)
            totals = weights_mod.weigh(self.weighers, hosts, spec)
            host = hosts[totals.index(max(totals))]
            host.consume(spec.size)
            return host.host
