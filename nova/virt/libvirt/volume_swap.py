"""Swap volume: the guest's attached disk copied live onto another volume, then pivoted.

As upstream Nova's libvirt driver does it: libvirt's blockCopy mirrors the disk
at the mapping's device onto the new volume's iSCSI target (QEMU's own
initiator, CHAP from a libvirt secret, the target reused as it is: REUSE_EXT)
while the guest keeps reading and writing the old one; once the mirror has
caught up (the job's cursor at its end) the job is pivoted, and from then on
QEMU reads and writes the new volume at the same device. The persistent
definition is given the new volume too, so the guest keeps it across a
reboot.

Anything that fails before the pivot (the new target unreachable or smaller
than the disk, the copy stopping or making no progress for
--libvirt_volume_copy_stall_timeout seconds) cancels the job: the guest goes
on with the old volume, untouched, and the new volume's secret is dropped
again; the compute manager then gives the new volume back (available) and the
old one stays attached. After the pivot the swap stands: saving the definition
or growing the disk failing is logged, never raised (the manager would give
the new volume up under the guest that now uses it).

Copies are sparse when the targets report their holes: nova-volume's tgt
exports of file-backed volumes are thin-provisioned LUNs (GET LBA STATUS), so
an empty 1 GiB volume is copied in a fraction of a second instead of 1 GiB of
zeros over the wire.
"""
import logging
import time

from nova import exception
from nova.conf import CONF
from nova.i18n import _LE
from nova.virt.libvirt import config, devices, disks
from nova.virt.libvirt.host import libvirt

LOG = logging.getLogger(__name__)
_POLL = 0.1  # seconds between looks at the copy job


def swap_volume(drv, instance, old_connection_info, new_connection_info, mountpoint,
                resize_to):
    """Copy the disk at ``mountpoint`` onto the new volume and pivot the guest to it."""
    domain = drv._domain(instance)
    drv._check(instance, domain, 'swap volume')
    target = devices.target_of(mountpoint)
    with drv._errors(instance, 'swap volume'):
        old_element = config.disk_targets(domain.XMLDesc(0)).get(target)
        if old_element is None:
            raise exception.DeviceNotAttached(device=mountpoint, instance_uuid=instance.uuid)
        capacity = domain.blockInfo(target)[0]
    new_disk = drv._set_secret(new_connection_info, mountpoint)
    try:
        with drv._errors(instance, 'swap volume'):
            _copy_and_pivot(drv, instance, domain, target, new_disk)
    except Exception:
        if devices.secret_usage(new_connection_info) != \
                devices.secret_usage(old_connection_info):
            drv._delete_secret(new_connection_info)
        raise
    # the guest runs on the new volume now: the swap stands whatever follows
    try:
        with drv._errors(instance, 'swap volume'):
            _persist(drv, domain, target, new_disk)
            if resize_to and resize_to * disks.GiB > capacity:
                # the guest sees the larger volume at once (virtio's capacity change)
                domain.blockResize(target, resize_to * disks.GiB,
                                   libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
    except Exception as error:
        LOG.error(_LE('Instance %s runs on its new volume at %s, but saving it in the '
                      'definition or growing it failed: %s'), instance.uuid, target, error)
    drv._delete_secret(old_connection_info)


def _copy_and_pivot(drv, instance, domain, target, new_disk):
    destination = config.to_string(config.disk_element(new_disk))
    domain.blockCopy(target, destination, None,
                     libvirt.VIR_DOMAIN_BLOCK_COPY_REUSE_EXT |
                     libvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB)
    try:
        _wait_until_mirrored(drv, instance, domain, target, new_disk)
        domain.blockJobAbort(target, libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
    except BaseException:
        _cancel(domain, target)
        raise
    while domain.blockJobInfo(target, 0):  # the pivot completes asynchronously
        time.sleep(_POLL)
    source = config.disk_targets(domain.XMLDesc(0))[target].find('source')
    if source is None or source.get('name') != new_disk.name:
        raise exception.HypervisorError(
            host=drv.host, reason='instance %s: the copy of %s onto %s ended without the '
                                  'pivot' % (instance.uuid, target, new_disk.name))


def _wait_until_mirrored(drv, instance, domain, target, new_disk):
    """Until the mirror has caught up; HypervisorError if the job stops or stalls."""
    stall = CONF.libvirt_volume_copy_stall_timeout
    progress, moved_at = None, time.monotonic()
    while True:
        info = domain.blockJobInfo(target, 0)
        if not info:
            raise exception.HypervisorError(
                host=drv.host, reason='instance %s: the copy of %s onto %s stopped before '
                                      'it was complete' % (instance.uuid, target, new_disk.name))
        if info['end'] and info['cur'] == info['end']:
            return
        now = time.monotonic()
        if info['cur'] != progress:
            progress, moved_at = info['cur'], now
        elif now - moved_at > stall:
            raise exception.HypervisorError(
                host=drv.host, reason='instance %s: the copy of %s onto %s made no progress '
                                      'for %ss' % (instance.uuid, target, new_disk.name, stall))
        time.sleep(_POLL)


def _cancel(domain, target):
    """Stop the copy without pivoting: the guest stays on the old volume."""
    try:
        if domain.blockJobInfo(target, 0):
            domain.blockJobAbort(target, 0)
    except libvirt.libvirtError:
        pass  # the job ended by itself meanwhile


def _persist(drv, domain, target, new_disk):
    """The persistent definition names the new volume at the same device (its PCI
    address kept), with its serial: what the guest sees after a reboot."""
    xml = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    drv.hypervisor.define(config.replace_disk(xml, target, config.disk_element(new_disk)))
