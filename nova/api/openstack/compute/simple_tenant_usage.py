"""/os-simple-tenant-usage: server hours, and vCPU/RAM/disk hours, per project.

A server is billed from launch (or the period's start) to termination (or the
period's end, never past now: a period ending tomorrow bills a running server
until now); one that never launched costs nothing. Admins list every
project; a project reads its own. 2.40 pages by server (limit, marker = the
last server's uuid) with a next link.
"""
import datetime

import webob.exc

from nova import policy
from nova import utils
from nova.api.openstack import common
from nova.api.openstack import parameter_types as types
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.compute import api as compute_api
from nova.i18n import _

_string = types.multi_params({'type': 'string'})
_query = {
    'type': 'object',
    'properties': {'start': _string, 'end': _string,
                   'detailed': types.multi_params(types.boolean)},
    'additionalProperties': True,
}
_query_v240 = types.extended(_query, (), limit=types.multi_params(types.non_negative_integer),
                             marker=_string)
_query_v275 = dict(_query_v240, additionalProperties=False)


def _time(req, name):
    value = req.GET.get(name)
    if value is None:
        return utils.utcnow()
    try:
        parsed = datetime.datetime.fromisoformat(value.strip().replace('Z', '+00:00'))
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('Invalid %s time %r: not an ISO 8601 date and time') % (name, value)
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _period(req):
    start, end = _time(req, 'start'), _time(req, 'end')
    if start > end:
        raise webob.exc.HTTPBadRequest(explanation=(
            _('Invalid start time. The start time cannot occur after the end time.')))
    return start, end


def _server_usage(instance, start, end, now):
    """(hours billed in the period, the server_usages entry)."""
    flavor = (instance.flavor or {}).get('cur') or {}
    launched, terminated = instance.launched_at, instance.terminated_at
    hours = 0.0
    if launched is not None and launched <= end and (terminated is None or terminated >= start):
        billed_until = min(end, terminated or now, now)
        hours = max((billed_until - max(launched, start)).total_seconds(), 0) / 3600.0
    ended = terminated if instance.deleted else None
    started = launched or instance.created_at
    return hours, {
        'instance_id': instance.uuid, 'name': instance.display_name, 'hours': hours,
        'memory_mb': instance.memory_mb, 'local_gb': (instance.root_gb or 0) +
        (instance.ephemeral_gb or 0), 'vcpus': instance.vcpus,
        'tenant_id': instance.project_id, 'flavor': flavor.get('name'),
        'started_at': common.strtime(started), 'ended_at': common.strtime(ended),
        'state': 'terminated' if instance.deleted else instance.vm_state,
        'uptime': int(((ended or now) - started).total_seconds()),
    }


def _usages(instances, start, end, detailed):
    """[tenant usage] in the order projects first appear among instances."""
    now = utils.utcnow()
    period = {'start': common.strtime(start), 'stop': common.strtime(end)}
    by_project = {}
    for instance in instances:
        usage = by_project.get(instance.project_id)
        if usage is None:
            usage = by_project[instance.project_id] = dict(
                period, tenant_id=instance.project_id, total_hours=0.0,
                total_local_gb_usage=0.0, total_memory_mb_usage=0.0, total_vcpus_usage=0.0,
                server_usages=[])
        hours, server = _server_usage(instance, start, end, now)
        usage['total_hours'] += hours
        usage['total_local_gb_usage'] += hours * server['local_gb']
        usage['total_memory_mb_usage'] += hours * (server['memory_mb'] or 0)
        usage['total_vcpus_usage'] += hours * (server['vcpus'] or 0)
        usage['server_usages'].append(server)
    if not detailed:
        for usage in by_project.values():
            del usage['server_usages']
    return list(by_project.values())


class SimpleTenantUsageController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def _instances(self, req, start, end, project_id):
        limit = marker = None
        if req.is_version('2.40'):
            limit, marker = common.limit_and_marker(req)
        instances = self.compute_api.get_active_by_window(req.context, start, end, project_id,
                                                          limit=limit, marker=marker)
        return instances, limit

    @staticmethod
    def _links(req, instances, limit, collection):
        return common.next_link(req, [{'id': i.uuid} for i in instances], limit, collection)

    @validation.query_schema(_query, '2.1', '2.39')
    @validation.query_schema(_query_v240, '2.40', '2.74')
    @validation.query_schema(_query_v275, '2.75')
    def index(self, req):
        policy.authorize(req.context, 'os_compute_api:os-simple-tenant-usage:list', {})
        start, end = _period(req)
        instances, limit = self._instances(req, start, end, None)
        detailed = common.is_true(req.GET.get('detailed', ''))
        body = {'tenant_usages': _usages(instances, start, end, detailed)}
        links = self._links(req, instances, limit, 'os-simple-tenant-usage')
        if links:
            body['tenant_usages_links'] = links
        return body

    @validation.query_schema(_query, '2.1', '2.39')
    @validation.query_schema(_query_v240, '2.40', '2.74')
    @validation.query_schema(_query_v275, '2.75')
    def show(self, req, id):
        policy.authorize(req.context, 'os_compute_api:os-simple-tenant-usage:show',
                         {'project_id': id})
        start, end = _period(req)
        instances, limit = self._instances(req, start, end, id)
        usages = _usages(instances, start, end, detailed=True)
        body = {'tenant_usage': usages[0] if usages else {}}
        links = self._links(req, instances, limit, 'os-simple-tenant-usage/%s' % id)
        if links:
            body['tenant_usage_links'] = links
        return body
