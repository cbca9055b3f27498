"""VM lifecycle on a XenAPI pool: create from the flavor, power actions, rescue, destroy.

An instance is the VM named ``instance.name`` whose other_config carries
``nova_uuid``; its disks are VDIs whose other_config names the instance
(nova_instance_uuid, nova_disk_type root/ephemeral/rescue-root). Spawn:
root = clone of the image's base VDI grown to root_gb (userdevice 0,
bootable), an ephemeral VDI (userdevice 1), VM.create with memory and vCPUs
from the flavor and PV or HVM boot by vm_mode, a VIF per network_info entry
on the network whose bridge nova-network named, xenstore-data with the
hostname, each VIF's network config and the instance's metadata (what the
guest agent reads), then Async.VM.start. A failure on the way removes what
was made. Rescue boots ``<name>-rescue`` from the image with the instance's
root disk as its second disk while the instance's VM is halted.
"""
import base64
import datetime
import json
import logging
import time
import zlib

from nova import exception
from nova.compute import power_state
from nova.i18n import _LE, _LW
from nova.network import model as network_model
from nova.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024
POWER_STATES = {'Halted': power_state.SHUTDOWN, 'Running': power_state.RUNNING,
                'Paused': power_state.PAUSED, 'Suspended': power_state.SUSPENDED}
VM_MODES = {'xen': 'xen', 'pv': 'xen', 'hvm': 'hvm'}
DEFAULT_PV_ARGS = 'root=/dev/xvda console=hvc0'
RESCUE_SUFFIX = '-rescue'


def vm_mode(image_meta, instance):
    """'xen' (paravirtual) or 'hvm', from the image's vm_mode, else the instance's, else
    PV when the image names a kernel and HVM otherwise."""
    properties = (image_meta or {}).get('properties') or {}
    mode = properties.get('vm_mode') or getattr(instance, 'vm_mode', None)
    if mode:
        if mode.lower() not in VM_MODES:
            raise exception.ImageUnacceptable(
                image_id=(image_meta or {}).get('id'),
                reason='vm_mode %r is not one of xen, pv, hvm' % mode)
        return VM_MODES[mode.lower()]
    return 'xen' if properties.get('kernel_id') else 'hvm'


def xenstore_data(instance, network_info):
    """What the guest agent reads from xenstore: vm-data/hostname, each VIF's
    vm-data/networking/<mac> (JSON) and vm-data/user-metadata/<key>."""
    data = {'vm-data/hostname': instance.hostname or instance.name}
    for vif in network_info or []:
        subnets = vif['network']['subnets']
        v4 = [s for s in subnets if s['version'] == 4]
        v6 = [s for s in subnets if s['version'] == 6]
        config = {
            'label': vif['network']['label'], 'mac': vif['address'],
            'broadcast': v4[0]['broadcast'] if v4 else None,
            'gateway': v4[0]['gateway'] if v4 else None,
            'gateway_v6': v6[0]['gateway'] if v6 else None,
            'dns': [d for s in subnets for d in s['dns']],
            'ips': [{'ip': ip['address'], 'netmask': s['netmask'], 'enabled': '1'}
                    for s in v4 for ip in s['ips']],
            'ip6s': [{'ip': ip['address'], 'netmask': s['cidr'].split('/')[1],
                      'enabled': '1'} for s in v6 for ip in s['ips']],
            'dhcp_server': v4[0].get('dhcp_server') if v4 else None,
            'mtu': vif['network'].get('mtu'),
        }
        data['vm-data/networking/%s' % vif['address'].replace(':', '').lower()] = json.dumps(
            config, sort_keys=True)
    metadata = getattr(instance, 'metadata_dict', None)
    for key, value in sorted((metadata or {}).items()):
        data['vm-data/user-metadata/%s' % key] = str(value)
    return data


