"""Remote consoles: a URL for a server's console, through nova-serialproxy.

Serial consoles only: the os-getSerialConsole action and, from 2.6, POST
/servers/{id}/remote-consoles with protocol serial. VNC, SPICE, RDP and MKS
consoles need a graphics proxy this cloud does not run: 400 "Unavailable
console type". GET /os-console-auth-tokens/{token} (admins) says where a token
connects (before 2.31 only RDP tokens were shown, as in Nova).
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions
from nova.api.openstack.compute.schemas import server_actions as action_schemas
from nova.compute import api as compute_api
from nova.i18n import _

RULE = 'os_compute_api:os-remote-consoles'
_PROTOCOLS = ['vnc', 'spice', 'rdp', 'serial']
_TYPES = ['novnc', 'xvpvnc', 'spice-html5', 'rdp-html5', 'serial']


def _create(protocols, types):
    return {
        'type': 'object',
        'properties': {'remote_console': {
            'type': 'object',
            'properties': {'protocol': {'type': 'string', 'enum': protocols},
                           'type': {'type': 'string', 'enum': types}},
            'required': ['protocol', 'type'], 'additionalProperties': False}},
        'required': ['remote_console'], 'additionalProperties': False,
    }


create_v26 = _create(_PROTOCOLS, _TYPES)
create_v28 = _create(_PROTOCOLS + ['mks'], _TYPES + ['webmks'])
create_v299 = _create(_PROTOCOLS + ['mks'], _TYPES + ['webmks', 'spice-direct'])


def _action(name, types):
    return action_schemas._action(name, action_schemas._object(
        {'type': {'type': 'string', 'enum': types}}, ['type']))


class RemoteConsolesController(server_actions.ServerActionBase):
    def _serial(self, req, server_id, console_type):
        instance = self._authorized(req, server_id, RULE)
        return self.compute_api.get_serial_console(req.context, instance, console_type)

    @wsgi.action('os-getSerialConsole')
    @wsgi.response(200)
    @validation.schema(_action('os-getSerialConsole', ['serial']))
    def get_serial_console(self, req, id, body):
        return {'console': self._serial(req, id, body['os-getSerialConsole']['type'])}

    def _unavailable(self, req, server_id, console_type):
        self._authorized(req, server_id, RULE)
        raise exception.ConsoleTypeUnavailable(console_type=console_type)

    @wsgi.action('os-getVNCConsole')
    @validation.schema(_action('os-getVNCConsole', ['novnc', 'xvpvnc']))
    def get_vnc_console(self, req, id, body):
        self._unavailable(req, id, body['os-getVNCConsole']['type'])

    @wsgi.action('os-getSPICEConsole')
    @validation.schema(_action('os-getSPICEConsole', ['spice-html5']))
    def get_spice_console(self, req, id, body):
        self._unavailable(req, id, body['os-getSPICEConsole']['type'])

    @wsgi.action('os-getRDPConsole')
    @validation.schema(_action('os-getRDPConsole', ['rdp-html5']))
    def get_rdp_console(self, req, id, body):
        self._unavailable(req, id, body['os-getRDPConsole']['type'])

    @wsgi.api_version('2.6')
    @validation.schema(create_v26, '2.6', '2.7')
    @validation.schema(create_v28, '2.8', '2.98')
    @validation.schema(create_v299, '2.99')
    def create(self, req, server_id, body):
        """POST /servers/{id}/remote-consoles (2.6): 200 {"remote_console": ...}."""
        given = body['remote_console']
        if given['protocol'] != 'serial':
            return self._unavailable(req, server_id, given['type'])
        console = self._serial(req, server_id, given['type'])
        return {'remote_console': dict(console, protocol='serial')}


class ConsoleAuthTokensController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def show(self, req, id):
        policy.authorize(req.context, 'os_compute_api:os-console-auth-tokens', {})
        try:
            row = self.compute_api.get_console_connection(req.context, id)
        except exception.ConsoleTokenInvalid:
            raise webob.exc.HTTPNotFound(explanation=_('The token is invalid.')) from None
        if not req.is_version('2.31') and row.console_type != 'rdp-html5':
            raise webob.exc.HTTPBadRequest(explanation=(
                _('The requested console type details are not accessible')))
        return {'console': {'instance_uuid': row.instance_uuid, 'host': row.host,
                            'port': row.port,
                            'internal_access_path': row.internal_access_path}}
