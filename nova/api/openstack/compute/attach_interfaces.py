"""/servers/{id}/os-interface: a server's interfaces (its ports), attach a port or a
network (optionally with its fixed IP), detach; Nova's bodies and statuses
(a port or network not found 404, a port in use or a taken address 409, a
wrong server state 409)."""
import ipaddress

import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.compute import api as compute_api
from nova.i18n import _
from nova.network import api as network_api
from nova.network import ids

RULE = 'os_compute_api:os-attach-interfaces:%s'

_attachment = {
    'type': 'object',
    'properties': {
        'net_id': {'type': 'string', 'format': 'uuid'},
        'port_id': {'type': 'string', 'format': 'uuid'},
        'fixed_ips': {'type': 'array', 'minItems': 1, 'maxItems': 1, 'items': {
            'type': 'object', 'properties': {'ip_address': {'type': 'string'}},
            'required': ['ip_address'], 'additionalProperties': False}},
        'tag': {'type': 'string', 'maxLength': 60},
    },
    'additionalProperties': False,
}
create_schema = {'type': 'object', 'properties': {'interfaceAttachment': _attachment},
                 'additionalProperties': False}


def interface_view(vif, req):
    fixed = [{'subnet_id': ids.subnet_id(vif['network']['id'], subnet['version']),
              'ip_address': ip['address']}
             for subnet in vif['network']['subnets'] for ip in subnet['ips']]
    view = {'net_id': vif['network']['id'], 'port_id': vif['id'], 'mac_addr': vif['address'],
            'port_state': 'ACTIVE', 'fixed_ips': fixed}
    if req.is_version('2.70'):
        view['tag'] = None
    return view


class InterfaceAttachmentController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()
        self.network_api = network_api.API()

    def _instance(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, RULE % action, servers.target(instance))
        return instance

    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'list')
        return {'interfaceAttachments': [
            interface_view(vif, req)
            for vif in self.network_api.get_instance_nw_info(req.context, instance)]}

    def show(self, req, server_id, id):
        instance = self._instance(req, server_id, 'show')
        for vif in self.network_api.get_instance_nw_info(req.context, instance):
            if vif['id'] == id:
                return {'interfaceAttachment': interface_view(vif, req)}
        raise webob.exc.HTTPNotFound(explanation=_('Port %s is not attached to instance %s')
                                     % (id, server_id))

    @validation.schema(create_schema)
    def create(self, req, server_id, body):
        context = req.context
        instance = self._instance(req, server_id, 'create')
        values = (body or {}).get('interfaceAttachment') or {}
        port_id, net_id = values.get('port_id'), values.get('net_id')
        fixed_ip = (values.get('fixed_ips') or [{}])[0].get('ip_address')
        if port_id and net_id:
            raise webob.exc.HTTPBadRequest(explanation=_('Must not input both network_id and '
                                             'port_id'))
        if fixed_ip and not net_id:
            raise webob.exc.HTTPBadRequest(explanation=_('Must input network_id when request '
                                             'IP address'))
        if fixed_ip:
            try:
                ipaddress.ip_address(fixed_ip)
            except ValueError:
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Invalid IP address %s') % fixed_ip) from None
        if values.get('tag'):
            raise webob.exc.HTTPBadRequest(explanation=_('Network interface tags are not '
                                             'supported by this cloud'))
        if not port_id and not net_id:
            net_id = self._only_network(context)
        try:
            vif = self.compute_api.attach_interface(context, instance, network_uuid=net_id,
                                                    port_id=port_id, fixed_ip=fixed_ip)
        except (exception.PortNotFound, exception.NetworkNotFound) as error:
            raise webob.exc.HTTPNotFound(explanation=error.format_message()) from None
        except (exception.PortInUse, exception.FixedIpAlreadyInUse) as error:
            raise webob.exc.HTTPConflict(explanation=error.format_message()) from None
        except (exception.NoMoreFixedIps, exception.Invalid) as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        return {'interfaceAttachment': interface_view(vif, req)}

    def _only_network(self, context):
        """The network an attach without net_id or port_id gets: the project's only one."""
        networks = self.network_api.get_all_networks(context, usable_by_project=True)
        if len(networks) != 1:
            raise webob.exc.HTTPBadRequest(explanation=(
                'Multiple possible networks found, use a Network ID to be more specific.'
                if networks else 'No network is available to attach an interface to.'))
        return networks[0].uuid

    @wsgi.response(202)
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        try:
            self.compute_api.detach_interface(req.context, instance, id)
        except exception.PortNotFound as error:
            raise webob.exc.HTTPNotFound(explanation=error.format_message()) from None
