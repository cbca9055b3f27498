"""Compute API side of os-interface: attach a port or a network to a running
server, detach one, list them.

The network API allocates the interface (the same allocation path as a boot:
nova-network binds the port or claims an address) and the instance's host
plugs it into the guest through its driver; if the host cannot, the
allocation is given back, so an interface is either attached and allocated
or neither. Detach unplugs, then gives the address back (a port a user made
stays, unbound).
"""
import logging

from nova import exception
from nova.compute import capabilities, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import check_instance_lock, check_instance_state
from nova.i18n import _LW

LOG = logging.getLogger(__name__)

# Nova attaches and detaches interfaces of active, paused and stopped servers
WITH_INTERFACES = [vm_states.ACTIVE, vm_states.PAUSED, vm_states.STOPPED]


class InterfacesAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=WITH_INTERFACES, task_state=None)
    def attach_interface(self, context, instance, network_uuid=None, port_id=None,
                         fixed_ip=None):
        """The new interface (a network_info VIF), plugged into the guest."""
        capabilities.require(context, instance, 'supports_attach_interface',
                             'attach an interface')
        compute_utils.start_action(context, instance.uuid, 'attach_interface')
        vif = self.network_api.allocate_port_for_instance(
            context, instance, network_uuid=network_uuid, port_id=port_id, fixed_ip=fixed_ip)
        try:
            self.compute_rpcapi.attach_interface(context, instance, vif)
        except Exception:
            LOG.warning(_LW('Host %s could not plug interface %s into %s: giving it back'),
                        instance.host, vif['id'], instance.uuid)
            self.network_api.deallocate_port_for_instance(context, instance, vif['id'])
            raise
        return vif

    @check_instance_lock
    @check_instance_state(vm_state=WITH_INTERFACES, task_state=None)
    def detach_interface(self, context, instance, port_id):
        """Unplug the interface of port_id and give its address back."""
        capabilities.require(context, instance, 'supports_attach_interface',
                             'detach an interface')
        vif = next((v for v in self.network_api.get_instance_nw_info(context, instance)
                    if v['id'] == port_id), None)
        if vif is None:
            raise exception.PortNotFound(port_id=port_id)
        compute_utils.start_action(context, instance.uuid, 'detach_interface')
        try:
            self.compute_rpcapi.detach_interface(context, instance, vif)
        except exception.DeviceNotAttached:
            pass  # the guest no longer has it: still give the address back
        self.network_api.deallocate_port_for_instance(context, instance, port_id)
