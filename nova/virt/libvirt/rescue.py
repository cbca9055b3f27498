"""Rescue: boot the guest from a fresh copy of an image with its own disk as the second.

The domain keeps its name and UUID; its normal definition waits in
``unrescue.xml`` (whose presence is what "rescued" means) and comes back on
unrescue. The rescue disk and its boot files are removed then.
"""
import dataclasses
import os

from nova import exception
from nova.virt.libvirt import config, disks

_PREFIX = 'rescue.'  # rescue.kernel, rescue.ramdisk


def rescue(drv, instance, image_meta):
    domain = drv._domain(instance)
    drv._check(instance, domain, 'rescue')
    files = drv._files(instance)
    if not image_meta.get('local_path'):
        raise exception.InvalidInput(reason='no cached image to rescue instance %s from'
                                            % instance.uuid)
    with drv._errors(instance, 'rescue'):
        normal_xml = drv._persistent_xml(domain)
    disk_info = drv._disk_info(files)
    disk_info.update(drv._create_disks(instance, image_meta, files, rescue=True))
    linked = drv._link_boot_files(image_meta, files, prefix=_PREFIX)
    guest = drv._guest(instance, files, disk_info, image_meta=image_meta, rescue=True,
                       kernel_prefix=_PREFIX if linked else '')
    # the rescue guest keeps the instance's NICs (same MACs, same bridges)
    rescue_xml = config.domain_xml(dataclasses.replace(
        guest, extra_devices=config.nic_devices(normal_xml)))
    with open(files.path(disks.UNRESCUE_XML), 'w') as f:
        f.write(normal_xml)
    try:
        with drv._errors(instance, 'rescue'):
            drv._stop(domain)
            drv._start(drv._define(instance, files, rescue_xml))
    except Exception:
        _restore(drv, instance, files, normal_xml, start=False)
        raise


def unrescue(drv, instance):
    domain = drv._domain(instance)
    drv._check(instance, domain, 'unrescue')
    files = drv._files(instance)
    with open(files.path(disks.UNRESCUE_XML)) as f:
        normal_xml = f.read()
    with drv._errors(instance, 'unrescue'):
        drv._stop(domain)
    _restore(drv, instance, files, normal_xml, start=True)


def _restore(drv, instance, files, normal_xml, start):
    domain = drv._define(instance, files, normal_xml)
    if start:
        with drv._errors(instance, 'unrescue'):
            drv._start(domain)
    for name in (disks.RESCUE, _PREFIX + disks.KERNEL, _PREFIX + disks.RAMDISK,
                 disks.UNRESCUE_XML):
        if os.path.exists(files.path(name)):
            os.unlink(files.path(name))

