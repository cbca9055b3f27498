"""/v2.0/ports over nova.network.ports: a server's interfaces and the ports users
make to create or attach servers with.

``fixed_ips`` is one entry per address (``subnet_id``, ``ip_address``); the
binding attributes are read-only and shown to administrators; a port here is
always up with port security on. Filters include ``fixed_ips=ip_address=...``
and ``fixed_ips=subnet_id=...``, as Neutron's.
"""
import ipaddress

from nova import exception
from nova.api.openstack.network import base, faults
from nova.i18n import _
from nova.network import ports as ports_api
from nova.network import subnets as subnets_api

CREATE_FIELDS = ('network_id', 'name', 'description', 'fixed_ips', 'security_groups',
                 'admin_state_up', 'project_id', 'tenant_id', 'port_security_enabled',
                 'device_owner', 'binding:vnic_type')
UPDATE_FIELDS = ('name', 'description', 'security_groups', 'admin_state_up',
                 'port_security_enabled')


def port_view(context, port):
    fixed = []
    for address in port['fixed_ips']:
        version = ipaddress.ip_address(address).version
        fixed.append({'subnet_id': subnets_api.subnet_id(port['network_id'], version),
                      'ip_address': address})
    view = {'id': port['id'], 'name': port['name'], 'description': port['description'],
            'network_id': port['network_id'], 'project_id': port['project_id'] or '',
            'tenant_id': port['project_id'] or '', 'mac_address': port['mac_address'],
            'admin_state_up': True, 'status': 'ACTIVE' if port['bound'] else 'DOWN',
            'device_id': port['device_id'], 'device_owner': port['device_owner'],
            'fixed_ips': fixed, 'allowed_address_pairs': [], 'extra_dhcp_opts': [],
            'security_groups': port['security_groups'], 'port_security_enabled': True,
            'binding:vnic_type': 'normal', 'dns_name': '', 'dns_assignment': [],
            'created_at': base.timestamp(port['created_at']),
            'updated_at': base.timestamp(port['updated_at'] or port['created_at']),
            'revision_number': port['revision_number'], 'tags': []}
    if context.is_admin:
        view.update({'binding:host_id': port['host'] or '',
                     'binding:vif_type': 'bridge' if port['bound'] else 'unbound',
                     'binding:vif_details': {}, 'binding:profile': {}})
    return view


def _fixed_ips_filter(view, wanted):
    """fixed_ips=ip_address=A / subnet_id=S (each value one condition, any matches)."""
    for condition in wanted:
        key, _sep, value = str(condition).partition('=')
        if any(entry.get(key) == value for entry in view['fixed_ips']):
            return True
    return False


def _security_groups(values):
    groups = values.get('security_groups')
    if groups is not None and (not isinstance(groups, list) or
                               not all(isinstance(g, str) for g in groups)):
        raise faults.bad_request(_('security_groups must be a list of security group ids'))
    return groups


class PortController:
    def __init__(self):
        self.api = ports_api.PortAPI()

    def _get(self, context, port_id):
        try:
            return self.api.get(context, port_id)
        except exception.PortNotFound:
            raise faults.not_found('Port', port_id) from None

    def index(self, req):
        context = req.context
        base.authorize(context, 'get_port')
        views = [port_view(context, p) for p in self.api.get_all(context)]
        return base.ok(base.listing(req, views, 'Port', 'ports',
                                    special={'fixed_ips': _fixed_ips_filter}))

    def show(self, req, id):
        port = self._get(req.context, id)
        base.authorize(req.context, 'get_port', port['project_id'])
        return base.ok({'port': base.shown(req, port_view(req.context, port))})

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'port'), CREATE_FIELDS, 'port')
        project_id = values.get('project_id') or values.get('tenant_id') or context.project_id
        base.authorize(context, 'create_port', project_id)
        if project_id != context.project_id and not context.is_admin:
            raise faults.NeutronError(403, 'PolicyNotAuthorized',
                                      _('Only administrators make ports of other projects'))
        if not values.get('network_id'):
            raise faults.bad_request(_('A port needs its network_id'))
        if base.boolean(values, 'admin_state_up', True) is False or \
                base.boolean(values, 'port_security_enabled', True) is False:
            raise faults.bad_request(_('A port here is always up, with port security on'))
        if values.get('device_owner'):
            raise faults.bad_request(_('Servers own the ports they are created or attached '
                                     'with: use the compute API'))
        if values.get('binding:vnic_type', 'normal') != 'normal':
            raise faults.bad_request(_('Only normal vNICs are available'))
        fixed_ip = self._fixed_ip(context, values)
        try:
            port = self.api.create(context, values['network_id'], fixed_ip=fixed_ip,
                                   name=base.text(values, 'name', ''),
                                   description=base.text(values, 'description', ''),
                                   security_group_uuids=_security_groups(values),
                                   project_id=project_id)
        except exception.NetworkNotFound:
            raise faults.not_found('Network', values['network_id']) from None
        return base.ok({'port': port_view(context, port)}, 201)

    def _fixed_ip(self, context, values):
        """The one IPv4 address asked for (by ip_address, in the port's network)."""
        entries = values.get('fixed_ips') or []
        if not isinstance(entries, list) or len(entries) > 1:
            raise faults.bad_request(_('A port here has one fixed IP (fixed_ips: [{...}])'))
        if not entries:
            return None
        entry = entries[0]
        if not isinstance(entry, dict):
            raise faults.bad_request(_('fixed_ips entries are objects'))
        subnet = entry.get('subnet_id')
        if subnet and subnet != subnets_api.subnet_id(values['network_id'], 4):
            raise faults.bad_request(_('Invalid input for operation: Failed to create port on '
                                     'network %s, because fixed_ips included invalid subnet '
                                     '%s.') % (values['network_id'], subnet))
        return entry.get('ip_address')

    def update(self, req, id):
        context = req.context
        port = self._get(context, id)
        base.authorize(context, 'update_port', port['project_id'])
        values = base.only(base.body(req, 'port'), UPDATE_FIELDS, 'port')
        if base.boolean(values, 'admin_state_up', True) is False or \
                base.boolean(values, 'port_security_enabled', True) is False:
            raise faults.bad_request(_('A port here is always up, with port security on'))
        try:
            port = self.api.update(context, id, name=base.text(values, 'name'),
                                   description=base.text(values, 'description'),
                                   security_group_uuids=_security_groups(values))
        except exception.PortInUse:
            raise faults.conflict('PortInUse', _('Port %s is bound to server %s: it has the '
                                  "server's security groups (openstack server add/remove "
                                  'security group)') % (id, port['device_id'])) from None
        return base.ok({'port': port_view(context, port)})

    def delete(self, req, id):
        context = req.context
        port = self._get(context, id)
        base.authorize(context, 'delete_port', port['project_id'])
        try:
            self.api.delete(context, id)
        except exception.PortInUse:
            raise faults.conflict('PortInUse', _('Port %s is in use by server %s: detach it '
                                  'first (openstack server remove port)')
                                  % (id, port['device_id'])) from None
        return base.ok(None, 204)
