"""ComputeFilter: only hosts whose nova-compute is up, enabled and not forced down."""
from nova.scheduler import filters


class ComputeFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return host_state.service_ok

    def filter_all(self, host_states, spec):
        return [host for host in host_states if host.service_ok]
