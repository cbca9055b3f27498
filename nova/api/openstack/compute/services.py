"""/os-services: which daemons run where, and the operator's switches on them.

Before 2.53 services are named by integer id and switched through
PUT /os-services/{enable,disable,disable-log-reason,force-down} with host and
binary in the body; from 2.53 they are named by UUID and PUT /os-services/{uuid}
sets status, disabled_reason and forced_down of a nova-compute service.
"""
import uuid as uuid_lib

import webob.exc

from nova import policy
from nova import servicegroup
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import services as schema
from nova.compute import hosts
from nova.i18n import _

_ACTIONS = ('enable', 'disable', 'disable-log-reason', 'force-down')


def _is_true(value):
    return common.is_true(value) if isinstance(value, str) else bool(value)


def service_id(req, service):
    """The id the API shows for a service: its UUID from 2.53, else the integer."""
    return hosts.service_uuid(service) if req.is_version('2.53') else service.id


def view(req, service, zone, is_up):
    body = {'id': service_id(req, service), 'binary': service.binary, 'host': service.host,
            'zone': zone, 'status': 'disabled' if service.disabled else 'enabled',
            'state': 'up' if is_up else 'down',
            'updated_at': common.strtime(service.updated_at or service.created_at),
            'disabled_reason': service.disabled_reason}
    if req.is_version('2.11'):
        body['forced_down'] = bool(service.forced_down)
    return body


class ServiceController(wsgi.Controller):
    def __init__(self, host_api=None):
        self.host_api = host_api or hosts.HostAPI()

    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def index(self, req):
        policy.authorize(req.context, 'os_compute_api:os-services:list', {})
        found = self.host_api.service_get_all(req.context, host=req.GET.get('host'),
                                              binary=req.GET.get('binary'))
        return {'services': [view(req, *entry) for entry in found]}

    def _full_view(self, req, service):
        zones = hosts.host_zones(req.context)
        return view(req, service, hosts.service_zone(service, zones),
                    servicegroup.service_is_up(service))

    @wsgi.api_version('2.1', '2.52')
    @validation.schema(schema.service_update, '2.1', '2.10')
    @validation.schema(schema.service_update_v211, '2.11', '2.52')
    def update(self, req, id, body):
        """The pre-2.53 actions, named by the last URL segment."""
        policy.authorize(req.context, 'os_compute_api:os-services:update', {})
        if id not in _ACTIONS or (id == 'force-down' and not req.is_version('2.11')):
            raise webob.exc.HTTPNotFound(explanation=_('Unknown action'))
        host, binary = body['host'], body['binary']
        result = {'host': host, 'binary': binary}
        if id == 'force-down':
            if 'forced_down' not in body:
                raise webob.exc.HTTPBadRequest(explanation=_('Missing forced_down field'))
            forced = _is_true(body['forced_down'])
            self.host_api.service_update(req.context, host, binary, forced_down=forced)
            return {'service': dict(result, forced_down=forced)}
        disable = id != 'enable'
        reason = body.get('disabled_reason') if id == 'disable-log-reason' else None
        if id == 'disable-log-reason' and not reason:
            raise webob.exc.HTTPBadRequest(explanation=_('Missing disabled reason field'))
        self.host_api.service_update(req.context, host, binary, disabled=disable,
                                     disabled_reason=reason)
        result['status'] = 'disabled' if disable else 'enabled'
        if reason:
            result['disabled_reason'] = reason
        return {'service': result}

    @wsgi.api_version('2.53')  # noqa: F811 -- the 2.53 form of update
    @validation.schema(schema.service_update_v253, '2.53')
    def update(self, req, id, body):  # noqa: F811
        policy.authorize(req.context, 'os_compute_api:os-services:update', {})
        service = self._by_uuid(req, id)
        status = body.get('status')
        if 'disabled_reason' in body and status != 'disabled':
            raise webob.exc.HTTPBadRequest(explanation=(
                _("Specifying 'disabled_reason' with status '%s' is invalid.") % status))
        if status is None and 'forced_down' not in body:
            raise webob.exc.HTTPBadRequest(
                explanation=_('At least one of status or forced_down must be specified.'))
        if service.binary != 'nova-compute':
            raise webob.exc.HTTPBadRequest(explanation=(
                _('Updating a %s service is not supported. Only nova-compute services can '
                  'be updated.') % service.binary))
        disabled = None if status is None else status == 'disabled'
        forced = _is_true(body['forced_down']) if 'forced_down' in body else None
        service = self.host_api.service_update_by_id(
            req.context, service.id, disabled=disabled,
            disabled_reason=body.get('disabled_reason'), forced_down=forced)
        return {'service': self._full_view(req, service)}

    def _by_uuid(self, req, id):
        try:
            uuid_lib.UUID(id)
        except ValueError:
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid uuid %s') % id) from None
        return self.host_api.service_get_by_uuid(req.context, id)

    @wsgi.response(204)
    def delete(self, req, id):
        policy.authorize(req.context, 'os_compute_api:os-services:delete', {})
        if req.is_version('2.53'):
            number = self._by_uuid(req, id).id
        else:
            try:
                number = int(id)
            except ValueError:
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Invalid id: %s (expecting "int")') % id) from None
        self.host_api.service_delete(req.context, number)
