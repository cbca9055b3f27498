"""/os-hosts (admins, until 2.42): every service's host and zone, a compute host's
resources and what each project uses there, and the operator's switches.

PUT status enables or disables the host's nova-compute service (the scheduler
skips a disabled one); maintenance_mode and the power actions (startup,
shutdown, reboot) are asked of the host's driver, which may not do them (409).
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import parameter_types as types
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.compute import hosts as compute_hosts

RULE = 'os_compute_api:os-hosts:%s'
_ENABLE = {'type': 'string', 'enum': ['enable', 'disable', 'Enable', 'Disable', 'ENABLE',
                                      'DISABLE']}
update_schema = {
    'type': 'object',
    'properties': {'status': _ENABLE, 'maintenance_mode': _ENABLE},
    'anyOf': [{'required': ['status']}, {'required': ['maintenance_mode']}],
    'additionalProperties': False,
}
_query = {'type': 'object', 'properties': {'zone': types.multi_params({'type': 'string'})},
          'additionalProperties': True}


class HostController(wsgi.Controller):
    def __init__(self, host_api=None):
        self.host_api = host_api or compute_hosts.HostAPI()

    @wsgi.api_version('2.1', '2.42')
    @validation.query_schema(_query)
    def index(self, req):
        """{"hosts": [{host_name, service, zone}]}: one entry per RPC service (its topic;
        the HTTP daemons have none and are not hosts of this view)."""
        policy.authorize(req.context, RULE % 'list', {})
        zone = req.GET.get('zone')
        services = self.host_api.service_get_all(req.context)
        return {'hosts': [{'host_name': svc.host, 'service': svc.topic, 'zone': svc_zone}
                          for svc, svc_zone, _up in services
                          if svc.topic and (not zone or svc_zone == zone)]}

    @wsgi.api_version('2.1', '2.42')
    def show(self, req, id):
        """The compute host's totals, then (used_now), (used_max) and each project's use."""
        policy.authorize(req.context, RULE % 'show', {})
        usage = self.host_api.host_resources(req.context, id)
        return {'host': [{'resource': dict(row, host=id)} for row in usage]}

    @wsgi.api_version('2.1', '2.42')
    @validation.schema(update_schema)
    def update(self, req, id, body):
        policy.authorize(req.context, RULE % 'update', {})
        context = req.context
        service = self._compute_service(context, id)
        result = {'host': id}
        if 'status' in body:
            disabled = body['status'].lower() == 'disable'
            service = self.host_api.service_update_by_id(
                context, service.id, disabled=disabled,
                disabled_reason='disabled through os-hosts' if disabled else None)
            result['status'] = 'disabled' if service.disabled else 'enabled'
        if 'maintenance_mode' in body:
            result['maintenance_mode'] = self.host_api.host_maintenance_mode(
                context, service, body['maintenance_mode'].lower() == 'enable')
        return result

    def _compute_service(self, context, host):
        try:
            return self.host_api.compute_service(context, host)
        except exception.ComputeHostNotFound as error:
            raise webob.exc.HTTPNotFound(explanation=error.format_message()) from None

    def _power_action(self, req, id, action, rule):
        policy.authorize(req.context, RULE % rule, {})
        service = self._compute_service(req.context, id)
        return {'host': id,
                'power_action': self.host_api.host_power_action(req.context, service, action)}

    @wsgi.api_version('2.1', '2.42')
    def startup(self, req, id):
        return self._power_action(req, id, 'startup', 'start')

    @wsgi.api_version('2.1', '2.42')
    def shutdown(self, req, id):
        return self._power_action(req, id, 'shutdown', 'shutdown')

    @wsgi.api_version('2.1', '2.42')
    def reboot(self, req, id):
        return self._power_action(req, id, 'reboot', 'reboot')

