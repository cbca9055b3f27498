"""What the XenAPI host has and what Nova's instances hold of it.

Capacity comes from the host (its host_CPUs, host_metrics memory_total) and
the instances' SR (physical_size); usage is what Nova placed there: the
control domain's memory plus every instance VM's memory and vCPUs (running
or not, as Nova's claims count them) and the virtual size of the instances'
own VDIs. Cached image VDIs are the SR's business, seen in
disk_available_least.
"""
import json

from nova import exception

MiB = 1024 * 1024
GiB = 1024 ** 3
HYPERVISOR_TYPE = 'xen'


def _version(text):
    """'4.13.5' -> 4013005, as Nova reports hypervisor versions."""
    parts = [int(p) for p in (text or '0').split('.')[:3] if p.isdigit()] + [0, 0, 0]
    return parts[0] * 1000000 + parts[1] * 1000 + parts[2]


def _ceil_gb(size):
    return (int(size) + GiB - 1) // GiB


class HostState:
    def __init__(self, session, host_ref, sr_ref, vmops):
        self.session = session
        self.host_ref = host_ref
        self.sr_ref = sr_ref
        self.vmops = vmops

    def resources(self, nodename):
        host = self.session.call('host.get_record', self.host_ref)
        metrics = self.session.call('host_metrics.get_record', host['metrics'])
        sr = self.session.call('SR.get_record', self.sr_ref)
        vms = self.session.call('VM.get_all_records')
        control = [vm for vm in vms.values() if vm['is_control_domain']
                   and vm['resident_on'] == self.host_ref]
        nova_vms = self.vmops.nova_vms()
        vdis = self.session.call('VDI.get_all_records_where', 'field "SR" = "%s"' % self.sr_ref)
        disk_used = sum(_ceil_gb(v['virtual_size']) for v in vdis.values()
                        if v['other_config'].get('nova_instance_uuid')
                        and v['other_config'].get('nova_disk_type') in ('root', 'ephemeral'))
        cpu = host['cpu_info']
        vcpus = len(host['host_CPUs']) or int(cpu.get('cpu_count', 1))
        local_gb = int(sr['physical_size']) // GiB
        free_gb = (int(sr['physical_size']) - int(sr['virtual_allocation'])) // GiB
        cpu_info = {'arch': 'x86_64', 'model': cpu.get('modelname', ''),
                    'vendor': cpu.get('vendor', ''),
                    'features': sorted(cpu.get('flags', '').split()),
                    'topology': {'sockets': int(cpu.get('socket_count', 1)),
                                 'cores': vcpus // max(int(cpu.get('socket_count', 1)), 1),
                                 'threads': 1}}
        return {
            'vcpus': vcpus,
            'memory_mb': int(metrics['memory_total']) // MiB,
            'local_gb': local_gb,
            'vcpus_used': sum(int(vm['VCPUs_max']) for vm in nova_vms.values()),
            'memory_mb_used': sum(int(vm['memory_static_max']) // MiB
                                  for vm in control + list(nova_vms.values())),
            'local_gb_used': disk_used,
            'hypervisor_type': HYPERVISOR_TYPE,
            'hypervisor_version': _version(host['software_version'].get('xen')),
            'hypervisor_hostname': nodename,
            'cpu_info': json.dumps(cpu_info, sort_keys=True),
            'disk_available_least': max(min(free_gb, local_gb - disk_used), 0),
            'running_vms': len(nova_vms),
        }

    def check_node(self, nodename, host):
        if nodename != host:
            raise exception.ComputeHostNotFound(host=nodename)
