"""The standardized diagnostics of 2.48, from a driver's libvirt-shaped counters.

Every driver reports the counters the libvirt driver does (cpuN_time, memory,
vda_read, tapX_rx, ...; the fake driver mimics them, as Nova's fake driver
does), so the reference's ``driver`` field names that format: libvirt.
"""
import re

_CPU = re.compile(r'^cpu(\d+)_time$')
_DISK = re.compile(r'^(\w+)_(read_req|read|write_req|write|errors)$')
_NIC = re.compile(r'^(tap\w+)_(rx|tx)(?:_(packets|errors|drop))?$')
_DISK_FIELDS = {'read': 'read_bytes', 'read_req': 'read_requests', 'write': 'write_bytes',
                'write_req': 'write_requests', 'errors': 'errors_count'}


def standardized(blob, instance):
    cpus, disks, nics = {}, {}, {}
    for key, value in blob.items():
        if _CPU.match(key):
            cpus[int(_CPU.match(key).group(1))] = value
        elif _NIC.match(key):
            nic, direction, kind = _NIC.match(key).groups()
            field = '%s_%s' % (direction, kind or 'octets')
            nics.setdefault(nic, {'mac_address': None, 'rx_rate': None,
                                  'tx_rate': None})[field] = value
        elif _DISK.match(key) and not key.startswith('memory'):
            disk, kind = _DISK.match(key).groups()
            disks.setdefault(disk, {})[_DISK_FIELDS[kind]] = value
    memory_kb = blob.get('memory')
    return {
        'state': blob.get('state'),
        'driver': 'libvirt',
        'hypervisor': None, 'hypervisor_os': None,
        'uptime': blob.get('uptime'),
        'config_drive': bool(instance.config_drive),
        'num_cpus': len(cpus), 'num_nics': len(nics), 'num_disks': len(disks),
        'memory_details': {
            'maximum': memory_kb // 1024 if memory_kb is not None else None,
            'used': blob['memory-rss'] // 1024 if 'memory-rss' in blob else None},
        'cpu_details': [{'id': cpu, 'time': cpus[cpu], 'utilisation': None}
                        for cpu in sorted(cpus)],
        'nic_details': [nics[nic] for nic in sorted(nics)],
        'disk_details': [disks[disk] for disk in sorted(disks)],
    }
