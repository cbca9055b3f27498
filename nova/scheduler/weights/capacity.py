"""CapacityWeigher: volume hosts with more usable space weigh more (spreading);
a negative --capacity_weight_multiplier fills one host first (stacking)."""
from nova.conf import CONF
from nova.scheduler import weights


class CapacityWeigher(weights.BaseHostWeigher):
    def weight_multiplier(self):
        return CONF.capacity_weight_multiplier

    def weigh_all(self, host_states, spec):
        return [host.usable_gb for host in host_states]
