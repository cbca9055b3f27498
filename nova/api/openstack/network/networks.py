"""/v2.0/networks and /v2.0/subnets over nova.network.subnets.

A nova-network network shows as a Neutron network with one subnet per IP
version; a network made here without a subnet has none until its subnet is
made; each floating IP pool is an external network (``router:external``)
with one subnet covering its addresses. Members see their project's networks,
the shared ones and the external ones; administrators see all.
"""
import ipaddress

from nova import exception
from nova.api.openstack.network import base, faults
from nova.i18n import _
from nova.network import model as network_model
from nova.network import subnets as subnets_api

NETWORK_FIELDS = ('name', 'description', 'shared', 'mtu', 'admin_state_up',
                  'router:external', 'project_id', 'tenant_id', 'port_security_enabled',
                  'availability_zone_hints', 'provider:network_type',
                  'provider:physical_network', 'provider:segmentation_id', 'is_default',
                  'dns_domain', 'qos_policy_id')
SUBNET_FIELDS = ('network_id', 'cidr', 'ip_version', 'name', 'description', 'gateway_ip',
                 'dns_nameservers', 'allocation_pools', 'enable_dhcp', 'project_id',
                 'tenant_id', 'host_routes', 'ipv6_ra_mode', 'ipv6_address_mode',
                 'subnetpool_id', 'service_types', 'use_default_subnetpool', 'prefixlen',
                 'segment_id')


def _network(context, uuid, name, description, project_id, shared, mtu, subnets, row,
             segment=None, external=False):
    view = {'id': uuid, 'name': name or '', 'description': description or '',
            'project_id': project_id or '', 'tenant_id': project_id or '',
            'admin_state_up': True, 'status': 'ACTIVE', 'subnets': subnets,
            'shared': shared, 'router:external': external, 'mtu': mtu or 1500,
            'availability_zone_hints': [], 'availability_zones': ['nova'],
            'ipv4_address_scope': None, 'ipv6_address_scope': None,
            'l2_adjacency': True, 'is_default': False}
    if row is not None:
        view.update(base.standard_attributes(row))
    if context.is_admin:
        segment_type, segment_id = segment or (None, None)
        view.update({'provider:network_type': segment_type,
                     'provider:physical_network': None,
                     'provider:segmentation_id': segment_id})
    return view


def network_view(context, network):
    subnets = [subnets_api.subnet_id(network.uuid, 4)]
    if network.cidr_v6:
        subnets.append(subnets_api.subnet_id(network.uuid, 6))
    return _network(context, network.uuid, network.label, network.description,
                    network.project_id, network.project_id is None, network.mtu, subnets,
                    network, (network.segment_type or network_model.SEGMENT_FLAT,
                              network.vlan))


def pending_view(context, pending):
    return _network(context, pending.uuid, pending.name, pending.description,
                    pending.project_id, pending.shared, pending.mtu, [], pending)


def pool_view(context, pool):
    return _network(context, subnets_api.pool_network_id(pool), pool, '', None, False,
                    None, [subnets_api.pool_subnet_id(pool)], None, ('flat', None),
                    external=True)


def _last_host(cidr):
    network = ipaddress.ip_network(cidr)
    return str(network.broadcast_address - 1) if network.num_addresses > 2 else \
        str(network[-1])


def _subnet(uuid, network_id, name, project_id, version, cidr, gateway, dns, pools,
            dhcp, row):
    view = {'id': uuid, 'network_id': network_id, 'name': name or '', 'description': '',
            'project_id': project_id or '', 'tenant_id': project_id or '',
            'ip_version': version, 'cidr': cidr, 'gateway_ip': gateway,
            'dns_nameservers': [d for d in dns if d], 'allocation_pools': pools,
            'host_routes': [], 'enable_dhcp': dhcp, 'ipv6_ra_mode': None,
            'ipv6_address_mode': None, 'subnetpool_id': None, 'service_types': [],
            'segment_id': None, 'dns_publish_fixed_ip': False}
    if row is not None:
        view.update(base.standard_attributes(row))
    else:
        view.update({'created_at': None, 'updated_at': None, 'revision_number': 0,
                     'tags': []})
    return view


