"""AggregateInstanceExtraSpecsFilter: flavor extra specs must match aggregate metadata.

Keys scoped 'aggregate_instance_extra_specs:' and unscoped keys are checked;
keys with any other scope ('hw:', 'quota:' ...) belong to other code. A host
passes when, for every such key, one of its aggregates' values for it matches
(extra_specs_ops).
"""
from nova.scheduler import filters
from nova.scheduler.filters import extra_specs_ops

_SCOPE = 'aggregate_instance_extra_specs'


def requirements(extra_specs):
    """[(metadata key, requirement)] that concern this filter."""
    wanted = []
    for key, requirement in extra_specs.items():
        scope, _, name = key.partition(':')
        if not name:
            wanted.append((key, requirement))
        elif scope == _SCOPE:
            wanted.append((name, requirement))
    return wanted


class AggregateInstanceExtraSpecsFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return self._passes(host_state, requirements(spec.extra_specs))

    def filter_all(self, host_states, spec):
        wanted = requirements(spec.extra_specs)
        if not wanted:
            return host_states
        return [host for host in host_states if self._passes(host, wanted)]

    @staticmethod
    def _passes(host_state, wanted):
        metadata = host_state.aggregate_metadata
        for key, requirement in wanted:
            if not any(extra_specs_ops.match(value, requirement)
                       for value in metadata.get(key, ())):
                return False
        return True
