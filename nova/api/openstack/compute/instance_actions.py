"""/servers/{id}/os-instance-actions: who did what to a server, and its steps.

From 2.21 a deleted server's actions stay readable; 2.51 shows events to
everyone (tracebacks, and from 2.62 hosts, only to the events policy); 2.58
pages the list (limit, marker = request_id, changes-since; 2.66 changes-before).
"""
import datetime

import webob.exc

from nova import context as nova_context
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import parameter_types as types
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.compute import api as compute_api
from nova.i18n import _

EVENTS = 'os_compute_api:os-instance-actions:events'
EVENT_DETAILS = 'os_compute_api:os-instance-actions:events:details'
_ACTION_FIELDS = ('action', 'instance_uuid', 'request_id', 'user_id', 'project_id',
                  'start_time', 'message')

_time = types.multi_params({'type': 'string', 'format': 'date-time'})
_query_v258 = {
    'type': 'object',
    'properties': {'limit': types.multi_params(types.non_negative_integer),
                   'marker': types.multi_params({'type': 'string'}),
                   'changes-since': _time},
    'additionalProperties': False,
}
_query_v266 = types.extended(_query_v258, (), **{'changes-before': _time})


def _param_time(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


class InstanceActionsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def _instance(self, req, server_id, action):
        context = req.context
        if req.is_version('2.21'):
            context = nova_context.RequestContext.from_dict(
                dict(context.to_dict(), read_deleted='yes'), overwrite=False)
        instance = self.compute_api.get(context, server_id)
        policy.authorize(req.context, 'os_compute_api:os-instance-actions:%s' % action,
                         servers.target(instance))
        return instance

    def _action(self, req, action):
        body = {field: getattr(action, field) for field in _ACTION_FIELDS}
        body['start_time'] = common.strtime(action.start_time)
        if req.is_version('2.58'):
            body['updated_at'] = common.strtime(action.updated_at or action.created_at)
        return body

    @validation.query_schema(_query_v258, '2.58', '2.65')
    @validation.query_schema(_query_v266, '2.66')
    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'list')
        actions = self.compute_api.get_actions(req.context, instance)
        if not req.is_version('2.58'):
            return {'instanceActions': [self._action(req, a) for a in actions]}
        page, limit = self._page(req, actions)
        body = {'instanceActions': [self._action(req, a) for a in page]}
        links = common.next_link(req, body['instanceActions'], limit,
                                 'servers/%s/os-instance-actions' % server_id, 'request_id')
        if links:
            body['links'] = links
        return body

    @staticmethod
    def _page(req, actions):
        since, before = _param_time(req, 'changes-since'), _param_time(req, 'changes-before')
        if since and before and since > before:
            raise webob.exc.HTTPBadRequest(explanation=(
                _('The value of changes-since must be less than or equal to changes-before.')))
        actions = [a for a in actions
                   if (since is None or (a.updated_at or a.created_at) >= since) and
                   (before is None or (a.updated_at or a.created_at) <= before)]
        limit, marker = common.limit_and_marker(req)
        if marker is not None:
            ids = [a.request_id for a in actions]
            if marker not in ids:
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Marker %s could not be found.') % marker)
            actions = actions[ids.index(marker) + 1:]
        return actions[:limit], limit

    def show(self, req, server_id, id):
        context = req.context
        instance = self._instance(req, server_id, 'show')
        action = self.compute_api.get_action(context, instance, id)
        body = self._action(req, action)
        may_see_events = policy.authorize(context, EVENTS, servers.target(instance),
                                          do_raise=False)
        if may_see_events or req.is_version('2.51'):
            may_see_details = req.is_version('2.84') and policy.authorize(
                context, EVENT_DETAILS, servers.target(instance), do_raise=False)
            body['events'] = [self._event(req, instance, event, may_see_events,
                                          may_see_details)
                              for event in self.compute_api.get_action_events(context, action)]
        return {'instanceAction': body}

    @staticmethod
    def _event(req, instance, event, may_see_events, may_see_details):
        body = {'event': event.event, 'start_time': common.strtime(event.start_time),
                'finish_time': common.strtime(event.finish_time), 'result': event.result}
        if may_see_events:
            body['traceback'] = event.traceback
        if req.is_version('2.62'):
            body['hostId'] = common.host_id(instance.project_id, event.host)
            if may_see_events:
                body['host'] = event.host
        if may_see_details:
            body['details'] = event.details
        return body
