"""Placement relative to other instances: server group (anti-)affinity and host hints.

Group filters rerun for every instance of a request, because each placement
adds a host to the group; the hint filters look at instances that exist
already, so once per request is enough.
"""
from nova.scheduler import filters


class ServerGroupAffinityFilter(filters.BaseHostFilter):
    """An 'affinity' group stays on the host its members already use."""

    def host_passes(self, host_state, spec):
        if 'affinity' not in spec.group_policies or not spec.group_hosts:
            return True
        return host_state.host in spec.group_hosts

    def filter_all(self, host_states, spec):
        group_hosts = spec.group_hosts
        if 'affinity' not in spec.group_policies or not group_hosts:
            return host_states
        return [host for host in host_states if host.host in group_hosts]


class ServerGroupAntiAffinityFilter(filters.BaseHostFilter):
    """An 'anti-affinity' group never puts two members on one host.

    A host already holding the one instance being scheduled passes (a resize
    may stay on its source host).
    """

    def host_passes(self, host_state, spec):
        return bool(self.filter_all([host_state], spec))

    def filter_all(self, host_states, spec):
        group_hosts = spec.group_hosts
        if 'anti-affinity' not in spec.group_policies or not group_hosts:
            return host_states
        moving = spec.instance_uuids[0] if spec.num_instances == 1 and spec.instance_uuids \
            else None
        return [host for host in host_states
                if host.host not in group_hosts or moving in host.instances]


class SameHostFilter(filters.BaseHostFilter):
    """Hint same_host: only hosts running one of the listed instances."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return not spec.same_host or not spec.same_host.isdisjoint(host_state.instances)

    def filter_all(self, host_states, spec):
        wanted = spec.same_host
        if not wanted:
            return host_states
        return [host for host in host_states if not wanted.isdisjoint(host.instances)]


class DifferentHostFilter(filters.BaseHostFilter):
    """Hint different_host: only hosts running none of the listed instances."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return spec.different_host.isdisjoint(host_state.instances)

    def filter_all(self, host_states, spec):
        avoid = spec.different_host
        if not avoid:
            return host_states
        return [host for host in host_states if avoid.isdisjoint(host.instances)]
