"""/os-hypervisors: the compute nodes, their resources and what runs on them.

2.33 pages the lists (limit, marker); 2.53 names nodes by UUID, filters with
hypervisor_hostname_pattern and embeds servers with with_servers (which
replace /{pattern}/search and /{pattern}/servers); 2.75 always shows the
servers list when asked; 2.88 removes /statistics, /{id}/uptime and the resource
counters, and shows uptime in the hypervisor instead.
"""
import uuid as uuid_lib

import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import hypervisors as schema
from nova.api.openstack.compute.views import hypervisors as views
from nova.compute import hosts
from nova.i18n import _

_RULE = 'os_compute_api:os-hypervisors:%s'


def _no_match(pattern):
    return webob.exc.HTTPNotFound(
        explanation=_("No hypervisor matching '%s' could be found.") % pattern)


class HypervisorsController(wsgi.Controller):
    def __init__(self, host_api=None):
        self.host_api = host_api or hosts.HostAPI()

    @validation.query_schema(schema.list_query_v233, '2.33', '2.52')
    @validation.query_schema(schema.list_query_v253, '2.53')
    def index(self, req):
        policy.authorize(req.context, _RULE % 'list', {})
        return self._list(req, views.summary, 'os-hypervisors')

    @validation.query_schema(schema.list_query_v233, '2.33', '2.52')
    @validation.query_schema(schema.list_query_v253, '2.53')
    def detail(self, req):
        policy.authorize(req.context, _RULE % 'list-detail', {})
        return self._list(req, self._detail_view, 'os-hypervisors/detail')

    def _detail_view(self, req, node, service):
        uptime = self._uptime(req, service) if req.is_version('2.88') else None
        return views.detail(req, node, service, uptime)

    def _uptime(self, req, service):
        """The host's uptime line for 2.88's views, None when it cannot be had."""
        try:
            return self.host_api.host_uptime(req.context, service)
        except (exception.NotSupportedByDriver, exception.ComputeServiceUnavailable,
                exception.MessagingTimeout):
            return None

    def _list(self, req, view, collection):
        pattern = req.GET.get('hypervisor_hostname_pattern') if req.is_version('2.53') else None
        paged = req.is_version('2.33') and ('limit' in req.GET or 'marker' in req.GET)
        if pattern and paged:
            raise webob.exc.HTTPBadRequest(explanation=(
                _('Paging over hypervisors with the hypervisor_hostname_pattern query '
                  'parameter is not supported.')))
        nodes = [(n, s) for n, s in self.host_api.hypervisors(req.context, pattern) if s]
        if pattern and not nodes:
            raise _no_match(pattern)
        limit = None
        if req.is_version('2.33'):
            nodes, limit = self._page(req, nodes)
        body = self._with_servers(req, nodes, view)
        result = {'hypervisors': body}
        links = common.next_link(req, body, limit, collection)
        if links:
            result['hypervisors_links'] = links
        return result

    @staticmethod
    def _page(req, nodes):
        limit, marker = common.limit_and_marker(req)
        if marker is not None:
            ids = [str(views.node_id(req, node)) for node, _ in nodes]
            if marker not in ids:
                raise webob.exc.HTTPBadRequest(explanation=_('marker [%s] not found') % marker)
            nodes = nodes[ids.index(marker) + 1:]
        return nodes[:limit], limit

    def _with_servers(self, req, nodes, view):
        """The views, each with its servers when 2.53's with_servers asks."""
        wanted = req.is_version('2.53') and common.is_true(req.GET.get('with_servers', ''))
        body = [view(req, node, service) for node, service in nodes]
        if not wanted:
            return body
        by_host = self.host_api.hypervisor_servers(req.context, {n.host for n, _ in nodes})
        for entry, (node, _stats) in zip(body, nodes):
            on_host = by_host.get(node.host, [])
            if on_host or req.is_version('2.75'):
                entry['servers'] = views.servers(on_host)
        return body

    @validation.query_schema(schema.show_query_v253, '2.53')
    def show(self, req, id):
        policy.authorize(req.context, _RULE % 'show', {})
        node, service = self._get(req, id)
        [body] = self._with_servers(req, [(node, service)], self._detail_view)
        return {'hypervisor': body}

    @wsgi.api_version('2.1', '2.87')
    def uptime(self, req, id):
        """GET /os-hypervisors/{id}/uptime: the host's `uptime` line (2.88 puts it in show)."""
        policy.authorize(req.context, _RULE % 'uptime', {})
        node, service = self._get(req, id)
        try:
            uptime = self.host_api.host_uptime(req.context, service)
        except exception.NotSupportedByDriver:
            raise webob.exc.HTTPNotImplemented(explanation=_('Feature not supported')) from None
        return {'hypervisor': dict(views.summary(req, node, service), uptime=uptime)}

    def _get(self, req, id):
        if req.is_version('2.53'):
            try:
                uuid_lib.UUID(id)
            except ValueError:
                raise webob.exc.HTTPBadRequest(explanation=_('Invalid uuid %s') % id) from None
            try:
                return self.host_api.hypervisor_get_by_uuid(req.context, id)
            except exception.ComputeHostNotFound:
                raise webob.exc.HTTPNotFound(
                    explanation=_("Hypervisor with ID '%s' could not be found.") % id) from None
        try:
            return self.host_api.hypervisor_get(req.context, int(id))
        except (ValueError, exception.ComputeHostNotFound):
            raise webob.exc.HTTPNotFound(
                explanation=_("Hypervisor with ID '%s' could not be found.") % id) from None

    @wsgi.api_version('2.1', '2.87')
    def statistics(self, req):
        policy.authorize(req.context, _RULE % 'statistics', {})
        return views.statistics(self.host_api.hypervisor_statistics(req.context))

    @wsgi.api_version('2.1', '2.52')
    def search(self, req, id):
        """GET /os-hypervisors/{pattern}/search: the nodes whose name contains it."""
        policy.authorize(req.context, _RULE % 'search', {})
        nodes = [(n, s) for n, s in self.host_api.hypervisors(req.context, id) if s]
        if not nodes:
            raise _no_match(id)
        return {'hypervisors': [views.summary(req, n, s) for n, s in nodes]}

    @wsgi.api_version('2.1', '2.52')
    def servers(self, req, id):
        """GET /os-hypervisors/{pattern}/servers: those nodes with their servers."""
        policy.authorize(req.context, _RULE % 'servers', {})
        nodes = [(n, s) for n, s in self.host_api.hypervisors(req.context, id) if s]
        if not nodes:
            raise _no_match(id)
        by_host = self.host_api.hypervisor_servers(req.context, {n.host for n, _ in nodes})
        body = []
        for node, service in nodes:
            entry = views.summary(req, node, service)
            if by_host[node.host]:
                entry['servers'] = views.servers(by_host[node.host])
            body.append(entry)
        return {'hypervisors': body}
