"""Every URL of the compute API and the controller method that serves it.

To add a resource: write its controller (a wsgi.Controller subclass), then
add its paths below as ``(path, {METHOD: method(controller.method)})``; a new
server action is an ``@wsgi.action('name')`` method on a controller listed in
SERVER_ACTIONS. doc/api-guide.md has the full recipe.
"""
from nova.api.openstack import wsgi
from nova.api.openstack.compute import admin_routes
from nova.api.openstack.compute import instance_actions
from nova.api.openstack.compute import ips
from nova.api.openstack.compute import server_actions
from nova.api.openstack.compute import server_diagnostics
from nova.api.openstack.compute import server_metadata
from nova.api.openstack.compute import server_move_actions
from nova.api.openstack.compute import server_tags
from nova.api.openstack.compute import server_topology
from nova.api.openstack.compute import servers
from nova.api.openstack.router import method
from nova.compute import api as compute_api


def route_table():
    """[(path, {METHOD: handler})], plain paths (the router also serves them
    under /{project_id})."""
    api = compute_api.API()
    server = servers.ServersController(api)
    metadata = server_metadata.ServerMetadataController(api)
    tags = server_tags.ServerTagsController(api)
    addresses = ips.IPsController(api)
    actions = instance_actions.InstanceActionsController(api)
    diagnostics = server_diagnostics.ServerDiagnosticsController(api)
    topology = server_topology.ServerTopologyController(api)
    server_action_controllers = [server_actions.ServerActionsController(api),
                                 server_move_actions.ServerMoveActionsController(api)]
    return [
        ('/servers', {'GET': method(server.index), 'POST': method(server.create)}),
        ('/servers/detail', {'GET': method(server.detail)}),
        ('/servers/{id}', {'GET': method(server.show), 'PUT': method(server.update),
                           'DELETE': method(server.delete)}),
        ('/servers/{id}/action', {'POST': wsgi.Actions(*server_action_controllers)}),
        ('/servers/{server_id}/metadata', {
            'GET': method(metadata.index), 'POST': method(metadata.create),
            'PUT': method(metadata.update_all)}),
        ('/servers/{server_id}/metadata/{id}', {
            'GET': method(metadata.show), 'PUT': method(metadata.update),
            'DELETE': method(metadata.delete)}),
        ('/servers/{server_id}/tags', {
            'GET': method(tags.index), 'PUT': method(tags.update_all),
            'DELETE': method(tags.delete_all)}),
        ('/servers/{server_id}/tags/{id}', {
            'GET': method(tags.show), 'PUT': method(tags.update),
            'DELETE': method(tags.delete)}),
        ('/servers/{server_id}/ips', {'GET': method(addresses.index)}),
        ('/servers/{server_id}/ips/{id}', {'GET': method(addresses.show)}),
        ('/servers/{server_id}/os-instance-actions', {'GET': method(actions.index)}),
        ('/servers/{server_id}/os-instance-actions/{id}', {'GET': method(actions.show)}),
        ('/servers/{server_id}/diagnostics', {'GET': method(diagnostics.index)}),
        ('/servers/{server_id}/topology', {'GET': method(topology.index)}),
    ] + admin_routes.route_table()
