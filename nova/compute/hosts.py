"""Services, hypervisors and availability zones: the operator's view of hosts."""
import uuid as uuid_lib

from nova import exception
from nova import servicegroup
from nova.compute import rpcapi as compute_rpcapi
from nova.conf import CONF
from nova.db import api as db


# Services have integer ids in the table; from API 2.53 they are named by a UUID,
# derived from the id so that every API process names a service the same way.
_SERVICE_NAMESPACE = uuid_lib.UUID('6c0f9e8a-2a5c-4a1e-9d53-5e2c1b7a9f01')


def service_uuid(service):
    return str(uuid_lib.uuid5(_SERVICE_NAMESPACE, 'service-%d' % service.id))


def host_zones(context):
    """{host: zone} for hosts an aggregate puts in a zone."""
    zones = {}
    for aggregate in db.aggregate_get_all(context):
        if aggregate.availability_zone:
            for host in aggregate.hosts:
                zones[host] = aggregate.availability_zone
    return zones


def instance_zone(instance, zones):
    """The zone of the instance's host (the one it asked for until it has a host);
    zones is host_zones()."""
    if not instance.host:
        return instance.availability_zone or ''
    return zones.get(instance.host, CONF.default_availability_zone)


def host_statuses(context):
    """{host: 'UP'|'DOWN'|'MAINTENANCE'|'UNKNOWN'} of the compute services (the
    server's host_status)."""
    statuses = {}
    for svc in db.service_get_all_by_topic(context.elevated(), CONF.compute_topic):
        if svc.forced_down:
            statuses[svc.host] = 'DOWN'
        elif svc.disabled:
            statuses[svc.host] = 'MAINTENANCE'
        else:
            statuses[svc.host] = 'UP' if servicegroup.service_is_up(svc) else 'UNKNOWN'
    return statuses


def service_zone(service, zones):
    if service.binary != 'nova-compute':
        return CONF.internal_service_availability_zone
    return zones.get(service.host, CONF.default_availability_zone)


