"""RAMWeigher, CPUWeigher, DiskWeigher: weigh hosts by what they have left."""
from nova.conf import CONF
from nova.scheduler import weights


class RAMWeigher(weights.BaseHostWeigher):
    """Free RAM in MB (negative when overcommitted); --ram_weight_multiplier."""

    def weight_multiplier(self):
        return CONF.ram_weight_multiplier

    def weigh_all(self, host_states, spec):
        return [host.free_ram_mb for host in host_states]


class CPUWeigher(weights.BaseHostWeigher):
    """vCPUs left under the allocation ratio; --cpu_weight_multiplier."""

    def weight_multiplier(self):
        return CONF.cpu_weight_multiplier

    def weigh_all(self, host_states, spec):
        return [host.usable_vcpus for host in host_states]


class DiskWeigher(weights.BaseHostWeigher):
    """Free local disk in MB; --disk_weight_multiplier."""

    def weight_multiplier(self):
        return CONF.disk_weight_multiplier

    def weigh_all(self, host_states, spec):
        return [host.free_disk_mb for host in host_states]
