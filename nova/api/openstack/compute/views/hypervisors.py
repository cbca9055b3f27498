"""The hypervisor bodies of /os-hypervisors, per microversion.

2.28 shows cpu_info as an object; 2.53 names hypervisors and services by UUID;
2.88 drops the resource counters (placement's business upstream) and adds uptime
(None when the host is down or its driver cannot tell).
"""
import json

from nova.api.openstack.compute import services as services_api
from nova.servicegroup import service_is_up

# counters shown up to 2.87
RESOURCE_FIELDS = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                   'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload',
                   'running_vms', 'disk_available_least')


def node_id(req, node):
    return node.uuid if req.is_version('2.53') else node.id


def _cpu_info(req, node):
    if not req.is_version('2.28'):
        return node.cpu_info
    try:
        info = json.loads(node.cpu_info or '{}')
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def summary(req, node, service):
    return {'id': node_id(req, node), 'hypervisor_hostname': node.hypervisor_hostname,
            'state': 'up' if service_is_up(service) else 'down',
            'status': 'disabled' if service.disabled else 'enabled'}


def detail(req, node, service, uptime=None):
    body = summary(req, node, service)
    body.update({'hypervisor_type': node.hypervisor_type,
                 'hypervisor_version': node.hypervisor_version, 'host_ip': node.host_ip,
                 'service': {'host': service.host,
                             'id': services_api.service_id(req, service),
                             'disabled_reason': service.disabled_reason}})
    if req.is_version('2.88'):
        body['uptime'] = uptime
    else:
        body.update({field: getattr(node, field) for field in RESOURCE_FIELDS})
        body['cpu_info'] = _cpu_info(req, node)
    return body


def servers(instances):
    return [{'name': instance.name, 'uuid': instance.uuid} for instance in instances]


def statistics(stats):
    return {'hypervisor_statistics': dict(stats)}

