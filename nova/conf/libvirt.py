"""Options of the libvirt virt driver (nova/virt/libvirt)."""
from oslo_config import cfg

# --libvirt_type -> (domain type, default connection URI)
VIRT_TYPES = {
    'kvm': ('kvm', 'qemu:///system'),
    'qemu': ('qemu', 'qemu:///system'),
}

opts = [
    cfg.StrOpt('libvirt_type', default='kvm', choices=sorted(VIRT_TYPES),
               help='Domain type: kvm (hardware acceleration) or qemu (TCG emulation). '
                    'Never chosen from /dev/kvm: where KVM guests hang, say qemu.'),
    cfg.StrOpt('libvirt_uri', default='',
               help='libvirt connection URI (default: from libvirt_type, '
                    'qemu:///system).'),
    cfg.BoolOpt('use_cow_images', default=True,
                help='Root disks are qcow2 overlays on the cached base image; '
                     'false: full raw copies.'),
    cfg.IntOpt('libvirt_wait_soft_reboot_seconds', default=120, min=0,
               help='Seconds a soft reboot waits for the guest to shut down on ACPI '
                    'before it reboots it hard.'),
    cfg.IntOpt('libvirt_device_detach_timeout', default=30, min=1,
               help='Seconds a hot-unplug (volume, interface) waits for the guest to '
                    'release the device.'),
    cfg.IntOpt('libvirt_volume_copy_stall_timeout', default=120, min=1,
               help='Seconds a swap volume\'s live block copy may make no progress before '
                    'it is cancelled (the guest keeps the old volume).'),
    cfg.StrOpt('libvirt_kernel_cmdline', default='root=/dev/vda console=ttyS0',
               help='Kernel command line of guests booted from a kernel and ramdisk '
                    '(an image\'s os_command_line property wins).'),
    cfg.IntOpt('libvirt_tcg_tb_cache_mb', default=0, min=0,
               help='Translation cache of a qemu (TCG) guest in MiB; 0: QEMU\'s default. '
                    'Smaller saves host memory per guest.'),
    cfg.StrOpt('libvirt_live_migration_uri', default='',
               help='How another host\'s libvirtd reaches this one\'s for a live '
                    'migration, %s standing for this host\'s name (e.g. '
                    'qemu+tcp://%s/system); empty: --libvirt_uri (daemons on one machine).'),
    cfg.IntOpt('libvirt_connection_retries', default=3, min=0,
               help='Reconnections tried (1 s apart) when libvirtd is restarting.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
