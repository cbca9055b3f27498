"""POST /os-server-external-events: other services (network, volume) tell compute
about instances; each event comes back with its code (200 delivered to the
instance's host, 404 unknown instance, 422 not on a host yet). The answer is
200 when every event was delivered, 207 when some were not, and a 404 fault
when no instance was found. Event names come with microversions: volume-extended
2.51, power-update 2.76, accelerator-request-bound 2.82, volume-reimaged 2.93."""
import copy

import webob.exc

from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.compute import admin_actions
from nova.compute import api as compute_api
from nova.i18n import _

_event = {
    'type': 'object',
    'properties': {
        'server_uuid': {'type': 'string', 'format': 'uuid'},
        'name': {'type': 'string', 'enum': list(admin_actions.EVENT_NAMES[:4])},
        'status': {'type': 'string', 'enum': list(admin_actions.EVENT_STATUSES)},
        'tag': {'type': 'string', 'maxLength': 255},
    },
    'required': ['server_uuid', 'name'],
    'additionalProperties': False,
}
create_schema = {
    'type': 'object',
    'properties': {'events': {'type': 'array', 'minItems': 1, 'items': _event}},
    'required': ['events'],
    'additionalProperties': False,
}


def _with_names(count):
    schema = copy.deepcopy(create_schema)
    schema['properties']['events']['items']['properties']['name']['enum'] = list(
        admin_actions.EVENT_NAMES[:count])
    return schema


create_v251, create_v276 = _with_names(5), _with_names(6)
create_v282, create_v293 = _with_names(7), _with_names(8)


class ServerExternalEventsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    @validation.schema(create_schema, '2.1', '2.50')
    @validation.schema(create_v251, '2.51', '2.75')
    @validation.schema(create_v276, '2.76', '2.81')
    @validation.schema(create_v282, '2.82', '2.92')
    @validation.schema(create_v293, '2.93')
    def create(self, req, body):
        policy.authorize(req.context, 'os_compute_api:os-server-external-events:create', {})
        answered = self.compute_api.external_instance_event(req.context.elevated(),
                                                            body['events'])
        codes = {event['code'] for event in answered}
        if 200 not in codes:
            raise webob.exc.HTTPNotFound(explanation=_('No instances found for any event'))
        return wsgi.ResponseObject({'events': answered}, code=200 if codes == {200} else 207)
