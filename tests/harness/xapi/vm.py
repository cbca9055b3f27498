"""VMs and VIFs: XAPI's power-state machine, and the guests that run while a VM is up.

Power states and the messages that move between them (anything else is
VM_BAD_POWER_STATE [vm, expected, actual]):

    Halted  --start-->  Running (Paused with start_paused)
    Running --clean_shutdown / hard_shutdown--> Halted
    Paused, Suspended --hard_shutdown--> Halted
    Running --clean_reboot--> Running;  Running, Paused --hard_reboot--> Running
    Running --pause--> Paused --unpause--> Running
    Running --suspend--> Suspended (memory image in a 'suspend' VDI) --resume--> Running
    Halted  --destroy--> gone (with its VBDs, VIFs and metrics; never its VDIs)

A running VM has a domain id, its VBDs and VIFs attached, VM_metrics and
VM_guest_metrics kept up to date, and a guest (``Guests``) that boots from
its first bootable disk: it prints to its console what it found (the boot
disk's first line, its last boot record, the hostname and network that
vm-data/* in xenstore-data gave it) and writes a boot record to sector 1 of
that disk, so a snapshot carries what the guest wrote.
"""
import itertools
import re
import threading
import time

from tests.harness.xapi import host as xhost
from tests.harness.xapi import objects
from tests.harness.xapi.errors import XapiError, bad_power_state

_MAC = re.compile(r'^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$')
BOOT_RECORD_OFFSET = 512
BOOT_RECORD_SIZE = 256


