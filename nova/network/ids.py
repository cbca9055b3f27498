"""Ids the network API derives instead of storing: a subnet's from its network and
IP version, a floating IP pool's external network (and its subnet) from the
pool's name. uuid5, so they never change and never collide with stored uuids."""
import uuid

NAMESPACE = uuid.UUID('0d6a4bf4-6a63-4f16-95e4-5a7c3f2d1c11')


def subnet_id(network_uuid, version):
    return str(uuid.uuid5(NAMESPACE, 'subnet:%s:v%d' % (network_uuid, version)))


def pool_network_id(pool):
    return str(uuid.uuid5(NAMESPACE, 'floating-pool:%s' % pool))


def pool_subnet_id(pool):
    return str(uuid.uuid5(NAMESPACE, 'floating-pool-subnet:%s' % pool))


def rule_id(group_uuid, rule_key):
    """A security group rule's network API id (rules have integer ids)."""
    return str(uuid.uuid5(NAMESPACE, 'rule:%s:%s' % (group_uuid, rule_key)))
