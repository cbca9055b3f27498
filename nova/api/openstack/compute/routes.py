"""Every URL of the compute API and the controller method that serves it.

To add a resource: write its controller (a wsgi.Controller subclass), then
add its paths below as ``(path, {METHOD: method(controller.method)})``; a new
server action is an ``@wsgi.action('name')`` method on a controller listed in
SERVER_ACTIONS. doc/api-guide.md has the full recipe. Installed packages add
theirs through API plugins (plugins.py, doc/api_plugins.md), after these.
"""
from nova.api.openstack import wsgi
from nova.api.openstack.compute import admin_routes
from nova.api.openstack.compute import availability_zone
from nova.api.openstack.compute import extensions
from nova.api.openstack.compute import flavor_access
from nova.api.openstack.compute import flavor_extra_specs
from nova.api.openstack.compute import flavors
from nova.api.openstack.compute import floating_ips
from nova.api.openstack.compute import image_metadata
from nova.api.openstack.compute import images
from nova.api.openstack.compute import instance_actions
from nova.api.openstack.compute import keypairs
from nova.api.openstack.compute import limits
from nova.api.openstack.compute import network_routes
from nova.api.openstack.compute import plugins
from nova.api.openstack.compute import quota_sets
from nova.api.openstack.compute import remote_consoles
from nova.api.openstack.compute import security_groups
from nova.api.openstack.compute import ips
from nova.api.openstack.compute import server_actions
from nova.api.openstack.compute import server_admin_actions
from nova.api.openstack.compute import server_diagnostics
from nova.api.openstack.compute import server_external_events
from nova.api.openstack.compute import server_metadata
from nova.api.openstack.compute import server_migrations
from nova.api.openstack.compute import server_move_actions
from nova.api.openstack.compute import server_password
from nova.api.openstack.compute import server_shares
from nova.api.openstack.compute import server_tags
from nova.api.openstack.compute import server_topology
from nova.api.openstack.compute import servers
from nova.api.openstack.compute import volume_routes
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
    server_groups = security_groups.ServerSecurityGroupController(api)
    password = server_password.ServerPasswordController(api)
    consoles = remote_consoles.RemoteConsolesController(api)
    tokens = remote_consoles.ConsoleAuthTokensController(api)
    events = server_external_events.ServerExternalEventsController(api)
    migrations = server_migrations.ServerMigrationsController(api)
    shares = server_shares.ServerSharesController(api)
    server_action_controllers = [server_actions.ServerActionsController(api),
                                 server_move_actions.ServerMoveActionsController(api),
                                 server_admin_actions.ServerAdminActionsController(api),
                                 consoles,
                                 floating_ips.FloatingIPActionController(api)]
    server_action = wsgi.Actions(*server_action_controllers)
    extension = extensions.ExtensionsController()
    core = [
        ('/servers', {'GET': method(server.index), 'POST': method(server.create)}),
        ('/servers/detail', {'GET': method(server.detail)}),
        ('/servers/{id}', {'GET': method(server.show), 'PUT': method(server.update),
                           'DELETE': method(server.delete)}),
        ('/servers/{id}/action', {'POST': server_action}),
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
        ('/servers/{server_id}/os-security-groups', {'GET': method(server_groups.index)}),
        ('/servers/{server_id}/os-server-password', {'GET': method(password.index),
                                                     'DELETE': method(password.clear)}),
        ('/servers/{server_id}/migrations', {'GET': method(migrations.index)}),
        ('/servers/{server_id}/migrations/{id}', {'GET': method(migrations.show),
                                                  'DELETE': method(migrations.delete)}),
        ('/servers/{server_id}/migrations/{id}/action', {'POST': method(migrations.action)}),
        ('/servers/{server_id}/shares', {'GET': method(shares.index),
                                         'POST': method(shares.create)}),
        ('/servers/{server_id}/shares/{id}', {'GET': method(shares.show),
                                              'DELETE': method(shares.delete)}),
        ('/os-server-external-events', {'POST': method(events.create)}),
        ('/servers/{server_id}/remote-consoles', {'POST': method(consoles.create)}),
        ('/os-console-auth-tokens/{id}', {'GET': method(tokens.show)}),
        *resource_routes(extension),
    ] + admin_routes.route_table() + network_routes.route_table() + \
        volume_routes.route_table(api)
    return plugins.attach(api, core, server_action, extension)


def resource_routes(extension):
    """Flavors, key pairs, limits, quotas, zones, the images and security group proxies."""
    flavor = flavors.FlavorsController()
    specs = flavor_extra_specs.FlavorExtraSpecsController()
    access = flavor_access.FlavorAccessController()
    keypair = keypairs.KeypairController()
    quotas = quota_sets.QuotaSetsController()
    zones = availability_zone.AvailabilityZoneController()
    image = images.ImagesController()
    image_meta = image_metadata.ImageMetadataController()
    group = security_groups.SecurityGroupController()
    group_rule = security_groups.SecurityGroupRulesController()
    return [
        ('/extensions', {'GET': method(extension.index)}),
        ('/extensions/{id}', {'GET': method(extension.show)}),
        ('/flavors', {'GET': method(flavor.index), 'POST': method(flavor.create)}),
        ('/flavors/detail', {'GET': method(flavor.detail)}),
        ('/flavors/{id}', {'GET': method(flavor.show), 'PUT': method(flavor.update),
                           'DELETE': method(flavor.delete)}),
        ('/flavors/{id}/action', {
            'POST': wsgi.Actions(flavor_access.FlavorActionController())}),
        ('/flavors/{flavor_id}/os-flavor-access', {'GET': method(access.index)}),
        ('/flavors/{flavor_id}/os-extra_specs', {
            'GET': method(specs.index), 'POST': method(specs.create)}),
        ('/flavors/{flavor_id}/os-extra_specs/{id}', {
            'GET': method(specs.show), 'PUT': method(specs.update),
            'DELETE': method(specs.delete)}),
        ('/os-keypairs', {'GET': method(keypair.index), 'POST': method(keypair.create)}),
        ('/os-keypairs/{id}', {'GET': method(keypair.show), 'DELETE': method(keypair.delete)}),
        ('/limits', {'GET': method(limits.LimitsController().index)}),
        ('/os-quota-sets/{id}', {'GET': method(quotas.show), 'PUT': method(quotas.update),
                                 'DELETE': method(quotas.delete)}),
        ('/os-quota-sets/{id}/detail', {'GET': method(quotas.detail)}),
        ('/os-quota-sets/{id}/defaults', {'GET': method(quotas.defaults)}),
        ('/os-availability-zone', {'GET': method(zones.index)}),
        ('/os-availability-zone/detail', {'GET': method(zones.detail)}),
        ('/images', {'GET': method(image.index)}),
        ('/images/detail', {'GET': method(image.detail)}),
        ('/images/{id}', {'GET': method(image.show), 'DELETE': method(image.delete)}),
        ('/images/{image_id}/metadata', {
            'GET': method(image_meta.index), 'POST': method(image_meta.create),
            'PUT': method(image_meta.update_all)}),
        ('/images/{image_id}/metadata/{id}', {
            'GET': method(image_meta.show), 'PUT': method(image_meta.update),
            'DELETE': method(image_meta.delete)}),
        ('/os-security-groups', {'GET': method(group.index), 'POST': method(group.create)}),
        ('/os-security-groups/{id}', {'GET': method(group.show), 'PUT': method(group.update),
                                      'DELETE': method(group.delete)}),
        ('/os-security-group-rules', {'POST': method(group_rule.create)}),
        ('/os-security-group-rules/{id}', {'DELETE': method(group_rule.delete)}),
    ]
