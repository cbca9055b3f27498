"""RetryFilter: skip the nodes where earlier attempts of this instance already failed."""
from nova.scheduler import filters


class RetryFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return (host_state.host, host_state.nodename) not in spec.retry_hosts

    def filter_all(self, host_states, spec):
        tried = spec.retry_hosts
        if not tried:
            return host_states
        return [host for host in host_states if (host.host, host.nodename) not in tried]
