"""Client side of the network RPC API: every method nova-network serves is declared here.

With multi_host networks each compute host runs its own nova-network and the
calls for its instances go to ``network.<that host>``; otherwise to any
consumer of the ``network`` topic.

History:
    1.0 - ping
    1.1 - allocate_for_instances, deallocate_for_instance
    1.2 - refresh_network, refresh_nat
    1.3 - deallocate_port
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class NetworkAPI(RPCAPI):
    TOPIC = 'network'
    VERSION = '1.3'
    METHODS = {
        'allocate_for_instances': '1.1',
        'deallocate_for_instance': '1.1',
        'refresh_network': '1.2',
        'refresh_nat': '1.2',
        'deallocate_port': '1.3',
    }

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.network_topic, version_cap=version_cap)

    def allocate_for_instances(self, ctxt, instances, host, server=None):
        """{'network_info': {uuid: network_info}, 'failures': {uuid: failure dict}} for
        [{'uuid', 'project_id', 'requested_networks'}] being built on compute ``host``."""
        return self.call(ctxt, 'allocate_for_instances', server=server, instances=instances,
                         host=host)

    def deallocate_for_instance(self, ctxt, instance_uuid, host, server=None):
        """Give back the instance's addresses and interfaces (and unconfigure them)."""
        return self.call(ctxt, 'deallocate_for_instance', server=server,
                         instance_uuid=instance_uuid, host=host)

    def refresh_network(self, ctxt, network_id, server):
        """The network's instances changed: its network host serves them anew (DHCP)."""
        self.cast(ctxt, 'refresh_network', server=server, network_id=network_id)

    def refresh_nat(self, ctxt, server):
        """Floating IPs of that network host changed: it rebuilds its NAT table."""
        self.cast(ctxt, 'refresh_nat', server=server)

    def deallocate_port(self, ctxt, instance_uuid, port_id, host, server=None):
        """Give back one interface of the instance (a port a user made is unbound)."""
        return self.call(ctxt, 'deallocate_port', server=server, instance_uuid=instance_uuid,
                         port_id=port_id, host=host)
