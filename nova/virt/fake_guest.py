"""One guest of the fake hypervisor: what it holds and what it would show.

The guest copies the flavor sizes at creation (the caller's DB row may be
detached or changed later) and keeps console events rather than text, so that
a boot costs an append; the log is rendered only when someone reads it.
"""
import hashlib
import json
import math
import time

from nova.compute import power_state
from nova.virt.driver import InstanceStats, VifStats

MAX_CONSOLE_BYTES = 100 * 1024  # what Nova returns at most, like the libvirt driver
KERNEL = '5.15.0-91-generic'
CLOUD_INIT = '23.1.2-0ubuntu0~22.04.1'

# a load profile's keys: per-second rates while the guest runs (cpu: percent of its
# vCPUs; net_*: per interface)
LOAD_KEYS = ('cpu', 'disk_read', 'disk_read_ops', 'disk_write', 'disk_write_ops',
             'net_in', 'net_in_packets', 'net_out', 'net_out_packets')
LOAD_METADATA_KEY = 'fake_load'


class FakeGuest:
    __slots__ = ('uuid', 'name', 'hostname', 'image_ref', 'vcpus', 'memory_mb', 'root_gb',
                 'ephemeral_gb', 'auto_disk_config', 'power_state', 'rescued', 'volumes',
                 'vifs', 'events', 'created_at', 'admin_password', 'load', 'load_at',
                 'config_drive')

    def __init__(self, instance, network_info=None, block_device_info=None):
        self.uuid = instance.uuid
        self.name = instance.name
        self.hostname = (getattr(instance, 'hostname', None)
                         or getattr(instance, 'display_name', None) or instance.name)
        self.image_ref = getattr(instance, 'image_ref', None)
        self.vcpus = instance.vcpus or 0
        self.memory_mb = instance.memory_mb or 0
        self.root_gb = instance.root_gb or 0
        self.ephemeral_gb = getattr(instance, 'ephemeral_gb', 0) or 0
        self.auto_disk_config = bool(getattr(instance, 'auto_disk_config', False))
        self.power_state = power_state.SHUTDOWN
        self.rescued = False
        self.volumes = {}  # mountpoint -> connection_info
        for bdm in (block_device_info or {}).get('block_device_mapping') or ():
            self.volumes[bdm['mount_device']] = bdm['connection_info']
        self.vifs = {vif['id']: vif for vif in network_info or ()}
        self.events = []  # (what, wall-clock time, detail) for the console log
        self.created_at = time.time()
        self.admin_password = None  # given at spawn (adminPass), or by set_admin_password
        self.config_drive = None  # the ISO image bytes of its config drive, if it has one
        self.load = dict.fromkeys(LOAD_KEYS, 0.0)  # what the load profile added up so far
        self.load_at = self.created_at

    @property
    def disk_gb(self):
        return self.root_gb + self.ephemeral_gb

    def log(self, what, detail=None):
        self.events.append((what, time.time(), detail))

    def boot(self, rescue_image=None):
        self.power_state = power_state.RUNNING
        self.log('boot', rescue_image)

    def cpu_time_ns(self, now=None):
        """CPU time as if each vCPU were 5% busy since the guest was created."""
        return int(((now or time.time()) - self.created_at) * self.vcpus * 0.05 * 1e9)


def parse_load(text):
    """{key: rate} of a load profile 'cpu=25,net_in=2048'; ValueError naming what is wrong."""
    profile = {}
    for item in (text or '').split(','):
        if not item.strip():
            continue
        key, sep, value = (part.strip() for part in item.partition('='))
        if not sep or key not in LOAD_KEYS:
            raise ValueError('load profile item %r is not key=rate with a key of %s'
                             % (item.strip(), ', '.join(LOAD_KEYS)))
        try:
            rate = float(value)
        except ValueError:
            rate = math.nan
        if not math.isfinite(rate) or rate < 0:
            raise ValueError('load profile rate %s=%r is not a number >= 0' % (key, value))
        profile[key] = rate
    return profile


def advance_load(guest, profile, now):
    """Add what the profile's rates made since the last reading, if the guest runs.

    Counted at reading time with the guest's state then, so a series is exact
    while state and profile stay the same between two readings."""
    elapsed = max(now - guest.load_at, 0.0)
    guest.load_at = now
    if guest.power_state != power_state.RUNNING or not elapsed:
        return
    for key in LOAD_KEYS:
        rate = profile.get(key, 0.0)
        if key == 'cpu':  # percent of the vCPUs -> CPU nanoseconds
            rate = rate / 100.0 * max(guest.vcpus, 1) * 1e9
        guest.load[key] += rate * elapsed


def stats(guest):
    """The guest's cumulative counters as the driver interface reports them."""
    load = {key: int(value) for key, value in guest.load.items()}
    return InstanceStats(
        read_at=guest.load_at,
        cpu_time_ns=load['cpu'], vcpus=max(guest.vcpus, 1),
        disk_read_bytes=load['disk_read'], disk_read_requests=load['disk_read_ops'],
        disk_write_bytes=load['disk_write'], disk_write_requests=load['disk_write_ops'],
        vifs=tuple(VifStats(vif_id, rx_bytes=load['net_in'], rx_packets=load['net_in_packets'],
                            tx_bytes=load['net_out'], tx_packets=load['net_out_packets'])
                   for vif_id in guest.vifs))


