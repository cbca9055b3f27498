"""Plain records as the scheduler manager feeds them, and HostStates built from them."""
import datetime

from nova import utils
from nova.scheduler import host_manager
from nova.scheduler.host_state import HostState
from nova.scheduler.request_spec import RequestSpec


def compute_node(host, nodename=None, **values):
    """A compute_nodes row: 8 vCPUs, 8 GB RAM, 100 GB disk, nothing used, just reported."""
    node = {'host': host, 'hypervisor_hostname': nodename or host, 'vcpus': 8,
            'memory_mb': 8192, 'local_gb': 100, 'vcpus_used': 0, 'memory_mb_used': 0,
            'local_gb_used': 0, 'running_vms': 0, 'hypervisor_type': 'QEMU',
            'hypervisor_version': 6002000, 'cpu_info': '{"arch": "x86_64"}',
            'cpu_allocation_ratio': None, 'ram_allocation_ratio': None,
            'disk_allocation_ratio': None, 'updated_at': utils.utcnow()}
    node.update(values)
    return node


def service(host, **values):
    record = {'host': host, 'binary': 'nova-compute', 'topic': 'compute', 'disabled': False,
              'forced_down': False, 'is_up': True, 'availability_zone': None}
    record.update(values)
    return record


def host_state(host='host1', nodename=None, service_values=None, aggregates=(),
               instances=(), **node_values):
    state = HostState(host, nodename, set(instances))
    state.set_service(service(host, **(service_values or {})))
    state.set_aggregates(aggregates)
    state.update_from_compute_node(compute_node(host, nodename, **node_values))
    return state


def spec(memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0, extra_specs=None,
         **values):
    flavor = {'flavorid': '1', 'name': 'test', 'memory_mb': memory_mb, 'vcpus': vcpus,
              'root_gb': root_gb, 'ephemeral_gb': ephemeral_gb, 'swap': swap,
              'extra_specs': extra_specs or {}}
    return RequestSpec.from_dict(dict(values, flavor=flavor))


def manager(*nodes, services=None, aggregates=(), instances=None):
    """A HostManager synced with the nodes; every node's host gets an up, enabled service."""
    hm = host_manager.HostManager()
    if services is None:
        services = [service(node['host']) for node in nodes]
    hm.sync(list(nodes), services, list(aggregates), instances or {})
    return hm


def ago(seconds):
    return utils.utcnow() - datetime.timedelta(seconds=seconds)


def passes(host_filter, state, spec):
    """A filter's verdict on one host; host_passes and filter_all must agree."""
    single = host_filter.host_passes(state, spec)
    assert host_filter.filter_all([state], spec) == ([state] if single else [])
    return single
