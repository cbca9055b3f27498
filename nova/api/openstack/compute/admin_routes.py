"""The URLs of the operator's resources: hypervisors, services, hosts, aggregates,
server groups, usage, the usage audit log, quota classes and migrations
(compute/routes.py adds them to its table)."""
from nova.api.openstack import wsgi
from nova.api.openstack.compute import aggregates
from nova.api.openstack.compute import hosts as host_resources
from nova.api.openstack.compute import hypervisors
from nova.api.openstack.compute import instance_usage_audit_log
from nova.api.openstack.compute import migrations
from nova.api.openstack.compute import quota_classes
from nova.api.openstack.compute import server_groups
from nova.api.openstack.compute import services
from nova.api.openstack.compute import simple_tenant_usage
from nova.api.openstack.router import method
from nova.compute import hosts


def route_table():
    """[(path, {METHOD: handler})]; fixed paths come before their {id} siblings."""
    host_api = hosts.HostAPI()
    hypervisor = hypervisors.HypervisorsController(host_api)
    service = services.ServiceController(host_api)
    aggregate = aggregates.AggregateController()
    group = server_groups.ServerGroupController()
    usage = simple_tenant_usage.SimpleTenantUsageController()
    migration = migrations.MigrationsController()
    host = host_resources.HostController(host_api)
    audit = instance_usage_audit_log.InstanceUsageAuditLogController()
    quota_class = quota_classes.QuotaClassSetsController()
    return [
        ('/os-hosts', {'GET': method(host.index)}),
        ('/os-hosts/{id}', {'GET': method(host.show), 'PUT': method(host.update)}),
        ('/os-hosts/{id}/startup', {'GET': method(host.startup)}),
        ('/os-hosts/{id}/shutdown', {'GET': method(host.shutdown)}),
        ('/os-hosts/{id}/reboot', {'GET': method(host.reboot)}),
        ('/os-instance_usage_audit_log', {'GET': method(audit.index)}),
        ('/os-instance_usage_audit_log/{id}', {'GET': method(audit.show)}),
        ('/os-quota-class-sets/{id}', {'GET': method(quota_class.show),
                                       'PUT': method(quota_class.update)}),
        ('/os-hypervisors', {'GET': method(hypervisor.index)}),
        ('/os-hypervisors/detail', {'GET': method(hypervisor.detail)}),
        ('/os-hypervisors/statistics', {'GET': method(hypervisor.statistics)}),
        ('/os-hypervisors/{id}', {'GET': method(hypervisor.show)}),
        ('/os-hypervisors/{id}/uptime', {'GET': method(hypervisor.uptime)}),
        ('/os-hypervisors/{id}/search', {'GET': method(hypervisor.search)}),
        ('/os-hypervisors/{id}/servers', {'GET': method(hypervisor.servers)}),
        ('/os-services', {'GET': method(service.index)}),
        ('/os-services/{id}', {'PUT': method(service.update),
                               'DELETE': method(service.delete)}),
        ('/os-aggregates', {'GET': method(aggregate.index),
                            'POST': method(aggregate.create)}),
        ('/os-aggregates/{id}', {'GET': method(aggregate.show), 'PUT': method(aggregate.update),
                                 'DELETE': method(aggregate.delete)}),
        ('/os-aggregates/{id}/action', {'POST': wsgi.Actions(aggregate)}),
        ('/os-aggregates/{id}/images', {'POST': method(aggregate.images)}),
        ('/os-server-groups', {'GET': method(group.index), 'POST': method(group.create)}),
        ('/os-server-groups/{id}', {'GET': method(group.show),
                                    'DELETE': method(group.delete)}),
        ('/os-simple-tenant-usage', {'GET': method(usage.index)}),
        ('/os-simple-tenant-usage/{id}', {'GET': method(usage.show)}),
        ('/os-migrations', {'GET': method(migration.index)}),
    ]
