"""FilterScheduler: for each instance, filter the hosts, weigh the rest, claim the best.

Request-level filters (``run_filter_once_per_request``) run first and once;
the others, the weighing and the claim run for every instance, so that the
instances of one request see each other's claims and group placements and
never overcommit a host. The whole request holds the host manager's lock and
is all or nothing: when an instance finds no host, the claims of the ones
placed before it are given back and NoValidHost says how many hosts each
filter removed.
"""
import heapq
import logging
import random

from nova import exception
from nova.conf import CONF
from nova.scheduler import driver
from nova.scheduler import filters as filters_mod
from nova.scheduler import weights as weights_mod
from nova.scheduler.request_spec import RequestSpec

LOG = logging.getLogger(__name__)


class FilterScheduler(driver.Scheduler):
    def __init__(self, host_manager, filters=None, weighers=None):
        """Filter and weigher instances default to those the flags name."""
        super().__init__(host_manager)
        self.filters = (filters_mod.load_filters(CONF.scheduler_default_filters)
                        if filters is None else list(filters))
        self.weighers = weights_mod.load_weighers() if weighers is None else list(weighers)
        self._once = [f for f in self.filters if f.run_filter_once_per_request]
        self._each = [f for f in self.filters if not f.run_filter_once_per_request]

    def select_destinations(self, context, spec):
        spec = RequestSpec.from_dict(spec)
        with self.host_manager.lock:
            return self._schedule(spec)

    def _schedule(self, spec):
        all_hosts = self.host_manager.get_all_host_states()
        removed = []  # (filter name, hosts removed), in the order they ran
        hosts, forced = _apply_host_lists(all_hosts, spec, removed)
        if not forced:
            hosts = run_filters(self._once, hosts, spec, removed)
        group_before = set(spec.group_hosts), set(spec.group_members)
        placed = []
        try:
            for index in range(spec.num_instances):
                counts = list(removed)
                candidates = hosts if forced else run_filters(self._each, hosts, spec, counts)
                if not candidates:
                    raise exception.NoValidHost(reason=explain(
                        len(all_hosts), counts, index, spec.num_instances))
                host = self._choose(candidates, spec)
                uuid = spec.instance_uuids[index] if spec.instance_uuids else None
                host.consume(spec, uuid)
                placed.append((host, uuid))
                if spec.instance_group is not None:
                    spec.add_group_member(host.host, uuid)
        except exception.NoValidHost as e:
            for host, uuid in placed:
                host.release(spec, uuid)
            spec.group_hosts, spec.group_members = group_before
            LOG.info('Cannot schedule %s: %s', spec.instance_uuids or 'request', e)
            raise
        return [self._destination(host) for host, _uuid in placed]

    def _choose(self, candidates, spec):
        """The best-weighed host, or a random one of the scheduler_host_subset_size best."""
        if len(candidates) == 1:
            return candidates[0]
        totals = weights_mod.weigh(self.weighers, candidates, spec)
        size = min(CONF.scheduler_host_subset_size, len(candidates))
        if size == 1:
            return candidates[totals.index(max(totals))]
        best = heapq.nlargest(size, range(len(candidates)), key=totals.__getitem__)
        return candidates[random.choice(best)]

    def _destination(self, host):
        limits = {}
        for host_filter in self.filters:
            limits.update(host_filter.limits(host))
        return {'host': host.host, 'nodename': host.nodename, 'limits': limits}


def _apply_host_lists(hosts, spec, removed):
    """Drop ignore_hosts and hosts lacking a required capability; keep only
    force_hosts/force_nodes, which skip the filters."""
    if spec.required_capabilities:
        hosts = _count('required_capabilities', hosts, [
            h for h in hosts if all(h.capabilities.get(c) is True
                                    for c in spec.required_capabilities)], removed)
    if spec.ignore_hosts:
        ignore = set(spec.ignore_hosts)
        hosts = _count('ignore_hosts', hosts, [h for h in hosts if h.host not in ignore],
                       removed)
    if not (spec.force_hosts or spec.force_nodes):
        return hosts, False
    force_hosts, force_nodes = set(spec.force_hosts), set(spec.force_nodes)
    kept = [h for h in hosts if (not force_hosts or h.host in force_hosts)
            and (not force_nodes or h.nodename in force_nodes)]
    return _count('force_hosts' if force_hosts else 'force_nodes', hosts, kept, removed), True


def run_filters(host_filters, hosts, spec, removed):
    for host_filter in host_filters:
        if not hosts:
            break
        hosts = _count(host_filter.name, hosts, host_filter.filter_all(hosts, spec), removed)
    return hosts


def _count(name, before, after, removed):
    if len(after) != len(before):
        removed.append((name, len(before) - len(after)))
    return after


def explain(total, removed, index, num_instances):
    """'There are not enough hosts available. 3 hosts: RamFilter removed 2, ...'"""
    reason = 'There are not enough hosts available. %d host%s' % (
        total, '' if total == 1 else 's')
    if removed:
        reason += ': ' + ', '.join('%s removed %d' % pair for pair in removed)
    if num_instances > 1:
        reason += ' (placing instance %d of %d)' % (index + 1, num_instances)
    return reason
