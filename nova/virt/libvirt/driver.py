"""The libvirt driver: KVM or QEMU (TCG) guests through libvirtd.

``--compute_driver=libvirt.LibvirtDriver``. The domain type is
``--libvirt_type`` (kvm or qemu), never guessed from /dev/kvm; the URI is
``--libvirt_uri`` (default qemu:///system). A domain's name is the
instance's name and its UUID the instance's UUID; its definition is
persistent, so devices hot-plugged with AFFECT_CONFIG survive a reboot.

Images come from the compute host's base image cache (the manager passes
their local paths in ``image_meta``): the root disk is a qcow2 overlay of the
cached base, kernels and ramdisks of AKI/ARI images are linked into the
instance's directory (see disks.py for the layout). Resize and cold
migration live in migration.py, rescue in rescue.py.
"""
import json
import logging
import os
import time

from nova import exception
from nova.compute import power_state
from nova.conf import CONF
from nova.conf.libvirt import VIRT_TYPES
from nova.i18n import _LW
from nova.network import linux_net
from nova.virt import configdrive, driver
from nova.virt.libvirt import config, devices, disks, rescue, stats, volume_swap
from nova.virt.libvirt import live_migration
from nova.virt.libvirt import migration as cold_migration
from nova.virt.libvirt import host as libvirt_host
from nova.virt.libvirt.host import libvirt

LOG = logging.getLogger(__name__)

MAX_CONSOLE_BYTES = 100 * 1024  # what Nova returns at most
_POLL = 0.2  # seconds between state checks while waiting for the guest
DISK_INFO = 'disk.info'  # {file name: format} of the local disks


