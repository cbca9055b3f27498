"""/os-networks (admin management of nova-network's networks) and
/os-tenant-networks (a project's own view), the proxies Nova served up to 2.35.

Translation only: nova.network.api decides who sees which network, refuses
overlapping or invalid ranges and a network still in use. From 2.36 both
answer 404, as in Nova: clients use the network API (:9696).
"""
import webob.exc

from nova import exception
from nova import policy
from nova import utils
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import networks as schema
from nova.network import api as network_api

MAX_VERSION = '2.35'
RULE = 'os_compute_api:os-networks:%s'
TENANT_RULE = 'os_compute_api:os-tenant-networks:%s'

FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6',
          'gateway_v6', 'label', 'netmask_v6')
# what Nova showed administrators besides; the vpn_* and rxtx_base fields belonged to
# nova-network's cloudpipe VPNs and QoS, which this cloud does not have (always null)
ADMIN_FIELDS = ('created_at', 'updated_at', 'deleted_at', 'deleted', 'injected', 'bridge',
                'vlan', 'vpn_public_address', 'vpn_public_port', 'vpn_private_address',
                'dhcp_start', 'project_id', 'host', 'bridge_interface', 'multi_host',
                'priority', 'rxtx_base', 'mtu', 'dhcp_server', 'enable_dhcp',
                'share_address')
_ALWAYS_NULL = ('vpn_public_address', 'vpn_public_port', 'vpn_private_address', 'rxtx_base')


def _value(network, field):
    if field == 'id':
        return network.uuid
    if field in _ALWAYS_NULL:
        return None
    if field == 'share_address':
        return False
    if field == 'deleted':
        return bool(network.deleted)
    value = getattr(network, field)
    return value.isoformat() if hasattr(value, 'isoformat') else value


def network_view(context, network):
    fields = FIELDS + (ADMIN_FIELDS if context.is_admin else ())
    return {field: _value(network, field) for field in fields}


def _target(context):
    return {'project_id': context.project_id, 'user_id': context.user_id}


def _bad_request(error):
    return webob.exc.HTTPBadRequest(explanation=error.format_message())


class NetworkController(wsgi.Controller):
    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        context = req.context
        policy.authorize(context, RULE % 'list', _target(context))
        return {'networks': [network_view(context, n)
                             for n in self.network_api.get_all_networks(context)]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        context = req.context
        policy.authorize(context, RULE % 'show', _target(context))
        return {'network': network_view(context, self.network_api.get_network(context, id))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_network)
    def create(self, req, body):
        context = req.context
        policy.authorize(context, RULE % 'create')
        values = dict(body['network'])
        for field in ('vlan', 'mtu', 'priority'):
            if values.get(field) is not None:
                values[field] = int(values[field])
        for field in ('multi_host', 'enable_dhcp'):
            if field in values:
                values[field] = utils.bool_from_string(field, values[field])
        try:
            network = self.network_api.create_network(context, **values)
        except exception.Invalid as error:
            raise _bad_request(error) from None
        return {'network': network_view(context, network)}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        context = req.context
        policy.authorize(context, RULE % 'delete')
        self.network_api.delete_network(context, id)

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    @validation.schema(schema.add_network)
    def add(self, req, body):
        """Give the named network to the caller's project."""
        context = req.context
        policy.authorize(context, RULE % 'add')
        try:
            self.network_api.add_network_to_project(context, context.project_id, body['id'])
        except (exception.Invalid, exception.NetworkNotFound) as error:
            raise _bad_request(error) from None

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    @validation.schema(schema.network_action)
    def action(self, req, id, body):
        """disassociate (project and host), disassociate_host, disassociate_project,
        associate_host: who a network belongs to and which host serves it."""
        context = req.context
        name, value = next(iter(body.items()))
        policy.authorize(context, RULE % ('disassociate' if name == 'disassociate'
                                          else 'associate'))
        if name == 'associate_host':
            self.network_api.associate_network(context, id, host=value)
        else:
            self.network_api.disassociate_network(
                context, id, project=name != 'disassociate_host',
                host=name != 'disassociate_project')


def tenant_network_view(network):
    return {'id': network.uuid, 'cidr': network.cidr, 'label': network.label}


class TenantNetworkController(wsgi.Controller):
    """The networks a project may use; members create and delete their project's own."""

    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        context = req.context
        policy.authorize(context, TENANT_RULE % 'list', _target(context))
        networks = self.network_api.get_all_networks(context, usable_by_project=True)
        return {'networks': [tenant_network_view(n) for n in networks]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        context = req.context
        policy.authorize(context, TENANT_RULE % 'show', _target(context))
        return {'network': tenant_network_view(self.network_api.get_network(context, id))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_tenant_network)
    def create(self, req, body):
        context = req.context
        policy.authorize(context, TENANT_RULE % 'create', _target(context))
        values = body['network']
        try:
            network = self.network_api.create_project_network(
                context, values['cidr'], label=values['label'])
        except exception.Invalid as error:
            raise _bad_request(error) from None
        return {'network': tenant_network_view(network)}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        context = req.context
        policy.authorize(context, TENANT_RULE % 'delete', _target(context))
        self.network_api.delete_network(context, id)