class Guests:
    """What runs inside each running VM: its console and its counters."""

    def __init__(self, xapi):
        self.xapi = xapi
        self.consoles = {}  # VM uuid -> [lines]
        self.lock = threading.Lock()

    def console(self, vm_uuid):
        with self.lock:
            return ''.join(line + '\n' for line in self.consoles.get(vm_uuid, []))

    def log(self, vm_uuid, text):
        with self.lock:
            self.consoles.setdefault(vm_uuid, []).append('xen-guest: ' + text)

    def forget(self, vm_uuid):
        with self.lock:
            self.consoles.pop(vm_uuid, None)

    def boot(self, vm_ref):
        db, storage = self.xapi.db, self.xapi.storage
        vm = db.get('VM', vm_ref)
        u = vm['uuid']
        if vm['HVM_boot_policy']:
            how = 'HVM BIOS, boot order %s' % vm['HVM_boot_params'].get('order', 'c')
        elif vm['PV_kernel']:
            how = 'PV kernel %s ramdisk %s args "%s"' % (vm['PV_kernel'], vm['PV_ramdisk'] or '-',
                                                         vm['PV_args'])
        else:
            how = 'PV bootloader %s' % vm['PV_bootloader']
        self.log(u, 'domain %d booting: %s, %d MiB, %d vCPUs' % (
            vm['domid'], how, vm['memory_static_max'] // 2 ** 20, vm['VCPUs_at_startup']))
        disk = _boot_disk(db, vm)
        hostname = vm['xenstore_data'].get('vm-data/hostname', '')
        if disk is not None:
            vdi, device = disk
            path, size = storage.path(vdi), db.get('VDI', vdi)['virtual_size']
            with open(path, 'r+b') as f:
                head = f.read(BOOT_RECORD_OFFSET + BOOT_RECORD_SIZE)
                banner = head[:BOOT_RECORD_OFFSET].split(b'\n', 1)[0]
                record = head[BOOT_RECORD_OFFSET:].split(b'\x00', 1)[0]
                self.log(u, '%s %d bytes: %s' % (device, size, _printable(banner) or '(blank)'))
                self.log(u, 'last boot record: %s' % (_printable(record) or 'none'))
                if size >= BOOT_RECORD_OFFSET + BOOT_RECORD_SIZE:
                    mine = ('booted as %s in domain %d' % (hostname or vm['name_label'],
                                                            vm['domid'])).encode()
                    f.seek(BOOT_RECORD_OFFSET)
                    f.write(mine[:BOOT_RECORD_SIZE].ljust(BOOT_RECORD_SIZE, b'\x00'))
            storage._set_utilisation(vdi)
        else:
            self.log(u, 'no bootable disk')
        for vbd in vm['VBDs']:
            record = db.get('VBD', vbd)
            if record['currently_attached'] and record['VDI'] != objects.NULL:
                self.log(u, 'disk %s %d bytes' % (
                    record['device'], db.get('VDI', record['VDI'])['virtual_size']))
        if hostname:
            self.log(u, 'hostname %s' % hostname)
        for key, value in sorted(vm['xenstore_data'].items()):
            if key.startswith('vm-data/networking/'):
                self.log(u, 'network %s: %s' % (key.rsplit('/', 1)[1], value))
            elif key.startswith('vm-data/user-metadata/'):
                self.log(u, 'metadata %s=%s' % (key.rsplit('/', 1)[1], value))
        for vif in vm['VIFs']:
            record = db.get('VIF', vif)
            bridge = db.get('network', record['network'])['bridge']
            self.log(u, 'eth%s %s on bridge %s' % (record['device'], record['MAC'], bridge))
        self.log(u, '%s login:' % (hostname or 'localhost'))

    def device_changed(self, vm_ref):
        vm = self.xapi.db.get('VM', vm_ref)
        attached = sorted(self.xapi.db.get('VBD', v)['device'] for v in vm['VBDs']
                          if self.xapi.db.get('VBD', v)['currently_attached'])
        self.log(vm['uuid'], 'disks now: %s' % ' '.join(attached))

    def disk_plugged(self, vm_ref, device, head):
        """What the guest reads at the start of a disk plugged while it runs."""
        first = _printable(head.split(b'\n', 1)[0])
        self.log(self.xapi.db.get('VM', vm_ref)['uuid'], 'disk %s reads: %s' % (
            device, first or '(blank)'))


def _printable(data):
    return ''.join(chr(b) for b in data if 32 <= b < 127).strip()


def _boot_disk(db, vm):
    for vbd in sorted(vm['VBDs'], key=lambda v: int(db.get('VBD', v)['userdevice'])):
        record = db.get('VBD', vbd)
        if record['bootable'] and record['type'] == 'Disk' and record['VDI'] != objects.NULL:
            return record['VDI'], record['device']
    return None


class VMs:
    def __init__(self, xapi):
        self.xapi = xapi
        self.db = xapi.db
        self.domids = itertools.count(1)
        xapi.handlers.update({
            'VM.create': self.create, 'VM.destroy': self.destroy, 'VM.start': self.start,
            'VM.clean_shutdown': self.clean_shutdown, 'VM.hard_shutdown': self.hard_shutdown,
            'VM.clean_reboot': self.clean_reboot, 'VM.hard_reboot': self.hard_reboot,
            'VM.pause': self.pause, 'VM.unpause': self.unpause, 'VM.suspend': self.suspend,
            'VM.resume': self.resume, 'VM.get_data_sources': self.data_sources,
            'VM.query_data_source': self.query_data_source,
            'VIF.create': self.vif_create, 'VIF.plug': self.vif_plug,
            'VIF.unplug': self.vif_unplug, 'VIF.destroy': self.vif_destroy,
        })

    def _vm(self, ref, *allowed):
        vm = self.db.get('VM', ref)
        if vm['is_control_domain']:
            raise XapiError('OPERATION_NOT_ALLOWED', 'the control domain')
        if allowed and vm['power_state'] not in allowed:
            raise bad_power_state(ref, allowed[0], vm['power_state'])
        return vm

    # -- create / destroy -------------------------------------------------------------
    def create(self, values):
        vm = self.xapi.create('VM', values)
        record = self.db.get('VM', vm)
        memory = [record[k] for k in ('memory_static_min', 'memory_dynamic_min',
                                      'memory_dynamic_max', 'memory_static_max')]
        if memory != sorted(memory) or memory[0] < 0:
            self.db.delete('VM', vm)
            raise XapiError('MEMORY_CONSTRAINT_VIOLATION',
                            'Memory limits must satisfy: static_min <= dynamic_min <= '
                            'dynamic_max <= static_max')
        if not 0 < record['VCPUs_at_startup'] <= record['VCPUs_max']:
            self.db.delete('VM', vm)
            raise XapiError('INVALID_VALUE', 'VCPUs_at_startup', record['VCPUs_at_startup'])
        metrics = self.db.add('VM_metrics', {'install_time': objects.now()})
        self.db.update('VM', vm, metrics=metrics)
        return vm

    def destroy(self, ref):
        vm = self._vm(ref, 'Halted')
        for vbd in list(vm['VBDs']):
            self.db.delete('VBD', vbd)
        for vif in list(vm['VIFs']):
            self.db.delete('VIF', vif)
        for field, cls in (('metrics', 'VM_metrics'), ('guest_metrics', 'VM_guest_metrics')):
            if vm[field] in self.db.tables[cls]:
                self.db.delete(cls, vm[field])
        self.xapi.guests.forget(vm['uuid'])
        self.db.delete('VM', ref)
        return ''

    # -- power ------------------------------------------------------------------------
    def start(self, ref, start_paused, force):
        vm = self._vm(ref, 'Halted')
        if vm['is_a_template']:
            raise XapiError('VM_IS_TEMPLATE', ref)
        if not (vm['HVM_boot_policy'] or vm['PV_bootloader'] or vm['PV_kernel']):
            raise XapiError('BOOTLOADER_FAILED', ref, 'no kernel, bootloader or HVM boot policy')
        for field in ('PV_kernel', 'PV_ramdisk'):
            if vm[field] and not vm['HVM_boot_policy']:
                local = xhost.dom0_path(self.xapi, vm[field])
                if local is None or not _exists(local):
                    raise XapiError('BOOTLOADER_FAILED', ref, '%s %s not found in dom0' % (
                        field, vm[field]))
        free = xhost.memory_free(self.xapi)
        if vm['memory_static_max'] > free:
            raise XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', vm['memory_static_max'], free)
        for vbd in vm['VBDs']:
            self.xapi.storage.check_vdi_free(vbd)
        self._domain_up(ref, 'Paused' if start_paused else 'Running')
        return ''

    def _domain_up(self, ref, state):
        vm = self.db.get('VM', ref)
        domid = next(self.domids)
        self.db.update('VM', ref, power_state=state, domid=domid, resident_on=self.xapi.host_ref)
        for vbd in vm['VBDs']:
            if not self.db.get('VBD', vbd)['empty']:
                self.db.update('VBD', vbd, currently_attached=True)
        for vif in vm['VIFs']:
            self.db.update('VIF', vif, currently_attached=True)
        self.db.update('VM_metrics', vm['metrics'], start_time=objects.now(),
                       memory_actual=vm['memory_dynamic_max'],
                       VCPUs_number=vm['VCPUs_at_startup'], last_updated=objects.now(),
                       VCPUs_utilisation={n: 0.0 for n in range(vm['VCPUs_at_startup'])})
        self._guest_metrics(ref)
        xhost.refresh_metrics(self.xapi)
        self.xapi.guests.boot(ref)

    def _guest_metrics(self, ref):
        vm = self.db.get('VM', ref)
        networks = {}
        for vif in vm['VIFs']:
            mac = self.db.get('VIF', vif)['MAC'].replace(':', '').lower()
            config = vm['xenstore_data'].get('vm-data/networking/%s' % mac)
            if config:
                ips = re.findall(r'"ip": "([0-9.]+)"', config)
                if ips:
                    networks['%s/ip' % self.db.get('VIF', vif)['device']] = ips[0]
        values = {'os_version': {'name': 'XAPI test guest', 'distro': 'test'},
                  'PV_drivers_version': {'major': '8', 'minor': '2', 'micro': '0'},
                  'networks': networks, 'last_updated': objects.now(), 'live': True,
                  'memory': {}, 'disks': {}, 'other': {'feature-shutdown': '1'}}
        if vm['guest_metrics'] in self.db.tables['VM_guest_metrics']:
            self.db.update('VM_guest_metrics', vm['guest_metrics'], **values)
        else:
            self.db.update('VM', ref, guest_metrics=self.db.add('VM_guest_metrics', values))

    def _domain_down(self, ref, state='Halted'):
        vm = self.db.get('VM', ref)
        self.xapi.guests.log(vm['uuid'], 'reboot: Power down' if state == 'Halted'
                             else 'PM: suspended')
        keep = state == 'Suspended'
        updates = {'power_state': state}
        if not keep:
            updates.update(domid=-1, resident_on=objects.NULL)
            for vbd in vm['VBDs']:
                self.db.update('VBD', vbd, currently_attached=False)
            for vif in vm['VIFs']:
                self.db.update('VIF', vif, currently_attached=False)
            if vm['guest_metrics'] in self.db.tables['VM_guest_metrics']:
                self.db.delete('VM_guest_metrics', vm['guest_metrics'])
                updates['guest_metrics'] = objects.NULL
        self.db.update('VM', ref, **updates)
        xhost.refresh_metrics(self.xapi)

    def clean_shutdown(self, ref):
        self._vm(ref, 'Running')
        self._domain_down(ref)
        return ''

    def hard_shutdown(self, ref):
        vm = self._vm(ref, 'Running', 'Paused', 'Suspended')
        if vm['power_state'] == 'Suspended':
            self._drop_suspend_image(ref)
            self.db.update('VM', ref, domid=-1, resident_on=objects.NULL)
        self._domain_down(ref)
        return ''

    def clean_reboot(self, ref):
        self._vm(ref, 'Running')
        return self._reboot(ref)

    def hard_reboot(self, ref):
        self._vm(ref, 'Running', 'Paused')
        return self._reboot(ref)

    def _reboot(self, ref):
        self._domain_down(ref)
        self._domain_up(ref, 'Running')
        return ''

    def pause(self, ref):
        self._vm(ref, 'Running')
        self.db.update('VM', ref, power_state='Paused')
        return ''

    def unpause(self, ref):
        self._vm(ref, 'Paused')
        self.db.update('VM', ref, power_state='Running')
        return ''

    def suspend(self, ref):
        vm = self._vm(ref, 'Running')
        pool = next(iter(self.db.tables['pool'].values()))
        sr = pool['suspend_image_SR'] if pool['suspend_image_SR'] != objects.NULL \
            else pool['default_SR']
        image = self.xapi.storage.vdi_create({
            'name_label': 'Suspend image', 'SR': sr, 'type': 'suspend',
            'virtual_size': str(vm['memory_static_max'])})
        self.db.update('VM', ref, suspend_VDI=image)
        self._domain_down(ref, 'Suspended')
        return ''

    def _drop_suspend_image(self, ref):
        image = self.db.get('VM', ref)['suspend_VDI']
        self.db.update('VM', ref, suspend_VDI=objects.NULL)
        if image in self.db.tables['VDI']:
            self.xapi.storage.vdi_destroy(image)

    def resume(self, ref, start_paused, force):
        self._vm(ref, 'Suspended')
        free = xhost.memory_free(self.xapi)
        vm = self.db.get('VM', ref)
        if vm['memory_static_max'] > free:
            raise XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', vm['memory_static_max'], free)
        self._drop_suspend_image(ref)
        self.db.update('VM', ref, power_state='Paused' if start_paused else 'Running')
        self.xapi.guests.log(vm['uuid'], 'PM: resumed')
        xhost.refresh_metrics(self.xapi)
        return ''

    def halt_from_inside(self, ref):
        """The guest powers itself off (a test's hook): Running -> Halted."""
        self._vm(ref, 'Running')
        self._domain_down(ref)

    # -- data sources (the RRDs) -------------------------------------------------------
    def _sources(self, ref):
        vm = self.db.get('VM', ref)
        if vm['power_state'] not in ('Running', 'Paused'):
            return {}
        metrics = self.db.get('VM_metrics', vm['metrics'])
        up = max(time.time() - metrics['start_time'].timestamp(), 1.0)
        values = {'memory': float(metrics['memory_actual']),
                  'memory_internal_free': float(metrics['memory_actual'] // 2)}
        for cpu in range(vm['VCPUs_at_startup']):
            values['cpu%d' % cpu] = 0.01 + 0.01 * cpu
        for vbd in vm['VBDs']:
            record = self.db.get('VBD', vbd)
            if record['currently_attached']:
                values['vbd_%s_read' % record['device']] = 4096.0 + 1.0 / up
                values['vbd_%s_write' % record['device']] = 1024.0
        for vif in vm['VIFs']:
            device = self.db.get('VIF', vif)['device']
            values['vif_%s_rx' % device] = 512.0
            values['vif_%s_tx' % device] = 256.0
        return values

    def data_sources(self, ref):
        units = {'memory': 'B', 'memory_internal_free': 'KiB'}
        return [{'name_label': name, 'name_description': name, 'enabled': True,
                 'standard': True, 'units': units.get(name, '(fraction)' if name.startswith(
                     'cpu') else 'B/s'), 'min': 0.0, 'max': 1e18,
                 'value': value}
                for name, value in sorted(self._sources(ref).items())]

    def query_data_source(self, ref, name):
        sources = self._sources(ref)
        if name not in sources:
            raise XapiError('INVALID_VALUE', 'data_source', name)
        return sources[name]

    # -- VIFs --------------------------------------------------------------------------
    def vif_create(self, values):
        if not isinstance(values, dict):
            raise XapiError('FIELD_TYPE_ERROR', 'args')
        vm = self.db.get('VM', values.get('VM', objects.NULL))
        devices = {self.db.get('VIF', v)['device'] for v in vm['VIFs']}
        if values.get('device') in devices:
            raise XapiError('DEVICE_ALREADY_EXISTS', values['device'])
        mac = values.get('MAC', '')
        if mac and not _MAC.match(mac):
            raise XapiError('MAC_INVALID', mac)
        return self.xapi.create('VIF', values)

    def _vif_vm_running(self, vif):
        record = self.db.get('VIF', vif)
        vm = self.db.get('VM', record['VM'])
        if vm['power_state'] != 'Running':
            raise bad_power_state(record['VM'], 'Running', vm['power_state'])
        return record

    def vif_plug(self, vif):
        record = self._vif_vm_running(vif)
        if record['currently_attached']:
            raise XapiError('DEVICE_ALREADY_ATTACHED', vif)
        self.db.update('VIF', vif, currently_attached=True)
        return ''

    def vif_unplug(self, vif):
        record = self._vif_vm_running(vif)
        if not record['currently_attached']:
            raise XapiError('DEVICE_ALREADY_DETACHED', vif)
        self.db.update('VIF', vif, currently_attached=False)
        return ''

    def vif_destroy(self, vif):
        record = self.db.get('VIF', vif)
        if record['currently_attached'] and \
                self.db.get('VM', record['VM'])['power_state'] != 'Halted':
            raise XapiError('OPERATION_NOT_ALLOWED', 'VIF is currently attached')
        self.db.delete('VIF', vif)
        return ''


def _exists(path):
    try:
        open(path, 'rb').close()
        return True
    except OSError:
        return False