def subnet_views(network):
    views = [_subnet(subnets_api.subnet_id(network.uuid, 4), network.uuid, network.subnet_name,
                     network.project_id, 4, network.cidr, network.gateway,
                     [network.dns1, network.dns2],
                     [{'start': network.dhcp_start, 'end': _last_host(network.cidr)}],
                     bool(network.enable_dhcp), network)]
    if network.cidr_v6:
        v6 = ipaddress.ip_network(network.cidr_v6)
        views.append(_subnet(subnets_api.subnet_id(network.uuid, 6), network.uuid,
                             network.subnet_name, network.project_id, 6, network.cidr_v6,
                             network.gateway_v6, [],
                             [{'start': str(v6[2]), 'end': str(v6[-1])}], False, network))
    return views


def pool_subnet_view(pool, addresses):
    pools = [{'start': first, 'end': last} for first, last in
             subnets_api.pool_ranges(addresses)]
    return _subnet(subnets_api.pool_subnet_id(pool), subnets_api.pool_network_id(pool), pool,
                   None, 4, subnets_api.pool_cidr(addresses), None, [], pools, False, None)


class NetworkController:
    def __init__(self):
        self.api = subnets_api.SubnetAPI()

    def _views(self, context):
        networks, pending = self.api.networks(context)
        views = [network_view(context, n) for n in networks]
        views += [pending_view(context, p) for p in pending]
        views += [pool_view(context, pool) for pool in sorted(self.api.pools(context))]
        return views

    def index(self, req):
        base.authorize(req.context, 'get_network')
        return base.ok(base.listing(req, self._views(req.context), 'Network', 'networks'))

    def _find(self, context, network_id):
        for view in self._views(context):
            if view['id'] == network_id:
                return view
        raise faults.not_found('Network', network_id)

    def show(self, req, id):
        view = self._find(req.context, id)
        base.authorize(req.context, 'get_network', view['project_id'])
        return base.ok({'network': base.shown(req, view)})

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'network'), NETWORK_FIELDS, 'network')
        project_id = values.get('project_id') or values.get('tenant_id') or context.project_id
        base.authorize(context, 'create_network', project_id)
        shared = base.boolean(values, 'shared', False)
        if shared:
            base.authorize(context, 'create_network:shared', project_id)
        if base.boolean(values, 'router:external', False):
            raise faults.bad_request(_('External networks are floating IP pools here: '
                                     'add them with nova-manage floating create'))
        if values.get('provider:network_type') or values.get('provider:segmentation_id'):
            raise faults.bad_request(_('Segments are given by the network manager here'))
        if base.boolean(values, 'admin_state_up', True) is False:
            raise faults.bad_request(_('A network here is always up (admin_state_up true)'))
        if project_id != context.project_id and not context.is_admin:
            raise faults.NeutronError(403, 'PolicyNotAuthorized',
                                      _('Only administrators make networks of other projects'))
        try:
            pending = self.api.create_network(
                context, name=base.text(values, 'name', ''),
                description=base.text(values, 'description', ''), shared=shared,
                mtu=values.get('mtu'), project_id=project_id)
        except exception.Invalid as error:
            raise faults.bad_request(error.format_message()) from None
        return base.ok({'network': pending_view(context, pending)}, 201)

    def update(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'update_network', view['project_id'])
        values = base.only(base.body(req, 'network'), ('name', 'description'), 'network')
        changes = {k: base.text(values, k) for k in values}
        if view['router:external']:
            raise faults.bad_request(_('A floating IP pool cannot be changed here'))
        self.api.update_network(context, id, **changes)
        return base.ok({'network': self._find(context, id)})

    def delete(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'delete_network', view['project_id'])
        if view['router:external']:
            raise faults.conflict('NetworkInUse', _('A floating IP pool is removed with '
                                  'nova-manage floating delete'))
        self.api.delete_network(context, id)
        return base.ok(None, 204)


