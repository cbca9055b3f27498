"""/v2.0/floatingips over nova.network.api: allocate from a pool's external
network, associate with a port (the port's server gets the address NATed to
its fixed IP; a new port moves it, as Neutron does), disassociate with
``port_id: null``, delete (disassociates first)."""
from nova import exception
from nova.api.openstack.network import base, faults
from nova.compute import api as compute_api
from nova.i18n import _
from nova.network import api as network_api
from nova.network import ports as ports_api
from nova.network import subnets as subnets_api

CREATE_FIELDS = ('floating_network_id', 'port_id', 'fixed_ip_address', 'description',
                 'project_id', 'tenant_id', 'floating_ip_address', 'subnet_id')
UPDATE_FIELDS = ('port_id', 'fixed_ip_address', 'description')


def floating_view(floating, port_id):
    return {'id': floating['uuid'], 'floating_ip_address': floating['address'],
            'floating_network_id': subnets_api.pool_network_id(floating['pool']),
            'router_id': None, 'port_id': port_id,
            'fixed_ip_address': floating['fixed_ip'],
            'status': 'ACTIVE' if floating['fixed_ip'] else 'DOWN',
            'project_id': floating['project_id'] or '',
            'tenant_id': floating['project_id'] or '',
            'description': floating['description'] or '', 'port_details': None,
            'qos_policy_id': None, 'created_at': base.timestamp(floating['created_at']),
            'updated_at': base.timestamp(floating['updated_at'] or floating['created_at']),
            'revision_number': floating['revision_number'], 'tags': []}


class FloatingIPController:
    def __init__(self):
        self.api = network_api.API()
        self.ports = ports_api.PortAPI()
        self.compute = compute_api.API()

    def _views(self, context):
        floating = (self.api.get_all_floating_ips(context) if context.is_admin
                    else self.api.get_floating_ips_by_project(context))
        floating = [f for f in floating if f['uuid']]  # allocated ones only
        ports = self.api.get_floating_ip_ports(context, floating)
        return [floating_view(f, ports.get(f['id'])) for f in floating]

    def _find(self, context, floating_id):
        for view in self._views(context):
            if view['id'] == floating_id:
                return view
        raise faults.not_found('FloatingIP', floating_id)

    def index(self, req):
        base.authorize(req.context, 'get_floatingip')
        return base.ok(base.listing(req, self._views(req.context), 'FloatingIP',
                                    'floatingips'))

    def show(self, req, id):
        view = self._find(req.context, id)
        base.authorize(req.context, 'get_floatingip', view['project_id'])
        return base.ok({'floatingip': base.shown(req, view)})

    def _associate(self, context, address, port_id, fixed_ip_address):
        """NAT address to the port's server (the port's fixed IP, or the one named)."""
        try:
            port = self.ports.get(context, port_id)
        except exception.PortNotFound:
            raise faults.not_found('Port', port_id) from None
        if not port['bound']:
            raise faults.bad_request(_('Port %s is not bound to a server: a floating IP is '
                                     "NATed to a server's address") % port_id)
        if fixed_ip_address and fixed_ip_address not in port['fixed_ips']:
            raise faults.bad_request(_('Port %s does not have fixed ip %s')
                                     % (port_id, fixed_ip_address))
        fixed = fixed_ip_address or next((a for a in port['fixed_ips'] if ':' not in a), None)
        if fixed is None:
            raise faults.bad_request(_('Port %s has no IPv4 address to associate a floating '
                                     'IP with') % port_id)
        instance = self.compute.get(context.elevated(), port['device_id'])
        self.api.associate_floating_ip(context, instance, address, fixed, reassociate=True)

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'floatingip'), CREATE_FIELDS, 'floatingip')
        project_id = values.get('project_id') or values.get('tenant_id') or context.project_id
        base.authorize(context, 'create_floatingip', project_id)
        if project_id != context.project_id:
            raise faults.bad_request(_('A floating IP is allocated to the project of the '
                                     'request here'))
        if values.get('floating_ip_address') or values.get('subnet_id'):
            raise faults.bad_request(_('The address is chosen from the pool here: '
                                     'floating_ip_address and subnet_id cannot be given'))
        network_id = values.get('floating_network_id')
        if not network_id:
            raise faults.bad_request(_('A floating IP needs floating_network_id'))
        try:
            pool = self.api.find_pool(context, network_id)
        except exception.NetworkNotFound:
            raise faults.not_found('Network', network_id) from None
        floating = self.api.allocate_floating_ip(
            context, pool, description=base.text(values, 'description', ''))
        if values.get('port_id'):
            try:
                self._associate(context, floating['address'], values['port_id'],
                                values.get('fixed_ip_address'))
            except Exception:
                self.api.release_floating_ip(context, floating['address'])
                raise
        return base.ok({'floatingip': self._find(context, floating['uuid'])}, 201)

    def update(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'update_floatingip', view['project_id'])
        values = base.only(base.body(req, 'floatingip'), UPDATE_FIELDS, 'floatingip')
        address = view['floating_ip_address']
        if 'description' in values:
            self.api.update_floating_ip(context, address,
                                        description=base.text(values, 'description', ''))
        if 'port_id' in values:
            if values['port_id']:
                self._associate(context, address, values['port_id'],
                                values.get('fixed_ip_address'))
            elif view['port_id']:
                try:
                    self.api.disassociate_floating_ip(context, address)
                except exception.FloatingIpNotAssociated:
                    pass  # a concurrent request did it
        return base.ok({'floatingip': self._find(context, id)})

    def delete(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'delete_floatingip', view['project_id'])
        self.api.release_floating_ip(context, view['floating_ip_address'], disassociate=True)
        return base.ok(None, 204)
