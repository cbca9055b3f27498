"""Volume placement filters: room for the volume, and the backend its type asks for.

They read VolumeHostState and VolumeRequest (nova.scheduler.volume_hosts);
AvailabilityZoneFilter serves volume placements as it is.
"""
from nova.scheduler import filters


class CapacityFilter(filters.BaseHostFilter):
    """Hosts with room for the volume: free space above the reserved percentage,
    and for thin backends provisioning under max_over_subscription_ratio."""

    def host_passes(self, host_state, spec):
        return host_state.usable_gb >= spec.size

    def filter_all(self, host_states, spec):
        need = spec.size
        return [host for host in host_states if host.usable_gb >= need]


class CapabilitiesFilter(filters.BaseHostFilter):
    """A volume type's volume_backend_name extra spec picks the hosts reporting it."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        wanted = spec.extra_specs.get('volume_backend_name')
        return not wanted or host_state.backend_name == wanted