class SubnetController:
    def __init__(self):
        self.api = subnets_api.SubnetAPI()

    def _views(self, context):
        networks, _pending = self.api.networks(context)
        views = [v for n in networks for v in subnet_views(n)]
        views += [pool_subnet_view(pool, addresses)
                  for pool, addresses in sorted(self.api.pool_addresses(context).items())]
        return views

    def _find(self, context, subnet_id):
        for view in self._views(context):
            if view['id'] == subnet_id:
                return view
        raise faults.not_found('Subnet', subnet_id)

    def index(self, req):
        base.authorize(req.context, 'get_subnet')
        return base.ok(base.listing(req, self._views(req.context), 'Subnet', 'subnets'))

    def show(self, req, id):
        view = self._find(req.context, id)
        base.authorize(req.context, 'get_subnet', view['project_id'])
        return base.ok({'subnet': base.shown(req, view)})

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'subnet'), SUBNET_FIELDS, 'subnet')
        network_id = values.get('network_id')
        if not network_id or not values.get('cidr'):
            raise faults.bad_request(_('A subnet needs network_id and cidr (subnet pools are '
                                     'not available)'))
        try:
            network, pending = self.api.get(context, network_id)
        except exception.NetworkNotFound:
            raise faults.not_found('Network', network_id) from None
        owner = network.project_id if network is not None else pending.project_id
        base.authorize(context, 'create_subnet', owner)
        pools = values.get('allocation_pools') or []
        if len(pools) > 1:
            raise faults.bad_request(_('A subnet here has one allocation pool'))
        start = None
        if pools:
            start, end = pools[0].get('start'), pools[0].get('end')
            if end and end != _last_host(values['cidr']):
                raise faults.bad_request(_('The allocation pool runs to the last address '
                                         'of the subnet here (%s)')
                                         % _last_host(values['cidr']))
        if values.get('host_routes') or values.get('subnetpool_id'):
            raise faults.bad_request(_('Host routes and subnet pools are not available'))
        try:
            row = self.api.create_subnet(
                context, network_id, values['cidr'], gateway=values.get('gateway_ip'),
                dns=values.get('dns_nameservers') or (), allocation_start=start,
                enable_dhcp=base.boolean(values, 'enable_dhcp', True),
                ip_version=int(values.get('ip_version', 4)),
                name=base.text(values, 'name', ''))
        except (exception.Invalid, ValueError) as error:
            message = error.format_message() if hasattr(error, 'format_message') else \
                str(error)
            raise faults.bad_request(message) from None
        return base.ok({'subnet': subnet_views(row)[0]}, 201)

    def update(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'update_subnet', view['project_id'])
        values = base.only(base.body(req, 'subnet'), ('name', 'description'), 'subnet')
        if values.get('description'):
            raise faults.bad_request(_('Subnets have no description here'))
        if view['network_id'] == subnets_api.pool_network_id(view['name']):
            raise faults.bad_request(_('A floating IP pool cannot be changed here'))
        if 'name' in values:
            self.api.rename_subnet(context, view['network_id'], base.text(values, 'name'))
        return base.ok({'subnet': self._find(context, id)})

    def delete(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'delete_subnet', view['project_id'])
        if view['ip_version'] != 4 or view['network_id'] == subnets_api.pool_network_id(
                view['name']):
            raise faults.conflict('SubnetInUse', _('Subnet %s cannot be deleted here') % id)
        try:
            self.api.delete_subnet(context, view['network_id'])
        except exception.NetworkInUse as error:
            raise faults.conflict('SubnetInUse', _('Unable to complete operation on subnet '
                                  '%s: %s') % (id, error.format_message())) from None
        return base.ok(None, 204)
