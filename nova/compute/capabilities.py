"""What the API may ask of a compute host: its driver's capabilities, as the host reports them.

Each nova-compute writes its driver's {capability: bool} into its compute_nodes
row (and its reports to the schedulers); the API checks the host an instance
is on, never its own --compute_driver flag, so that hosts with different
drivers (or releases) each get only what they can do. Moves name the
capability the destination needs (``required_capabilities`` of the request
spec) and the scheduler places them only on hosts that reported it.
"""
from nova import exception
from nova.db import api as db
from nova.virt.driver import CAPABILITIES


def host_capabilities(context, host):
    """(driver name, {capability: bool}) of ``host``'s last report, or (None, None)."""
    for node in db.compute_node_get_all_by_host(context, host):
        if node.capabilities is not None:
            return node.hypervisor_type or host, node.capabilities
    return None, None


def require(context, instance, capability, action):
    """Refuse ``action`` (409) unless the host ``instance`` is on reported ``capability``."""
    if capability not in CAPABILITIES:
        raise ValueError('unknown driver capability %r' % capability)
    if not instance.host:
        raise exception.InstanceNotReady(instance_id=instance.uuid)
    driver, capabilities = host_capabilities(context, instance.host)
    if capabilities is None:
        raise exception.HostCapabilitiesUnknown(host=instance.host, action=action)
    if capabilities.get(capability) is not True:
        raise exception.NotSupportedByDriver(action=action, driver=driver)
