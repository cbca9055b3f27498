"""RamFilter, CoreFilter, DiskFilter: enough room left under the allocation ratios.

The ratio of a host is its aggregates' override, else its own report's, else
the flag (HostState works it out, with the resulting limits and usable
amounts). Each filter hands its limit to the compute, whose claim enforces it.
"""
from nova.scheduler import filters


class RamFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return host_state.usable_ram_mb >= spec.memory_mb

    def filter_all(self, host_states, spec):
        need = spec.memory_mb
        return [host for host in host_states if host.usable_ram_mb >= need]

    def limits(self, host_state):
        return {'memory_mb': host_state.ram_limit_mb}


class CoreFilter(filters.BaseHostFilter):
    """Also refuses a flavor with more vCPUs than the host has: overcommit is among instances."""

    def host_passes(self, host_state, spec):
        need = spec.vcpus
        return not host_state.vcpus_total or (
            host_state.vcpus_total >= need and host_state.usable_vcpus >= need)

    def filter_all(self, host_states, spec):
        need = spec.vcpus
        return [host for host in host_states if not host.vcpus_total or (
            host.vcpus_total >= need and host.usable_vcpus >= need)]

    def limits(self, host_state):
        # a host reporting no vCPUs (fail safe: not filtered) gets no limit either
        return {'vcpu': host_state.vcpu_limit} if host_state.vcpus_total else {}


class DiskFilter(filters.BaseHostFilter):
    """Root and ephemeral disks plus swap, all on the host's local disk."""

    def host_passes(self, host_state, spec):
        return host_state.usable_disk_mb >= spec.disk_mb

    def filter_all(self, host_states, spec):
        need = spec.disk_mb
        return [host for host in host_states if host.usable_disk_mb >= need]

    def limits(self, host_state):
        return {'disk_gb': host_state.disk_limit_mb / 1024}