class LibvirtDriver(driver.ComputeDriver):
    """Guests as libvirt domains on this host."""

    # every capability decided here (nova/virt/driver.py refuses a driver that leaves
    # one out); doc/support-matrix.md is generated from this table
    capabilities = {
        'supports_pause': True,  # the vCPUs stop (virDomainSuspend)
        'supports_config_drive': True,  # disk.config, a read-only IDE cdrom (hdd)
        'supports_suspend': True,  # managed save: memory to disk, restored on resume
        'supports_rescue': True,  # rescue.py: boots the rescue image, own disk second
        'supports_snapshot': True,  # root disk converted to qcow2 (guest paused meanwhile)
        'supports_resize': True,  # migration.py: disks moved over instances_path
        # over shared instances_path only (no block migration): live_migration.py
        'supports_live_migration': True,
        # abort: abortJob; force complete: pause + no bandwidth limit (live_migration.py)
        'supports_live_migration_control': True,
        'supports_trigger_crash_dump': True,  # an NMI (virDomainInjectNMI)
        'supports_attach_volume': True,  # iSCSI through QEMU's userspace initiator
        # volume_swap.py: a live block copy (blockCopy) onto the new iSCSI disk, pivoted
        'supports_swap_volume': True,
        'supports_multiattach': True,  # the volume's disk is <shareable/> in every guest
        'supports_attach_interface': True,  # a bridge VIF hot-plugged live and in config
        'supports_console_output': True,  # the serial console's log file
        'supports_diagnostics': True,  # vCPU, memory, block and interface counters
        'supports_shelve': True,  # snapshot + destroy, done by the manager
    }

    def __init__(self, host):
        super().__init__(host)
        self.virt_type, default_uri = VIRT_TYPES[CONF.libvirt_type]
        self.uri = CONF.libvirt_uri or default_uri
        self.hypervisor = libvirt_host.Host(self.uri, host, CONF.libvirt_connection_retries)
        self.migrating = {}  # uuid -> 'copying', 'abort' or 'complete' (live_migration.py)

    # --- helpers ---

    def _files(self, instance):
        return disks.InstanceFiles(CONF.instances_path, instance.uuid)

    def _domain(self, instance):
        return self.hypervisor.domain(instance.uuid)

    def _errors(self, instance, action=None):
        return self.hypervisor.errors(instance.uuid, action)

    def _power(self, domain):
        return self.hypervisor.state(domain)

    def _check(self, instance, domain, action):
        """Refuse an action the guest's state does not allow (as every driver does)."""
        rescued = self._is_rescued(instance)
        if rescued != (action == 'unrescue'):
            raise exception.HypervisorStateConflict(
                action=action, instance_uuid=instance.uuid,
                state='rescued' if rescued else 'not rescued')
        state = self._power(domain)
        if state not in driver.ALLOWED_POWER_STATES[action]:
            raise exception.HypervisorStateConflict(
                action=action, instance_uuid=instance.uuid, state=power_state.STATE_MAP[state])
        return state

    def _is_rescued(self, instance):
        return os.path.exists(self._files(instance).path(disks.UNRESCUE_XML))

    def _wait_for(self, domain, states, timeout):
        """Whether the domain reached one of ``states`` within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if self._power(domain) in states:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL)

    def _disk_info(self, files, directory=None):
        """{file name: format} of the instance's local disks."""
        return _read_json(os.path.join(directory or files.dir, DISK_INFO))

    @staticmethod
    def _persistent_xml(domain):
        """The domain's definition (with hot-plugged devices), not its live state."""
        return domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    def _start(self, domain):
        domain.createWithFlags(0)

    def _stop(self, domain):
        if domain.isActive():
            domain.destroy()

    # --- host ---

    def init_host(self, host):
        """Connect, and refuse a --libvirt_type this hypervisor cannot run."""
        self.host = host
        self.hypervisor.host_name = host
        kind, _version = self.hypervisor.hypervisor()
        if kind == 'QEMU':
            offered = libvirt_host.domain_types(self.hypervisor.capabilities())
            if self.virt_type not in offered:
                raise exception.ConfigError(
                    reason='--libvirt_type=%s but %s offers only %s for x86_64' % (
                        self.virt_type, self.uri, ', '.join(sorted(offered)) or 'nothing'))
        os.makedirs(CONF.instances_path, exist_ok=True)

    def get_available_nodes(self):
        return [self.host]

    def get_available_resource(self, nodename):
        """Capacity from libvirt; usage is what this host's guests were given."""
        if nodename != self.host:
            raise exception.ComputeHostNotFound(host=nodename)
        node = self.hypervisor.node_info()
        kind, version = self.hypervisor.hypervisor()
        used = self._allotted()
        os.makedirs(CONF.instances_path, exist_ok=True)
        fs = os.statvfs(CONF.instances_path)
        local_gb = fs.f_blocks * fs.f_frsize // disks.GiB
        free_gb = fs.f_bavail * fs.f_frsize // disks.GiB
        return {
            'vcpus': node['cpus'],
            'memory_mb': node['memory_mb'],
            'local_gb': local_gb,
            'vcpus_used': used['vcpus'],
            'memory_mb_used': used['memory_mb'],
            'local_gb_used': used['disk_gb'],
            'hypervisor_type': kind,
            'hypervisor_version': int(version),
            'hypervisor_hostname': nodename,
            'cpu_info': json.dumps(libvirt_host.cpu_info(self.hypervisor.capabilities()),
                                   sort_keys=True),
            'disk_available_least': min(free_gb, local_gb - used['disk_gb']),
            'running_vms': used['running'],
        }

    def _allotted(self):
        """vCPUs, memory and disk given to every guest defined here (running or not),
        plus the copies sources keep during a resize."""
        used = {'vcpus': 0, 'memory_mb': 0, 'disk_gb': 0, 'running': 0}
        xmls = []
        for domain in self.hypervisor.domains():
            try:
                xmls.append(domain.XMLDesc(0))
                used['running'] += bool(domain.isActive())
            except libvirt.libvirtError:
                continue  # undefined meanwhile
        try:
            names = os.listdir(CONF.instances_path)
        except FileNotFoundError:
            names = []
        for name in names:
            if name.endswith(disks.RESIZE_SUFFIX):
                try:
                    with open(os.path.join(CONF.instances_path, name, disks.DOMAIN_XML)) as f:
                        xmls.append(f.read())
                except FileNotFoundError:
                    continue
        for xml in xmls:
            allotment = config.allotment(xml)
            used['vcpus'] += allotment.vcpus
            used['memory_mb'] += allotment.memory_mb
            used['disk_gb'] += allotment.disk_gb
        return used

    def get_host_uptime(self):
        with open('/proc/uptime') as f:
            seconds = int(float(f.read().split()[0]))
        with open('/proc/loadavg') as f:
            load = f.read().split()[:3]
        days, rest = divmod(seconds, 86400)
        return ' %s up %d days, %2d:%02d,  0 users,  load average: %s' % (
            time.strftime('%H:%M:%S'), days, rest // 3600, rest % 3600 // 60, ', '.join(load))

    # --- building a guest ---

    def _create_disks(self, instance, image_meta, files, rescue=False):
        """The local disks of a new guest; writes disk.info and returns it."""
        use_cow = CONF.use_cow_images
        info = {}
        base = image_meta.get('local_path')
        if not base:
            raise exception.InvalidInput(reason='instance %s: no cached image to boot from'
                                                % instance.uuid)
        fmt = disks.base_format(image_meta.get('disk_format'), image_meta.get('id'))
        name = disks.RESCUE if rescue else disks.ROOT
        info[name] = disks.create_root(base, fmt, files.path(name),
                                       0 if rescue else instance.root_gb, use_cow,
                                       image_meta.get('id'))
        if rescue:
            return info
        if instance.ephemeral_gb:
            info[disks.EPHEMERAL] = disks.create_blank(files.path(disks.EPHEMERAL),
                                                       instance.ephemeral_gb, use_cow)
        swap = _swap_mb(instance)
        if swap:
            info[disks.SWAP] = disks.create_swap(files.path(disks.SWAP), swap)
        _write_json(files.path(DISK_INFO), info)
        return info

    def _link_boot_files(self, image_meta, files, prefix=''):
        """Kernel and ramdisk of an AKI/ARI image, linked into the instance directory."""
        found = {}
        for key, name in (('kernel_path', disks.KERNEL), ('ramdisk_path', disks.RAMDISK)):
            if image_meta.get(key):
                target = files.path(prefix + name)
                if os.path.exists(target):
                    os.unlink(target)
                disks.link_or_copy(image_meta[key], target)
                found[name] = target
        return found

    def _local_disks(self, files, disk_info, rescue=False):
        """Disks from the instance's disk.info: root vda, ephemeral, swap (rescue: the
        rescue disk first, the instance's own root second)."""
        order = [disks.ROOT, disks.EPHEMERAL, disks.SWAP]
        if rescue:
            order = [disks.RESCUE, disks.ROOT]
        result = []
        for name in order:
            if name in disk_info:
                result.append(config.Disk(target='vd' + 'abcdefgh'[len(result)],
                                          path=files.path(name), format=disk_info[name]))
        # the config drive lives in the instance directory, so a definition made again
        # from it (resize, cold migration) attaches it again; an IDE cdrom on the pc
        # machine, where guests' agents look for it
        if not rescue and os.path.exists(files.path(disks.CONFIG)):
            result.append(config.Disk(target='hdd', path=files.path(disks.CONFIG),
                                      format='raw', bus='ide', device='cdrom', readonly=True))
        return result

    def _guest(self, instance, files, disk_info, network_info=(), block_device_info=None,
               image_meta=None, rescue=False, kernel_prefix=''):
        kernel = files.path(kernel_prefix + disks.KERNEL)
        ramdisk = files.path(kernel_prefix + disks.RAMDISK)
        has_kernel = os.path.exists(kernel)
        properties = (image_meta or {}).get('properties') or {}
        local = self._local_disks(files, disk_info, rescue)
        volumes = [devices.volume_disk(bdm['connection_info'], bdm['mount_device'])[0]
                   for bdm in (block_device_info or {}).get('block_device_mapping') or ()]
        flavor = _flavor(instance)
        return config.Guest(
            uuid=instance.uuid, name=instance.name, virt_type=self.virt_type,
            memory_kb=int(instance.memory_mb) * 1024, vcpus=int(instance.vcpus),
            disks=tuple(local + volumes),
            interfaces=tuple(devices.interface(vif) for vif in network_info or ()),
            kernel=kernel if has_kernel else None,
            ramdisk=ramdisk if has_kernel and os.path.exists(ramdisk) else None,
            cmdline=(properties.get('os_command_line') or CONF.libvirt_kernel_cmdline)
            if has_kernel else None,
            console_log=files.path(disks.CONSOLE),
            tcg_tb_cache_mb=CONF.libvirt_tcg_tb_cache_mb,
            display_name=getattr(instance, 'display_name', None) or '',
            flavor={'name': flavor.get('name'), 'memory': instance.memory_mb,
                    'vcpus': instance.vcpus, 'disk': instance.root_gb,
                    'ephemeral': instance.ephemeral_gb, 'swap': _swap_mb(instance)},
            owner={'user': getattr(instance, 'user_id', None),
                   'project': getattr(instance, 'project_id', None)},
            image_id=getattr(instance, 'image_ref', None) or None)

    def _define(self, instance, files, guest_xml):
        with open(files.path(disks.DOMAIN_XML), 'w') as f:
            f.write(guest_xml)
        with self._errors(instance):
            return self.hypervisor.define(guest_xml)

    @staticmethod
    def plug_vifs(network_info):
        """Each VIF's bridge on this host (made, with its uplink, if missing), as
        classic Nova's bridge VIF driver did: libvirt adds the taps to it."""
        for vif in network_info or ():
            linux_net.plug_bridge(vif['network'])

    def _set_volume_secrets(self, block_device_info):
        for bdm in (block_device_info or {}).get('block_device_mapping') or ():
            self._set_secret(bdm['connection_info'], bdm['mount_device'])

    def _set_secret(self, connection_info, mountpoint):
        disk, password = devices.volume_disk(connection_info, mountpoint)
        if disk.secret_usage:
            self.hypervisor.set_secret(disk.secret_usage, config.secret_xml(disk.secret_usage),
                                       password or '')
        return disk

    # --- lifecycle ---

    def spawn(self, context, instance, image_meta, injected_files=None, admin_password=None,
              network_info=None, block_device_info=None, config_drive=None):
        if self.hypervisor.find_domain(instance.uuid) is not None:
            raise exception.InstanceExists(name=instance.name)
        files = self._files(instance)
        files.make()
        disk_info = self._create_disks(instance, image_meta, files)
        if config_drive:
            configdrive.write_iso(config_drive, files.path(disks.CONFIG))
        self._link_boot_files(image_meta, files)
        self._set_volume_secrets(block_device_info)
        self.plug_vifs(network_info)
        guest = self._guest(instance, files, disk_info, network_info, block_device_info,
                            image_meta)
        domain = self._define(instance, files, config.domain_xml(guest))
        with self._errors(instance, 'spawn'):
            self._start(domain)
        LOG.info('Spawned %s (%s) as domain %s', instance.uuid, self.virt_type, instance.name)

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        """Stop and undefine the domain, drop its secrets and (by default) its files."""
        domain = self.hypervisor.find_domain(instance.uuid)
        if domain is not None:
            with self._errors(instance):
                try:
                    self._stop(domain)
                    domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
                except libvirt.libvirtError as e:
                    if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                        raise
        for bdm in (block_device_info or {}).get('block_device_mapping') or ():
            self._delete_secret(bdm['connection_info'])
        if destroy_disks:
            self._files(instance).remove()

    def _delete_secret(self, connection_info):
        if (connection_info.get('data') or {}).get('auth_method', '').upper() == 'CHAP':
            self.hypervisor.delete_secret(devices.secret_usage(connection_info))

    def reboot(self, context, instance, network_info, reboot_type):
        if reboot_type not in driver.REBOOT_TYPES:
            raise exception.InvalidInput(
                reason='reboot_type must be SOFT or HARD, not %r' % (reboot_type,))
        domain = self._domain(instance)
        soft = reboot_type == driver.REBOOT_SOFT
        self._check(instance, domain, 'soft reboot' if soft else 'hard reboot')
        self.plug_vifs(network_info)  # a host rebooted meanwhile lost its bridges
        with self._errors(instance, 'reboot'):
            if soft and self._soft_reboot(instance, domain):
                return
            self._stop(domain)
            self._start(domain)

    def _soft_reboot(self, instance, domain):
        """Ask the guest to power off (ACPI), then start it again; False if it would not."""
        domain.shutdown()
        if self._wait_for(domain, {power_state.SHUTDOWN}, CONF.libvirt_wait_soft_reboot_seconds):
            self._start(domain)
            return True
        LOG.warning(_LW('Instance %s did not shut down within %ss; rebooting it hard'),
                    instance.uuid, CONF.libvirt_wait_soft_reboot_seconds)
        return False

    def power_off(self, instance, timeout=0, retry_interval=0):
        """Stop the guest: ACPI power off for up to ``timeout`` s, then pull the plug."""
        domain = self._domain(instance)
        state = self._check(instance, domain, 'power off')
        if state == power_state.SHUTDOWN:
            return
        with self._errors(instance, 'power off'):
            if timeout and state == power_state.RUNNING:
                domain.shutdown()
                if self._wait_for(domain, {power_state.SHUTDOWN}, timeout):
                    return
            if state == power_state.SUSPENDED:
                domain.managedSaveRemove(0)
            self._stop(domain)

    def power_on(self, context, instance, network_info=None):
        domain = self._domain(instance)
        if self._check(instance, domain, 'power on') == power_state.RUNNING:
            return
        self.plug_vifs(network_info)
        with self._errors(instance, 'power on'):
            self._stop(domain)  # a crashed guest may still have a process
            self._start(domain)

    # --- live migration (over shared storage: libvirt/live_migration.py) ---

    def check_can_live_migrate_destination(self, context, instance, block_migration=False,
                                           disk_over_commit=False):
        return live_migration.destination_check(self, instance, block_migration)

    def check_can_live_migrate_source(self, context, instance, dest_check_data):
        return live_migration.source_check(self, instance, dest_check_data)

    def pre_live_migration(self, context, instance, network_info, migrate_data):
        """The guest's bridges here: QEMU on this host opens its taps on them as the
        incoming guest starts, and libvirt refuses a bridge that does not exist."""
        self.plug_vifs(network_info)
        return migrate_data

    def live_migration(self, context, instance, dest, post_method, recover_method,
                       block_migration=False, migrate_data=None):
        live_migration.migrate(self, context, instance, dest, post_method, recover_method,
                               migrate_data)

    def live_migration_abort(self, instance):
        live_migration.steer(self, instance, 'abort')

    def live_migration_force_complete(self, instance):
        live_migration.steer(self, instance, 'complete')

    def trigger_crash_dump(self, instance):
        """An NMI into the running guest (its kernel panics or dumps, as configured)."""
        domain = self._domain(instance)
        if self._power(domain) != power_state.RUNNING:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        with self._errors(instance, 'trigger crash dump'):
            domain.injectNMI(0)

    def pause(self, instance):
        domain = self._domain(instance)
        self._check(instance, domain, 'pause')
        with self._errors(instance, 'pause'):
            domain.suspend()

    def unpause(self, instance):
        domain = self._domain(instance)
        self._check(instance, domain, 'unpause')
        with self._errors(instance, 'unpause'):
            domain.resume()

    def suspend(self, context, instance):
        """Save the guest's memory to disk and stop it (libvirt managed save)."""
        domain = self._domain(instance)
        self._check(instance, domain, 'suspend')
        with self._errors(instance, 'suspend'):
            domain.managedSave(0)

    def resume(self, context, instance, network_info=None):
        """Start the guest from its managed save image, where it left off."""
        domain = self._domain(instance)
        self._check(instance, domain, 'resume')
        with self._errors(instance, 'resume'):
            self._start(domain)

    def snapshot(self, context, instance, image_id, upload):
        """The root disk as a standalone qcow2 image, streamed to ``upload``.

        A running guest is paused meanwhile (QEMU flushes its disks when it
        stops the CPUs), so the image is consistent; it runs again afterwards.
        """
        domain = self._domain(instance)
        state = self._check(instance, domain, 'snapshot')
        files = self._files(instance)
        fmt = self._disk_info(files).get(disks.ROOT, 'qcow2')
        target = files.path('snapshot-%s.qcow2' % image_id)
        paused = False
        try:
            if state == power_state.RUNNING:
                with self._errors(instance, 'snapshot'):
                    domain.suspend()
                paused = True
            disks.convert(files.path(disks.ROOT), fmt, target, 'qcow2', force_share=True)
        finally:
            if paused:
                with self._errors(instance, 'snapshot'):
                    domain.resume()
        try:
            upload(disks.read_chunks(target), 'qcow2')
        finally:
            if os.path.exists(target):
                os.unlink(target)

    def rescue(self, context, instance, network_info, image_meta, rescue_password):
        rescue.rescue(self, instance, image_meta or {})

    def unrescue(self, context, instance):
        rescue.unrescue(self, instance)

    # --- resize / cold migration (migration.py) ---

    def migrate_disk_and_power_off(self, context, instance, dest, flavor, network_info):
        return cold_migration.migrate_disk_and_power_off(self, instance, dest, flavor)

    def finish_migration(self, context, migration, instance, disk_info, network_info,
                         image_meta, resize_instance, power_on=True):
        cold_migration.finish_migration(self, instance, disk_info, network_info,
                                        image_meta or {}, power_on)

    def confirm_migration(self, context, migration, instance, network_info):
        cold_migration.confirm_migration(self, instance)

    def finish_revert_migration(self, context, instance, network_info, migration,
                                power_on=True):
        cold_migration.finish_revert_migration(self, instance, power_on)

    # --- inspection ---

    def get_info(self, instance):
        domain = self._domain(instance)
        with self._errors(instance):
            _state, max_mem, mem, num_cpu, cpu_time = domain.info()
            state = self._power(domain)
        return driver.InstanceInfo(state=state, max_mem_kb=max_mem, mem_kb=mem,
                                   num_cpu=num_cpu, cpu_time_ns=cpu_time, id=instance.name)

    def list_instances(self):
        with self.hypervisor.errors():
            return [domain.name() for domain in self.hypervisor.domains()]

    def list_instance_uuids(self):
        with self.hypervisor.errors():
            return [domain.UUIDString() for domain in self.hypervisor.domains()]

    def instance_exists(self, instance):
        return self.hypervisor.find_domain(instance.uuid) is not None

    def get_instance_stats(self, instances):
        """The monitor's counters of the given guests that run here (libvirt/stats.py):
        one bulk call for the host's domains."""
        found = self.hypervisor.running_domain_stats()
        read_at = time.time()
        return {instance.uuid: stats.instance_stats(found[instance.uuid],
                                                    getattr(instance, 'vcpus', 1), read_at)
                for instance in instances if instance.uuid in found}

    def get_console_output(self, context, instance):
        """The serial console log (the last 100 KiB)."""
        self._domain(instance)
        return disks.tail(self._files(instance).path(disks.CONSOLE), MAX_CONSOLE_BYTES)

    def get_diagnostics(self, instance):
        """cpuN_time, memory (KiB), per disk <dev>_read/_write/..., per NIC <tap>_rx/_tx/..."""
        domain = self._domain(instance)
        diagnostics = {}
        with self._errors(instance):
            xml = domain.XMLDesc(0)
            _state, max_mem, _mem, _cpus, _cpu_time = domain.info()
            diagnostics['memory'] = max_mem
            if domain.isActive():
                for number, _vstate, cpu_time, _cpu in domain.vcpus()[0]:
                    diagnostics['cpu%d_time' % number] = cpu_time
                for key, value in (domain.memoryStats() or {}).items():
                    diagnostics['memory-' + key] = value
        active = domain.isActive()
        for target in config.disk_targets(xml):
            stats = (0, 0, 0, 0, 0)
            if active:
                with self._errors(instance):
                    stats = domain.blockStats(target)
            for key, value in zip(('read_req', 'read', 'write_req', 'write', 'errors'), stats):
                diagnostics['%s_%s' % (target, key)] = value
        for nic in config.parse(xml).findall('devices/interface'):
            found = nic.find('target')
            if found is None:
                continue
            tap = found.get('dev')
            stats = (0,) * 8
            if active:
                with self._errors(instance):
                    stats = domain.interfaceStats(tap)
            for key, value in zip(('rx', 'rx_packets', 'rx_errors', 'rx_drop', 'tx',
                                   'tx_packets', 'tx_errors', 'tx_drop'), stats):
                diagnostics['%s_%s' % (tap, key)] = value
        return diagnostics

    # --- devices ---

    def get_volume_connector(self, instance):
        """What nova-volume needs to export a volume to this host's initiator."""
        return {'host': self.host, 'ip': CONF.my_ip, 'initiator': _initiator_name(self.host)}

    def _flags(self, domain):
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if domain.isActive():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        return flags

    def attach_volume(self, context, connection_info, instance, mountpoint):
        """Hot-plug the volume (live and in the persistent definition)."""
        domain = self._domain(instance)
        target = devices.target_of(mountpoint)
        with self._errors(instance, 'attach volume'):
            if target in config.disk_targets(domain.XMLDesc(0)):
                raise exception.DeviceInUse(device=mountpoint, instance_uuid=instance.uuid)
            disk = self._set_secret(connection_info, mountpoint)
            try:
                domain.attachDeviceFlags(config.to_string(config.disk_element(disk)),
                                         self._flags(domain))
            except Exception:
                self._delete_secret(connection_info)
                raise

    def swap_volume(self, context, old_connection_info, new_connection_info, instance,
                    mountpoint, resize_to):
        """The disk copied live onto the new volume and pivoted (volume_swap.py)."""
        volume_swap.swap_volume(self, instance, old_connection_info, new_connection_info,
                                mountpoint, resize_to)

    def detach_volume(self, context, connection_info, instance, mountpoint):
        """Hot-unplug the volume; waits until the guest has let it go."""
        domain = self._domain(instance)
        target = devices.target_of(mountpoint)
        with self._errors(instance, 'detach volume'):
            element = config.disk_targets(domain.XMLDesc(0)).get(target)
            if element is None:
                raise exception.DeviceNotAttached(device=mountpoint,
                                                  instance_uuid=instance.uuid)
            self._detach(instance, domain, config.to_string(element),
                         lambda xml: target in config.disk_targets(xml), mountpoint)
        self._delete_secret(connection_info)

    def _detach(self, instance, domain, device_xml, still_there, device):
        """Detach from the definition and the running guest, waiting for the guest."""
        domain.detachDeviceFlags(device_xml, self._flags(domain))
        if not domain.isActive():
            return
        deadline = time.monotonic() + CONF.libvirt_device_detach_timeout
        while still_there(domain.XMLDesc(0)):
            if time.monotonic() >= deadline:
                raise exception.HypervisorError(
                    host=self.host, reason='instance %s did not release %s within %ss'
                    % (instance.uuid, device, CONF.libvirt_device_detach_timeout))
            time.sleep(_POLL)

    def attach_interface(self, context, instance, image_meta, vif):
        domain = self._domain(instance)
        interface = devices.interface(vif)
        self.plug_vifs([vif])
        with self._errors(instance, 'attach interface'):
            if interface.mac in config.interfaces_by_mac(domain.XMLDesc(0)):
                raise exception.DeviceInUse(device=vif['id'], instance_uuid=instance.uuid)
            domain.attachDeviceFlags(config.to_string(config.interface_element(interface)),
                                     self._flags(domain))

    def detach_interface(self, context, instance, vif):
        domain = self._domain(instance)
        mac = (vif.get('address') or '').lower()
        with self._errors(instance, 'detach interface'):
            element = config.interfaces_by_mac(domain.XMLDesc(0)).get(mac)
            if element is None:
                raise exception.DeviceNotAttached(device=vif.get('id'),
                                                  instance_uuid=instance.uuid)
            self._detach(instance, domain, config.to_string(element),
                         lambda xml: mac in config.interfaces_by_mac(xml), vif.get('id'))


def _flavor(instance):
    return ((getattr(instance, 'flavor', None) or {}).get('cur') or {})


def _swap_mb(instance):
    return int(_flavor(instance).get('swap') or 0)


def _initiator_name(host):
    return 'iqn.2010-10.org.openstack:%s' % host


def _write_json(path, value):
    with open(path + '.tmp', 'w') as f:
        json.dump(value, f, sort_keys=True)
    os.rename(path + '.tmp', path)


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}
