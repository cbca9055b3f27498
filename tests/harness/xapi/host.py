"""The pool's one host: its records at start, its memory accounting, and dom0 plugins.

A fresh server has a pool whose master is this host, the host with its
host_metrics and host_cpu records, a local ``ext`` SR (the pool's default
SR, with a PBD plugged), and the networks a test asks for (one per bridge,
as a XenServer host has ``xenbr0`` and the bridges an operator created).

``host.call_plugin`` runs the dom0 plugins Nova's XenAPI driver installs on a
real host: ``console`` (get_console_log: the guest's console, zlib-compressed
and base64-encoded) and ``kernel`` (copy_vdi: a kernel or ramdisk VDI copied
to dom0's /boot/guest; remove_kernel_ramdisk). These are not XAPI itself: a
real host runs them only once they are installed in /etc/xapi.d/plugins.
"""
import base64
import os
import zlib

from tests.harness.xapi import objects
from tests.harness.xapi.errors import XapiError

DOM0_MEMORY = 752 * 1024 * 1024
GUEST_KERNEL_DIR = '/boot/guest'


def setup(xapi, data_dir, memory_mb=32768, cpus=8, disk_gb=200, bridges=('xenbr0',),
          hostname='xapi-test-host', address='127.0.0.1'):
    db = xapi.db
    xapi.data_dir = data_dir
    xapi.dom0_dir = os.path.join(data_dir, 'dom0')
    os.makedirs(os.path.join(xapi.dom0_dir, GUEST_KERNEL_DIR.lstrip('/')), exist_ok=True)
    metrics = db.add('host_metrics', {'memory_total': memory_mb * 1024 * 1024,
                                      'memory_free': memory_mb * 1024 * 1024 - DOM0_MEMORY,
                                      'last_updated': objects.now()})
    host = db.add('host', {
        'name_label': hostname, 'hostname': hostname, 'address': address,
        'API_version_major': 2, 'API_version_minor': 21,
        'software_version': {'product_brand': 'XAPI test server', 'product_version': '8.2.0',
                             'xapi': '1.20', 'xen': '4.13.5', 'hostname': hostname},
        'cpu_info': {'cpu_count': str(cpus), 'socket_count': '1', 'vendor': 'GenuineIntel',
                     'speed': '2400.000', 'modelname': 'Test CPU', 'family': '6',
                     'model': '85', 'flags': 'fpu de tsc msr pae cx8 apic sep pge cmov'},
        'metrics': metrics})
    xapi.host_ref = host
    for number in range(cpus):
        cpu = db.add('host_cpu', {'host': host, 'number': number, 'vendor': 'GenuineIntel',
                                  'speed': 2400, 'modelname': 'Test CPU', 'family': 6,
                                  'model': 85, 'utilisation': 0.02})
        db.tables['host'][host]['host_CPUs'].append(cpu)
    control = db.add('VM', {'name_label': 'Control domain on host: ' + hostname,
                            'power_state': 'Running', 'is_control_domain': True, 'domid': 0,
                            'resident_on': host, 'memory_static_max': DOM0_MEMORY,
                            'memory_dynamic_max': DOM0_MEMORY, 'memory_dynamic_min': DOM0_MEMORY,
                            'memory_static_min': DOM0_MEMORY, 'VCPUs_max': cpus,
                            'VCPUs_at_startup': cpus})
    db.tables['host'][host]['resident_VMs'].append(control)
    xapi.control_domain = control
    sr = xapi.storage.local_sr(disk_gb * 1024 ** 3)
    db.add('pool', {'name_label': '', 'master': host, 'default_SR': sr, 'suspend_image_SR': sr})
    for bridge in bridges:
        add_network(xapi, bridge)
    xapi.handlers['host.call_plugin'] = lambda host_ref, plugin, fn, args: call_plugin(
        xapi, host_ref, plugin, fn, args)


def add_network(xapi, bridge, label=None):
    """A network record on ``bridge`` (an operator's `xe network-create` + bridge)."""
    existing = xapi.db.find('network', bridge=bridge)
    if existing:
        return existing[0][0]
    return xapi.db.add('network', {'name_label': label or 'Pool-wide network %s' % bridge,
                                   'bridge': bridge, 'MTU': 1500})


def memory_free(xapi):
    total = xapi.db.get('host_metrics', xapi.db.get('host', xapi.host_ref)['metrics'])
    used = DOM0_MEMORY + sum(
        vm['memory_static_max'] for ref, vm in xapi.db.tables['VM'].items()
        if vm['power_state'] in ('Running', 'Paused') and not vm['is_control_domain'])
    return total['memory_total'] - used


def refresh_metrics(xapi):
    host = xapi.db.get('host', xapi.host_ref)
    xapi.db.update('host_metrics', host['metrics'], memory_free=memory_free(xapi),
                   last_updated=objects.now())
    resident = [ref for ref, vm in xapi.db.tables['VM'].items()
                if vm['resident_on'] == xapi.host_ref]
    xapi.db.update('host', xapi.host_ref, resident_VMs=resident)


def call_plugin(xapi, host_ref, plugin, fn, args):
    xapi.db.get('host', host_ref)
    if not isinstance(args, dict):
        raise XapiError('FIELD_TYPE_ERROR', 'args')
    plugins = {('console', 'get_console_log'): _console_log,
               ('kernel', 'copy_vdi'): _copy_kernel,
               ('kernel', 'remove_kernel_ramdisk'): _remove_kernel}
    if plugin not in {p for p, _ in plugins}:
        raise XapiError('XENAPI_MISSING_PLUGIN', plugin)
    handler = plugins.get((plugin, fn))
    if handler is None:
        raise XapiError('XENAPI_PLUGIN_FAILURE', fn, 'UnknownFunction', fn)
    return handler(xapi, args)


def _console_log(xapi, args):
    dom_id = args.get('dom_id', '')
    for vm in xapi.db.tables['VM'].values():
        if str(vm['domid']) == dom_id and vm['domid'] > 0:
            text = xapi.guests.console(vm['uuid'])
            return base64.b64encode(zlib.compress(text.encode())).decode()
    raise XapiError('XENAPI_PLUGIN_FAILURE', 'get_console_log', 'IOError',
                    'No console log for domain %s' % dom_id)


def _copy_kernel(xapi, args):
    vdi = args.get('vdi-ref', '')
    record = xapi.db.get('VDI', vdi)
    name = args.get('cached-image') or record['uuid']
    if '/' in name or name.startswith('.'):
        raise XapiError('XENAPI_PLUGIN_FAILURE', 'copy_vdi', 'ValueError', name)
    target = os.path.join(xapi.dom0_dir, GUEST_KERNEL_DIR.lstrip('/'), name)
    with open(target, 'wb') as out:
        for chunk in xapi.storage.read_raw(vdi, limit=int(args.get('image-size', '0') or 0)):
            out.write(chunk)
    return os.path.join(GUEST_KERNEL_DIR, name)


def _remove_kernel(xapi, args):
    for key in ('kernel-file', 'ramdisk-file'):
        path = args.get(key)
        if path:
            local = dom0_path(xapi, path)
            if local and os.path.exists(local):
                os.unlink(local)
    return ''


def dom0_path(xapi, path):
    """Where dom0's ``path`` under /boot/guest lives in the server's directory, or None."""
    if not path.startswith(GUEST_KERNEL_DIR + '/') or '..' in path:
        return None
    return os.path.join(xapi.dom0_dir, path.lstrip('/'))
