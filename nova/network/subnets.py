"""Networks as the network API (Neutron's model) sees them: a network, its
subnets, and the floating IP pools as external networks.

nova-network's network is an IPv4 CIDR (and optionally an IPv6 one) with its
addresses; Neutron's is a container that gets its ranges from subnets. So a
network made without a subnet is pending (no addresses) until its subnet is
made, when it becomes a nova-network network of the same id; deleting the
subnet makes it pending again. Subnet ids are derived from the network's id
and IP version; a floating IP pool is an external network whose id is derived
from the pool's name. Every rule here applies to any front end.
"""
import ipaddress

from nova import exception
from nova import quota
from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.network import ids
from nova.network import ranges

subnet_id, pool_network_id, pool_subnet_id = (ids.subnet_id, ids.pool_network_id,
                                             ids.pool_subnet_id)


def pool_ranges(addresses):
    """[(first, last)] of the contiguous runs of a pool's addresses."""
    runs = []
    for address in sorted(ipaddress.ip_address(a) for a in addresses):
        if runs and int(address) == int(runs[-1][1]) + 1:
            runs[-1][1] = address
        else:
            runs.append([address, address])
    return [(str(first), str(last)) for first, last in runs]


def pool_cidr(addresses):
    """The smallest CIDR holding every address of a pool."""
    ordered = sorted(ipaddress.ip_address(a) for a in addresses)
    first, last = ordered[0], ordered[-1]
    network = ipaddress.ip_network(first)
    while last not in network:
        network = network.supernet()
    return str(network)


class SubnetAPI:
    """Networks with and without subnets, subnets, and external (pool) networks."""

    def __init__(self):
        self.network_api = network_api.API()

    # -- reading ---------------------------------------------------------------------
    def networks(self, context):
        """(networks, pending networks) the caller may see: its project's and shared
        ones (admins: all)."""
        if context.is_admin:
            return db.network_get_all(context), db.pending_network_get_all(context)
        return (self.network_api.get_all_networks(context, usable_by_project=True),
                db.pending_network_get_all(context, project_id=context.project_id))

    def pools(self, context):
        """The names of the floating IP pools (external networks are visible to every
        project, as Neutron's are)."""
        return self.network_api.get_floating_ip_pools(context.elevated())

    def pool_addresses(self, context):
        """{pool name: [addresses]} of every floating IP pool."""
        return db.floating_ip_addresses_by_pool(context.elevated())

    def get(self, context, network_uuid):
        """(network row or None, pending row or None) of a visible network."""
        try:
            return self.network_api.get_network(context, network_uuid), None
        except exception.NetworkNotFound:
            pass
        for row in db.pending_network_get_all(context, uuids=[network_uuid]):
            if context.is_admin or row.shared or row.project_id == context.project_id:
                return None, row
        raise exception.NetworkNotFound(network_id=network_uuid)

    def _own(self, context, network_uuid):
        network, pending = self.get(context, network_uuid)
        owner = network.project_id if network is not None else pending.project_id
        if not context.is_admin and owner != context.project_id:
            raise exception.NetworkNotFound(network_id=network_uuid)
        return network, pending

    # -- networks --------------------------------------------------------------------
    def create_network(self, context, name='', description='', shared=False, mtu=None,
                       project_id=None):
        """A network without addresses until its subnet is made."""
        project_id = project_id or context.project_id
        if mtu is not None and not 576 <= int(mtu) <= 65535:
            raise exception.InvalidInput(reason='mtu must be between 576 and 65535')
        limit = quota.limits_for(context, project_id)['networks']
        return db.pending_network_create(context, {
            'name': name or '', 'description': description or '', 'shared': bool(shared),
            'mtu': mtu, 'project_id': project_id}, limit=limit)

    def update_network(self, context, network_uuid, **values):
        """Rename or redescribe a network of the caller's project (admins: any)."""
        network, pending = self._own(context, network_uuid)
        if network is not None:
            renamed = {'label': values['name']} if 'name' in values else {}
            if 'description' in values:
                renamed['description'] = values['description']
            return db.network_update(context, network.uuid, renamed) if renamed else network
        return db.pending_network_update(context, network_uuid, values) if values else pending

    def delete_network(self, context, network_uuid):
        network, _pending = self._own(context, network_uuid)
        if network is None:
            db.pending_network_destroy(context, network_uuid)
        else:
            self.network_api.delete_network(context.elevated(), network_uuid)

    # -- subnets ---------------------------------------------------------------------
    def create_subnet(self, context, network_uuid, cidr, gateway=None, dns=(),
                      allocation_start=None, enable_dhcp=True, ip_version=4, name=''):
        """The network's IPv4 subnet: the network gets its addresses. One IPv4 subnet
        per network; IPv6 ranges are given when a network is made (nova-manage)."""
        network, pending = self._own(context, network_uuid)
        if ip_version != 4:
            raise exception.InvalidInput(reason='only IPv4 subnets can be made here (an '
                                         'IPv6 range is given with nova-manage network '
                                         'create --fixed_range_v6)')
        if network is not None:
            raise exception.InvalidInput(reason='network %s already has its IPv4 subnet '
                                         '(%s): a network has one' % (network_uuid,
                                                                      network.cidr))
        dns = list(dns or [])
        if len(dns) > 2:
            raise exception.InvalidInput(reason='at most 2 DNS name servers')
        values, addresses = ranges.network_layout(cidr, gateway, allocation_start)
        for field, value in zip(('dns1', 'dns2'), dns):
            values[field] = ranges.check_address(value, 'dns_nameservers')
        if not dns:
            values['dns1'] = CONF.flat_network_dns or None
        values.update(multi_host=CONF.multi_host, enable_dhcp=bool(enable_dhcp),
                      subnet_name=name or '')
        values = network_api.manager_class().network_values(context, values)
        owner = pending.project_id or context.project_id
        limit = quota.limits_for(context, owner)['subnets']
        return db.network_create_from_pending(context, network_uuid, values, addresses,
                                              limit=limit)

    def rename_subnet(self, context, network_uuid, name):
        network, _pending = self._own(context, network_uuid)
        if network is None:
            raise exception.NetworkNotFound(network_id=network_uuid)
        return db.network_update(context, network_uuid, {'subnet_name': name or ''})

    def delete_subnet(self, context, network_uuid):
        """Take the network's addresses away (it becomes pending); NetworkInUse while
        an instance or a port holds one."""
        network, _pending = self._own(context, network_uuid)
        if network is None:
            raise exception.NetworkNotFound(network_id=network_uuid)
        return db.network_to_pending(context, network_uuid, shared=network.project_id is None)

    def find_subnet(self, context, subnet):
        """(network row, version) of a visible subnet id; NotFound otherwise."""
        networks, _pending = self.networks(context)
        for network in networks:
            for version in (4, 6):
                if subnet == subnet_id(network.uuid, version) and (
                        version == 4 or network.cidr_v6):
                    return network, version
        raise exception.SubnetNotFound(subnet_id=subnet)
