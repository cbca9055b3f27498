"""Resize and cold migration: the source stops the guest and keeps its directory
as ``<uuid>_resize``; the destination copies it, grows the disks to the new
flavor and defines the guest anew (keeping its volumes and NICs).

The copy reads the source directory by its path, so the destination must
see the source's instances_path: the same host (``allow_resize_to_same_host``)
or an instances_path shared between hosts. Otherwise finish_migration says so
(MigrationPreCheckError) and the manager sends the instance back. Confirm
removes the kept directory; revert renames it back and redefines the old
domain from the definition saved in it.
"""
import dataclasses
import json
import os

from nova import exception
from nova.virt.libvirt import config, disks


def migrate_disk_and_power_off(drv, instance, dest, flavor):
    domain = drv._domain(instance)
    drv._check(instance, domain, 'resize')
    files = drv._files(instance)
    if os.path.exists(files.resize_dir):
        raise exception.HypervisorStateConflict(action='resize', instance_uuid=instance.uuid,
                                                state='being resized')
    # the manager passes the flavor as a dict, some callers as an object
    new_root = flavor['root_gb'] if isinstance(flavor, dict) else flavor.root_gb
    if int(new_root or 0) < int(instance.root_gb or 0):
        raise exception.CannotResizeDisk(reason='the root disk of instance %s cannot shrink '
                                                'from %s to %s GiB' % (
                                                    instance.uuid, instance.root_gb, new_root))
    with drv._errors(instance, 'resize'):
        xml = drv._persistent_xml(domain)
        drv._stop(domain)
        domain.undefine()
    with open(files.path(disks.DOMAIN_XML), 'w') as f:
        f.write(xml)
    os.rename(files.dir, files.resize_dir)
    return json.dumps({'source_host': drv.host, 'dest_host': dest,
                       'instance_uuid': instance.uuid, 'source_dir': files.resize_dir,
                       'disks': drv._disk_info(files, directory=files.resize_dir)})


def finish_migration(drv, instance, disk_info, network_info, image_meta, power_on):
    info = json.loads(disk_info)
    source = info['source_dir']
    if not os.path.isdir(source):
        raise exception.MigrationPreCheckError(
            reason='the disks of instance %s are in %s on host %s, which this host cannot '
                   'read; cold migration between hosts needs a shared instances_path'
                   % (instance.uuid, source, info['source_host']))
    if drv.hypervisor.find_domain(instance.uuid) is not None:
        raise exception.InstanceExists(name=instance.name)
    files = drv._files(instance)
    files.remove()
    drv.plug_vifs(network_info)
    disks.copy_tree(source, files.dir)
    try:
        with open(files.path(disks.DOMAIN_XML)) as f:
            old_xml = f.read()
        disk_info = drv._disk_info(files)
        _adapt_disks(instance, files, disk_info, image_meta)
        guest = drv._guest(instance, files, disk_info, image_meta=image_meta)
        local = {disk.target for disk in guest.disks}
        carried = config.volume_devices(old_xml, local)
        if not network_info:
            carried += config.nic_devices(old_xml)
        guest = dataclasses.replace(guest, extra_devices=carried)
        domain = drv._define(instance, files, config.domain_xml(guest))
        if power_on:
            with drv._errors(instance, 'resize'):
                drv._start(domain)
    except Exception:
        drv.destroy(None, instance)
        raise


def _adapt_disks(instance, files, disk_info, image_meta):
    """Grow the copied disks to the new flavor; point the overlay at this host's base."""
    root = files.path(disks.ROOT)
    fmt = disk_info.get(disks.ROOT)
    if fmt == 'qcow2' and image_meta.get('local_path'):
        backing = disks.info(root, 'qcow2')
        base = os.path.abspath(image_meta['local_path'])
        if backing.get('backing-filename') and backing['backing-filename'] != base:
            disks.rebase(root, base, backing.get('backing-filename-format') or 'raw')
    if fmt:
        disks.resize_root(root, fmt, instance.root_gb)
    ephemeral = disk_info.get(disks.EPHEMERAL)
    if ephemeral and instance.ephemeral_gb:
        disks.grow(files.path(disks.EPHEMERAL), ephemeral,
                   int(instance.ephemeral_gb) * disks.GiB)


def confirm_migration(drv, instance):
    drv._files(instance).remove_resize_copy()


def finish_revert_migration(drv, instance, power_on):
    """Bring the kept source guest back; the destination has destroyed its copy."""
    files = drv._files(instance)
    domain = drv.hypervisor.find_domain(instance.uuid)
    if not os.path.isdir(files.resize_dir):
        if domain is not None:
            return  # already reverted
        raise exception.InstanceNotFound(instance_id=instance.uuid)
    if domain is not None:
        raise exception.InstanceExists(name=instance.name)
    files.remove()
    os.rename(files.resize_dir, files.dir)
    with open(files.path(disks.DOMAIN_XML)) as f:
        domain = drv._define(instance, files, f.read())
    if power_on:
        with drv._errors(instance, 'revert resize'):
            drv._start(domain)
