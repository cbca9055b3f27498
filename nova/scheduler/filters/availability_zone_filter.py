"""AvailabilityZoneFilter: only hosts in the requested zone.

A host's zone comes from the 'availability_zone' metadata of its aggregates,
else from its service record, else --default_availability_zone (HostState).
"""
from nova.scheduler import filters


class AvailabilityZoneFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return not spec.availability_zone or \
            spec.availability_zone in host_state.availability_zones

    def filter_all(self, host_states, spec):
        zone = spec.availability_zone
        if not zone:
            return host_states
        return [host for host in host_states if zone in host.availability_zones]