class HostAPI:
    """What runs where, and whether it is alive."""

    def service_get_all(self, context, host=None, binary=None):
        """[(service, zone, is_up)] sorted by host and binary."""
        zones = host_zones(context)
        return [(svc, service_zone(svc, zones), servicegroup.service_is_up(svc))
                for svc in sorted(db.service_get_all(context), key=lambda s: (s.host, s.binary))
                if (host is None or svc.host == host) and
                (binary is None or svc.binary == binary)]

    def service_update(self, context, host, binary, disabled=None, disabled_reason=None,
                       forced_down=None):
        svc = db.service_get_by_host_and_binary(context, host, binary)
        return self.service_update_by_id(context, svc.id, disabled, disabled_reason,
                                         forced_down)

    def service_update_by_id(self, context, service_id, disabled=None, disabled_reason=None,
                             forced_down=None):
        values = {}
        if disabled is not None:
            values['disabled'] = bool(disabled)
            values['disabled_reason'] = disabled_reason if disabled else None
        if forced_down is not None:
            values['forced_down'] = bool(forced_down)
        return db.service_update(context, service_id, values)

    def service_get_by_uuid(self, context, uuid):
        for svc in db.service_get_all(context):
            if service_uuid(svc) == uuid:
                return svc
        raise exception.ServiceNotFound(service_id=uuid)

    def service_delete(self, context, service_id):
        svc = db.service_get(context, service_id)
        if svc.binary == 'nova-compute' and db.instance_get_all_by_host(context, svc.host):
            raise exception.Conflict(reason='compute service %s on %s still has instances'
                                     % (svc.id, svc.host))
        for aggregate in db.aggregate_get_by_host(context, svc.host):
            db.aggregate_host_delete(context, aggregate.id, svc.host)
        db.service_destroy(context, service_id)

    # -- hypervisors ------------------------------------------------------------
    def hypervisors(self, context, hostname_pattern=None):
        """[(compute node, its service)], optionally matching a hostname substring."""
        services = {s.id: s for s in db.service_get_all_by_topic(context, CONF.compute_topic)}
        nodes = []
        for node in db.compute_node_get_all(context):
            if hostname_pattern and hostname_pattern not in node.hypervisor_hostname:
                continue
            nodes.append((node, services.get(node.service_id)))
        return nodes

    def hypervisor_get_by_uuid(self, context, node_uuid):
        for node in db.compute_node_get_all(context):
            if node.uuid == node_uuid:
                return node, db.service_get(context, node.service_id)
        raise exception.ComputeHostNotFound(host=node_uuid)

    def hypervisor_servers(self, context, hosts):
        """{host: [instance record]} of the live instances on these hosts."""
        by_host = {host: [] for host in hosts}
        if hosts:
            for instance in db.instance_records_by_filters(
                    context, {'host': sorted(by_host)}, sort_keys=['id'], sort_dirs=['asc']):
                by_host[instance.host].append(instance)
        return by_host

    def host_uptime(self, context, service):
        """The `uptime` line of a compute service's host, asked over RPC;
        ComputeServiceUnavailable when the service is down (a call would time out)."""
        return self._host_call(service).get_host_uptime(context, service.host)

    # -- os-hosts ------------------------------------------------------------------
    def compute_service(self, context, host):
        """The nova-compute service of host; ComputeHostNotFound when it has none."""
        try:
            return db.service_get_by_host_and_topic(context, host, CONF.compute_topic)
        except exception.ServiceNotFound:
            raise exception.ComputeHostNotFound(host=host) from None

    def host_resources(self, context, host):
        """[{project, cpu, memory_mb, disk_gb}]: the host's capacity '(total)', what its
        hypervisor reports in use '(used_now)', what its instances' flavors add up to
        '(used_max)', then each project's share of that."""
        service = self.compute_service(context, host)
        nodes = [n for n in db.compute_node_get_all(context) if n.service_id == service.id]
        total = {'cpu': 0, 'memory_mb': 0, 'disk_gb': 0}
        used_now = dict(total)
        for node in nodes:
            total = {'cpu': total['cpu'] + node.vcpus, 'disk_gb': total['disk_gb'] + node.local_gb,
                     'memory_mb': total['memory_mb'] + node.memory_mb}
            used_now = {'cpu': used_now['cpu'] + node.vcpus_used,
                        'memory_mb': used_now['memory_mb'] + node.memory_mb_used,
                        'disk_gb': used_now['disk_gb'] + node.local_gb_used}
        by_project = {}
        for instance in db.instance_get_all_by_host(context, host):
            use = by_project.setdefault(instance.project_id,
                                        {'cpu': 0, 'memory_mb': 0, 'disk_gb': 0})
            use['cpu'] += instance.vcpus or 0
            use['memory_mb'] += instance.memory_mb or 0
            use['disk_gb'] += (instance.root_gb or 0) + (instance.ephemeral_gb or 0)
        used_max = {key: sum(use[key] for use in by_project.values()) for key in total}
        rows = [dict(total, project='(total)'), dict(used_now, project='(used_now)'),
                dict(used_max, project='(used_max)')]
        return rows + [dict(use, project=project) for project, use in sorted(by_project.items())]

    def _host_call(self, service):
        if not servicegroup.service_is_up(service):
            raise exception.ComputeServiceUnavailable(host=service.host)
        return compute_rpcapi.ComputeAPI()

    def host_maintenance_mode(self, context, service, mode):
        """Ask the host's driver; 'on_maintenance' or 'off_maintenance'."""
        return self._host_call(service).host_maintenance_mode(context, service.host, mode)

    def host_power_action(self, context, service, action):
        return self._host_call(service).host_power_action(context, service.host, action)

    def hypervisor_get(self, context, node_id):
        node = db.compute_node_get(context, node_id)
        return node, db.service_get(context, node.service_id)

    def hypervisor_statistics(self, context):
        keys = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload',
                'running_vms', 'disk_available_least')
        stats = dict.fromkeys(keys, 0)
        nodes = db.compute_node_get_all(context)
        for node in nodes:
            for key in keys:
                stats[key] += getattr(node, key) or 0
        stats['count'] = len(nodes)
        return stats

    # -- availability zones ------------------------------------------------------
    def availability_zones(self, context, with_internal=False):
        """{zone: {host: {binary: (is_up, enabled, updated_at)}}}; a zone of only
        disabled or down services still appears (zoneState says it is unavailable)."""
        result = {}
        for svc, zone, is_up in self.service_get_all(context):
            if zone == CONF.internal_service_availability_zone and not with_internal:
                continue
            result.setdefault(zone, {}).setdefault(svc.host, {})[svc.binary] = (
                is_up, not svc.disabled, svc.last_seen_up)
        return result

    def zone_names(self, context):
        """Zones an instance may be booted into."""
        return {CONF.default_availability_zone} | set(host_zones(context).values())