class VMOps:
    def __init__(self, session, images, host_ref):
        self.session = session
        self.images = images
        self.host_ref = host_ref

    # -- lookups ----------------------------------------------------------------------
    def _by_name(self, name):
        return self.session.call('VM.get_all_records_where', 'field "name_label" = "%s"' % name)

    def lookup(self, instance, suffix=''):
        """(ref, record) of the instance's VM (or of its rescue VM), or None."""
        for ref, record in self._by_name(instance.name + suffix).items():
            if record['other_config'].get('nova_uuid') == instance.uuid and \
                    not record['is_a_template']:
                return ref, record
        return None

    def vm(self, instance):
        found = self.lookup(instance)
        if found is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return found

    def nova_vms(self):
        """{ref: record} of the instances' VMs in the pool (not rescue VMs)."""
        records = self.session.call('VM.get_all_records_where',
                                    'field "is_control_domain" = "false"')
        return {ref: r for ref, r in records.items()
                if r['other_config'].get('nova_uuid') and not r['is_a_template']
                and not r['name_label'].endswith(RESCUE_SUFFIX)}

    def _conflict(self, instance, action, error):
        details = error.kwargs.get('details') or ['']
        if details[0] == 'VM_BAD_POWER_STATE':
            raise exception.HypervisorStateConflict(
                action=action, instance_uuid=instance.uuid,
                state=details[3] if len(details) > 3 else 'in another state') from None
        raise error

    def _check_not_rescued(self, instance, action):
        if self.lookup(instance, RESCUE_SUFFIX) is not None:
            raise exception.HypervisorStateConflict(action=action, instance_uuid=instance.uuid,
                                                    state='rescued')

    # -- spawn ------------------------------------------------------------------------
    def spawn(self, instance, image_meta, network_info):
        if self.lookup(instance) is not None:
            raise exception.InstanceExists(name=instance.name)
        image_meta = image_meta or {}
        mode = vm_mode(image_meta, instance)
        open_image = image_meta.get('open_image')
        image_id = image_meta.get('id') or instance.image_ref
        made = []  # ('VDI'|'VM', ref), removed in reverse if anything fails
        try:
            with self.images.base(image_id, open_image) as base:
                root = self.images.instance_disk(base, instance, 'root', instance.root_gb)
            made.append(('VDI', root))
            disks = [(root, True)]
            if instance.ephemeral_gb:
                ephemeral = self.images.create_vdi(
                    '%s ephemeral' % instance.name, instance.ephemeral_gb * 1024 ** 3,
                    {'nova_instance_uuid': instance.uuid, 'nova_disk_type': 'ephemeral'})
                made.append(('VDI', ephemeral))
                disks.append((ephemeral, False))
            boot = self._boot_fields(mode, image_meta, open_image)
            vm = self._create_vm(instance, instance.name, boot,
                                 xenstore_data(instance, network_info))
            made.append(('VM', vm))
            for number, (vdi, bootable) in enumerate(disks):
                self.create_vbd(vm, vdi, number, bootable)
            for number, vif in enumerate(network_info or []):
                self.create_vif(vm, vif, number)
            self.session.call_async('VM.start', vm, False, False)
        except BaseException:
            self._undo(made)
            raise
        LOG.info('Instance %s running as VM %s (%s)', instance.uuid, vm, mode)

    def _undo(self, made):
        for kind, ref in reversed(made):
            try:
                if kind == 'VM':
                    self._destroy_vm(ref)
                else:
                    self.images.destroy_vdi(ref)
            except Exception:  # noqa: BLE001 -- cleanup goes on; the first error is raised
                LOG.exception(_LE('Could not remove %s %s after a failed spawn'), kind, ref)

    def _boot_fields(self, mode, image_meta, open_image):
        properties = image_meta.get('properties') or {}
        if mode == 'hvm':
            platform = {'acpi': '1', 'apic': 'true', 'pae': 'true', 'nx': 'true',
                        'timeoffset': '0'}
            if properties.get('os_type') == 'windows':
                platform['viridian'] = 'true'
            return {'HVM_boot_policy': 'BIOS order', 'HVM_boot_params': {'order': 'dc'},
                    'platform': platform, 'PV_bootloader': '', 'PV_kernel': '',
                    'PV_ramdisk': '', 'PV_args': ''}
        fields = {'HVM_boot_policy': '', 'HVM_boot_params': {}, 'platform': {'nx': 'true'},
                  'PV_args': properties.get('os_command_line') or DEFAULT_PV_ARGS,
                  'PV_bootloader': '', 'PV_kernel': '', 'PV_ramdisk': ''}
        if not properties.get('kernel_id'):
            fields['PV_bootloader'] = 'pygrub'  # the kernel is inside the disk image
            return fields
        for key, field in (('kernel_id', 'PV_kernel'), ('ramdisk_id', 'PV_ramdisk')):
            if properties.get(key):
                fields[field] = self._dom0_file(properties[key], open_image)
        return fields

    def _dom0_file(self, image_id, open_image):
        """A kernel or ramdisk image copied to dom0 by the kernel plugin (cached by id)."""
        with self.images.base(image_id, open_image) as vdi:
            size = self.session.call('VDI.get_virtual_size', vdi)
            return self.session.call('host.call_plugin', self.host_ref, 'kernel', 'copy_vdi',
                                     {'vdi-ref': vdi, 'image-size': str(size),
                                      'cached-image': 'image-%s' % image_id})

    def _create_vm(self, instance, name, boot, xenstore):
        memory = str(instance.memory_mb * MiB)
        record = {
            'name_label': name, 'name_description': instance.display_name or '',
            'user_version': '1', 'is_a_template': False, 'affinity': self.host_ref,
            'memory_static_max': memory, 'memory_dynamic_max': memory,
            'memory_dynamic_min': memory, 'memory_static_min': memory,
            'VCPUs_max': str(instance.vcpus), 'VCPUs_at_startup': str(instance.vcpus),
            'VCPUs_params': {}, 'actions_after_shutdown': 'destroy',
            'actions_after_reboot': 'restart', 'actions_after_crash': 'destroy',
            'PV_bootloader_args': '', 'PV_legacy_args': '', 'PCI_bus': '',
            'other_config': {'nova_uuid': instance.uuid}, 'recommendations': '',
            'xenstore_data': xenstore, 'blocked_operations': {}, 'tags': [],
        }
        record.update(boot)
        return self.session.call('VM.create', record)

    def create_vbd(self, vm, vdi, userdevice, bootable, other_config=None):
        return self.session.call('VBD.create', {
            'VM': vm, 'VDI': vdi, 'userdevice': str(userdevice), 'bootable': bootable,
            'mode': 'RW', 'type': 'Disk', 'empty': False, 'unpluggable': True,
            'other_config': other_config or {}, 'qos_algorithm_type': '',
            'qos_algorithm_params': {}})

    def _network(self, vif):
        bridge = vif['network'].get('bridge')
        found = self.session.call('network.get_all_records_where',
                                  'field "bridge" = "%s"' % bridge)
        if not found:
            raise exception.NetworkBridgeNotFound(bridge=bridge, network=vif['network']['id'])
        return next(iter(found))

    def create_vif(self, vm, vif, device):
        return self.session.call('VIF.create', {
            'device': str(device), 'network': self._network(vif), 'VM': vm,
            'MAC': vif['address'], 'MTU': str(vif['network'].get('mtu') or 1500),
            'other_config': {'nova-vif-id': vif['id']}, 'qos_algorithm_type': '',
            'qos_algorithm_params': {}})

    # -- power ------------------------------------------------------------------------
    def _power(self, instance, action, message, *args):
        ref, _ = self.vm(instance)
        try:
            self.session.call_async(message, ref, *args)
        except exception.XenAPIFailure as error:
            self._conflict(instance, action, error)

    def reboot(self, instance, reboot_type):
        if reboot_type not in virt_driver.REBOOT_TYPES:
            raise exception.Invalid(reason='reboot type must be SOFT or HARD, not %r' %
                                    (reboot_type,))
        ref, record = self.vm(instance)
        self._check_not_rescued(instance, 'reboot')
        state = record['power_state']
        if reboot_type == virt_driver.REBOOT_SOFT:
            return self._power(instance, 'soft reboot', 'VM.clean_reboot')
        if state in ('Running', 'Paused'):
            return self._power(instance, 'hard reboot', 'VM.hard_reboot')
        if state == 'Suspended':
            self._power(instance, 'hard reboot', 'VM.hard_shutdown')
        self._power(instance, 'hard reboot', 'VM.start', False, False)

    def power_off(self, instance, timeout):
        ref, record = self.vm(instance)
        self._check_not_rescued(instance, 'power off')
        state = record['power_state']
        if state == 'Halted':
            return
        if state == 'Running' and timeout:
            try:
                self.session.call_async('VM.clean_shutdown', ref)
                return
            except exception.XenAPIFailure as error:
                LOG.warning(_LW('Clean shutdown of %s failed (%s): shutting it down hard'),
                            instance.uuid, error.kwargs.get('details'))
        self._power(instance, 'power off', 'VM.hard_shutdown')

    def power_on(self, instance):
        _, record = self.vm(instance)
        self._check_not_rescued(instance, 'power on')
        if record['power_state'] == 'Running':
            return
        self._power(instance, 'power on', 'VM.start', False, False)

    def action(self, instance, action, message, *args):
        self.vm(instance)
        self._check_not_rescued(instance, action)
        self._power(instance, action, message, *args)

    # -- rescue -----------------------------------------------------------------------
    def rescue(self, instance, image_meta, network_info):
        ref, record = self.vm(instance)
        self._check_not_rescued(instance, 'rescue')
        if record['power_state'] not in ('Running', 'Halted'):
            raise exception.HypervisorStateConflict(action='rescue', instance_uuid=instance.uuid,
                                                    state=record['power_state'].lower())
        image_meta = image_meta or {}
        image_id = image_meta.get('id') or instance.image_ref
        self.images.base_vdi(image_id, image_meta.get('open_image'))  # fails before shutdown
        if record['power_state'] == 'Running':
            self._power(instance, 'rescue', 'VM.hard_shutdown')
        made = []
        try:
            with self.images.base(image_id, image_meta.get('open_image')) as base:
                rescue_root = self.images.instance_disk(base, instance, 'rescue-root', 0)
            made.append(('VDI', rescue_root))
            boot = self._boot_fields(vm_mode(image_meta, instance), image_meta,
                                     image_meta.get('open_image'))
            rescue_vm = self._create_vm(instance, instance.name + RESCUE_SUFFIX, boot,
                                        dict(xenstore_data(instance, network_info),
                                             **{'vm-data/rescue': '1'}))
            made.append(('VM', rescue_vm))
            self.create_vbd(rescue_vm, rescue_root, 0, True)
            self.create_vbd(rescue_vm, self.root_vdi(record), 1, False)
            for number, vif in enumerate(network_info or []):
                self.create_vif(rescue_vm, vif, number)
            self.session.call_async('VM.start', rescue_vm, False, False)
        except BaseException:
            self._undo(made)
            raise

    def root_vdi(self, record):
        for vbd in record['VBDs']:
            vbd_record = self.session.call('VBD.get_record', vbd)
            if vbd_record['userdevice'] == '0':
                return vbd_record['VDI']
        raise exception.XenAPIFailure(method='root disk', details=['VDI_MISSING', 'userdevice 0'])

    def unrescue(self, instance):
        self.vm(instance)
        found = self.lookup(instance, RESCUE_SUFFIX)
        if found is None:
            raise exception.HypervisorStateConflict(action='unrescue', instance_uuid=instance.uuid,
                                                    state='not rescued')
        self._destroy_vm(found[0])
        self._power(instance, 'unrescue', 'VM.start', False, False)

    # -- destroy ----------------------------------------------------------------------
    def _destroy_vm(self, ref, destroy_disks=True):
        """Halt the VM, destroy it (XAPI takes its VBDs and VIFs along) and then the
        instance's own VDIs; returns the VDIs of other SRs it had (volumes)."""
        record = self.session.call('VM.get_record', ref)
        if record['power_state'] != 'Halted':
            self.session.call_async('VM.hard_shutdown', ref)
        own, foreign = [], []
        for vbd in record['VBDs']:
            vdi = self.session.call('VBD.get_VDI', vbd)
            if vdi == 'OpaqueRef:NULL':
                continue
            other = self.session.call('VDI.get_other_config', vdi)
            if other.get('nova_instance_uuid') == record['other_config'].get('nova_uuid') and \
                    other.get('nova_disk_type') in ('root', 'ephemeral', 'rescue-root'):
                # the instance's root disk, attached to its rescue VM, is not the rescue's
                if record['name_label'].endswith(RESCUE_SUFFIX) and \
                        other['nova_disk_type'] != 'rescue-root':
                    continue
                own.append(vdi)
            else:
                foreign.append(vdi)
        self.session.call('VM.destroy', ref)
        if destroy_disks:
            for vdi in own:
                self.images.destroy_vdi(vdi)
        return foreign

    def destroy(self, instance, destroy_disks, forget_volume):
        rescue = self.lookup(instance, RESCUE_SUFFIX)
        if rescue is not None:
            self._destroy_vm(rescue[0])
        found = self.lookup(instance)
        if found is None:
            return
        for vdi in self._destroy_vm(found[0], destroy_disks):
            forget_volume(vdi)
        LOG.info('Destroyed VM %s of instance %s', found[0], instance.uuid)

    # -- inspection -------------------------------------------------------------------
    def get_info(self, instance):
        rescue = self.lookup(instance, RESCUE_SUFFIX)
        _, record = rescue or self.vm(instance)
        memory_kb = int(record['memory_static_max']) // 1024
        return virt_driver.InstanceInfo(
            state=POWER_STATES.get(record['power_state'], power_state.NOSTATE),
            max_mem_kb=memory_kb, mem_kb=int(record['memory_dynamic_max']) // 1024,
            num_cpu=int(record['VCPUs_max']), id=record['uuid'])

    def console_output(self, instance):
        """The console of the VM's current domain. A reboot gives the VM a new domain
        between reading its domid and asking the plugin for that domain's log (the
        plugin then answers IOError): ask again for the new domain, once."""
        for attempt in range(2):
            rescue = self.lookup(instance, RESCUE_SUFFIX)
            _, record = rescue or self.vm(instance)
            domid = int(record['domid'])
            if domid <= 0:
                return ''
            try:
                raw = self.session.call('host.call_plugin', self.host_ref, 'console',
                                        'get_console_log', {'dom_id': str(domid)})
            except exception.XenAPIFailure as error:
                details = error.kwargs['details']
                if details[:1] == ['XENAPI_MISSING_PLUGIN']:
                    raise exception.ConsoleNotAvailable(
                        reason='the XenServer host lacks the dom0 plugin "console" '
                               '(/etc/xapi.d/plugins/console)') from None
                if attempt or details[:3] != [
                        'XENAPI_PLUGIN_FAILURE', 'get_console_log', 'IOError']:
                    raise
                continue
            return zlib.decompress(base64.b64decode(raw)).decode(errors='replace')

    def _counters(self, ref, record):
        """The VM's counters from its data sources: XAPI gives rates, so each counter
        is rate x uptime. (uptime, memory, sources, [(vd name, read, write)],
        [(nova vif id or MAC, rx, tx)])."""
        sources = {s['name_label']: float(s['value'])
                   for s in self.session.call('VM.get_data_sources', ref)}
        metrics = self.session.call('VM_metrics.get_record', record['metrics'])
        start = datetime.datetime.strptime(str(metrics['start_time']), '%Y%m%dT%H:%M:%SZ')
        uptime = max((datetime.datetime.utcnow() - start).total_seconds(), 0.0)
        memory = sources.get('memory', float(metrics['memory_actual']))
        disks = []
        vbds = self.session.call('VBD.get_all_records_where', 'field "VM" = "%s"' % ref)
        for vbd in vbds.values():
            if vbd['currently_attached']:
                disks.append(('vd' + chr(ord('a') + int(vbd['userdevice'])),) + tuple(
                    int(sources.get('vbd_%s_%s' % (vbd['device'], direction), 0.0) * uptime)
                    for direction in ('read', 'write')))
        nics = []
        vifs = self.session.call('VIF.get_all_records_where', 'field "VM" = "%s"' % ref)
        for vif in vifs.values():
            nics.append((vif['other_config'].get('nova-vif-id') or vif['MAC'],) + tuple(
                int(sources.get('vif_%s_%s' % (vif['device'], direction), 0.0) * uptime)
                for direction in ('rx', 'tx')))
        return uptime, memory, sources, disks, nics

    def diagnostics(self, instance):
        """libvirt-shaped counters (cpuN_time, memory, vdX_read, tapX_rx...)."""
        ref, record = self.vm(instance)
        diag = {'state': power_state.STATE_MAP[POWER_STATES.get(record['power_state'],
                                                                power_state.NOSTATE)]}
        uptime, memory, sources, disks, nics = self._counters(ref, record)
        diag['uptime'] = int(uptime)
        for cpu in range(int(record['VCPUs_max'])):
            diag['cpu%d_time' % cpu] = int(sources.get('cpu%d' % cpu, 0.0) * uptime * 1e9)
        diag.update({'memory': int(memory) // 1024, 'memory-actual': int(memory) // 1024})
        if 'memory_internal_free' in sources:
            diag['memory-rss'] = int(memory) // 1024 - int(sources['memory_internal_free'])
        for name, read, write in disks:
            diag.update({name + '_read': read, name + '_read_req': read // 4096,
                         name + '_write': write, name + '_write_req': write // 4096,
                         name + '_errors': 0})
        for vif_id, rx, tx in nics:
            nic = network_model.devname(vif_id)
            for direction, count in (('rx', rx), ('tx', tx)):
                diag['%s_%s' % (nic, direction)] = count
                diag['%s_%s_packets' % (nic, direction)] = count // 1500
                diag['%s_%s_errors' % (nic, direction)] = 0
                diag['%s_%s_drop' % (nic, direction)] = 0
        return diag

    def instance_stats(self, instances):
        """{uuid: InstanceStats} of those of the instances whose VM is in the pool."""
        stats = {}
        for instance in instances:
            found = self.lookup(instance)
            if found is None:
                continue
            ref, record = found
            read_at = time.time()
            uptime, _memory, sources, disks, nics = self._counters(ref, record)
            vcpus = int(record['VCPUs_max'])
            stats[instance.uuid] = virt_driver.InstanceStats(
                read_at=read_at, vcpus=vcpus,
                cpu_time_ns=int(sum(sources.get('cpu%d' % cpu, 0.0)
                                    for cpu in range(vcpus)) * uptime * 1e9),
                disk_read_bytes=sum(read for _, read, _ in disks),
                disk_read_requests=sum(read // 4096 for _, read, _ in disks),
                disk_write_bytes=sum(write for _, _, write in disks),
                disk_write_requests=sum(write // 4096 for _, _, write in disks),
                vifs=tuple(virt_driver.VifStats(id=vif_id, rx_bytes=rx, rx_packets=rx // 1500,
                                                tx_bytes=tx, tx_packets=tx // 1500)
                           for vif_id, rx, tx in nics))
        return stats
