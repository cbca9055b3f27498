"""Soft server group policies: prefer (or avoid) hosts that hold members of the group.

Unlike the affinity filters these never remove a host: when the preferred
placement is impossible the instance still lands somewhere.
"""
from nova.conf import CONF
from nova.scheduler import weights


def _members_on(host_states, spec):
    members = spec.group_members
    return [len(members.intersection(host.instances)) for host in host_states]


class ServerGroupSoftAffinityWeigher(weights.BaseHostWeigher):
    """More members on a host, more weight; --soft_affinity_weight_multiplier."""

    def weight_multiplier(self):
        return CONF.soft_affinity_weight_multiplier

    def weigh_all(self, host_states, spec):
        if 'soft-affinity' not in spec.group_policies:
            return None
        return _members_on(host_states, spec)


class ServerGroupSoftAntiAffinityWeigher(weights.BaseHostWeigher):
    """More members on a host, less weight; --soft_anti_affinity_weight_multiplier."""

    def weight_multiplier(self):
        return CONF.soft_anti_affinity_weight_multiplier

    def weigh_all(self, host_states, spec):
        if 'soft-anti-affinity' not in spec.group_policies:
            return None
        return [-count for count in _members_on(host_states, spec)]
