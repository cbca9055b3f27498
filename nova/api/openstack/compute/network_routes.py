"""The URLs of the nova-network proxies (to 2.35): networks, tenant networks, fixed
and floating IPs, pools and bulk ranges; and a server's interfaces (os-interface).
compute/routes.py adds them to its table."""
from nova.api.openstack.compute import attach_interfaces
from nova.api.openstack.compute import fixed_ips
from nova.api.openstack.compute import floating_ips
from nova.api.openstack.compute import floating_ips_bulk
from nova.api.openstack.compute import networks
from nova.api.openstack.router import method


def route_table():
    """[(path, {METHOD: handler})]; fixed paths come before their {id} siblings."""
    network = networks.NetworkController()
    tenant = networks.TenantNetworkController()
    fixed = fixed_ips.FixedIPController()
    floating = floating_ips.FloatingIPController()
    pools = floating_ips.FloatingIPPoolsController()
    bulk = floating_ips_bulk.FloatingIPBulkController()
    interfaces = attach_interfaces.InterfaceAttachmentController()
    return [
        ('/servers/{server_id}/os-interface', {'GET': method(interfaces.index),
                                               'POST': method(interfaces.create)}),
        ('/servers/{server_id}/os-interface/{id}', {'GET': method(interfaces.show),
                                                    'DELETE': method(interfaces.delete)}),
        ('/os-networks', {'GET': method(network.index), 'POST': method(network.create)}),
        ('/os-networks/add', {'POST': method(network.add)}),
        ('/os-networks/{id}', {'GET': method(network.show),
                               'DELETE': method(network.delete)}),
        ('/os-networks/{id}/action', {'POST': method(network.action)}),
        ('/os-tenant-networks', {'GET': method(tenant.index), 'POST': method(tenant.create)}),
        ('/os-tenant-networks/{id}', {'GET': method(tenant.show),
                                      'DELETE': method(tenant.delete)}),
        ('/os-fixed-ips/{id}', {'GET': method(fixed.show)}),
        ('/os-fixed-ips/{id}/action', {'POST': method(fixed.action)}),
        ('/os-floating-ips', {'GET': method(floating.index), 'POST': method(floating.create)}),
        ('/os-floating-ips/{id}', {'GET': method(floating.show),
                                   'DELETE': method(floating.delete)}),
        ('/os-floating-ip-pools', {'GET': method(pools.index)}),
        ('/os-floating-ips-bulk', {'GET': method(bulk.index), 'POST': method(bulk.create)}),
        ('/os-floating-ips-bulk/{id}', {'GET': method(bulk.show), 'PUT': method(bulk.delete)}),
    ]