def console_output(guest):
    """The serial console: a boot log per boot, shutdown and reboot lines between."""
    lines = []
    for what, at, detail in guest.events:
        if what == 'boot':
            lines.extend(_boot_log(guest, at, detail))
        elif what == 'reboot':
            lines.append('[%12.6f] reboot: Restarting system' % _uptime(guest, at))
        elif what == 'shutdown':
            lines.append('[%12.6f] reboot: Power down' % _uptime(guest, at))
        elif what == 'resume':
            lines.append('[%12.6f] PM: resume from suspend' % _uptime(guest, at))
        elif what == 'password':
            lines.append('[%12.6f] guest-agent: administrator password changed'
                         % _uptime(guest, at))
        elif what == 'crash dump':
            at_ = _uptime(guest, at)
            lines.append('[%12.6f] Kernel panic - not syncing: NMI: Not continuing' % at_)
            lines.append('[%12.6f] kdump: saving vmcore, then rebooting' % at_)
        elif what == 'network':
            lines.append('[%12.6f] guest-agent: network configuration %s'
                         % (_uptime(guest, at), detail))
    text = '\n'.join(lines) + '\n'
    return text[-MAX_CONSOLE_BYTES:]


def _uptime(guest, at):
    return max(at - guest.created_at, 0.0) + 30.0


def _boot_log(guest, at, rescue_image):
    stamp = time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(at))
    lines = [
        '[    0.000000] Linux version %s (buildd@lcy02-amd64-044) (gcc (Ubuntu 11.4.0-1ubuntu1)'
        ' 11.4.0) #101-Ubuntu SMP' % KERNEL,
        '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-%s root=%s ro console=tty1 '
        'console=ttyS0' % (KERNEL, 'LABEL=cloudimg-rootfs'),
        '[    0.000000] DMI: OpenStack Foundation OpenStack Nova, BIOS 1.15.0-1 04/01/2014',
        '[    0.000000] Hypervisor detected: fake (instance %s, uuid %s)'
        % (guest.name, guest.uuid),
        '[    0.004000] Memory: %dK/%dK available' % (guest.memory_mb * 1024 * 95 // 100,
                                                   guest.memory_mb * 1024),
        '[    0.120000] smp: Brought up 1 node, %d CPUs' % guest.vcpus,
        '[    0.840000] virtio_blk virtio2: [vda] %d 512-byte logical blocks'
        % (guest.root_gb * 2 * 1024 * 1024),
    ]
    if rescue_image:
        lines.append('[    0.900000] rescue: booted from image %s, original disk on vdb'
                     % rescue_image)
    if guest.auto_disk_config:  # OS-DCF:diskConfig AUTO: the host grew the root partition
        lines.append('[    1.500000] EXT4-fs (vda1): resized filesystem to %d GB (diskConfig '
                     'AUTO)' % guest.root_gb)
    lines += [
        '[    1.510000] EXT4-fs (vda1): mounted filesystem with ordered data mode.',
        '[    2.310000] systemd[1]: Set hostname to <%s>.' % guest.hostname,
        "[    3.050000] cloud-init[512]: Cloud-init v. %s running 'init' at %s. Up 3.05 seconds."
        % (CLOUD_INIT, stamp),
    ]
    for index, vif in enumerate(guest.vifs.values()):
        lines.append('[    3.210000] cloud-init[512]: ci-info: | eth%d | True | %s |'
                     % (index, vif.get('address') or '-'))
    lines += [
        '',
        'Ubuntu 22.04.3 LTS %s ttyS0' % guest.hostname,
        '',
        '%s login: [    5.420000] cloud-init[733]: Cloud-init v. %s finished at %s. '
        'Datasource DataSourceOpenStackLocal [net,ver=2].  Up 5.42 seconds'
        % (guest.hostname, CLOUD_INIT, stamp),
    ]
    return lines


def diagnostics(guest, now=None):
    """Counters shaped like the libvirt driver's: cpuN_time, memory, <disk>_*, <nic>_*."""
    now = now or time.time()
    seconds = max(now - guest.created_at, 0.0)
    diag = {'state': power_state.STATE_MAP[guest.power_state], 'uptime': int(seconds)}
    per_cpu = guest.cpu_time_ns(now) // max(guest.vcpus, 1)
    for cpu in range(guest.vcpus):
        diag['cpu%d_time' % cpu] = per_cpu
    kb = guest.memory_mb * 1024
    diag.update({'memory': kb, 'memory-actual': kb, 'memory-rss': kb // 4})
    disks = ['vda'] + (['vdb'] if guest.ephemeral_gb else [])
    disks += [mountpoint.rsplit('/', 1)[-1] for mountpoint in sorted(guest.volumes)]
    for disk in disks:
        diag.update({disk + '_read_req': int(seconds * 3), disk + '_read': int(seconds * 12288),
                     disk + '_write_req': int(seconds), disk + '_write': int(seconds * 4096),
                     disk + '_errors': 0})
    for vif_id in guest.vifs:
        nic = 'tap' + vif_id[:11]
        for direction, rate in (('rx', 2), ('tx', 1)):
            diag.update({'%s_%s' % (nic, direction): int(seconds * rate * 512),
                         '%s_%s_packets' % (nic, direction): int(seconds * rate),
                         '%s_%s_errors' % (nic, direction): 0,
                         '%s_%s_drop' % (nic, direction): 0})
    return diag


def disk_image(guest, image_id):
    """A snapshot's bytes: a header naming the guest, then a deterministic body."""
    header = json.dumps({'format': 'nova-fake-disk', 'instance_uuid': guest.uuid,
                         'image_id': image_id, 'base_image': guest.image_ref,
                         'root_gb': guest.root_gb}, sort_keys=True).encode() + b'\n'
    yield header
    block = hashlib.sha256(('%s:%s' % (guest.uuid, guest.image_ref)).encode()).digest()
    yield block * 128  # 4 KiB
