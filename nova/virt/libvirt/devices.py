"""Volumes and VIFs as libvirt devices: from the dicts nova-volume and nova-network give.

A volume's connection_info is ``{'driver_volume_type': ..., 'data': {...}}``:
``iscsi`` volumes become network disks that QEMU's own (userspace) iSCSI
initiator opens, with CHAP from the data (the password goes into a libvirt
secret, never into the domain XML); ``local`` volumes are a device or file
path on this host. A VIF is ``{'id', 'address', 'network': {'bridge': ...}}``
and becomes a virtio NIC on that Linux bridge.
"""
import dataclasses
import os
import re
import stat

from nova import exception
from nova.virt.libvirt import config

_TARGET = re.compile(r'^(?:/dev/)?(?:vd|sd|xvd|hd)([a-z]{1,2})$')
_TAP_LEN = 14  # 'tap' + 11: a Linux interface name has at most 15 characters


def target_of(mountpoint):
    """The virtio disk for a device name: '/dev/vdb' -> 'vdb', EC2's '/dev/sdh' -> 'vdh'."""
    match = _TARGET.match(mountpoint or '')
    if not match:
        raise exception.InvalidInput(reason='%r is not a disk device name such as /dev/vdb'
                                            % (mountpoint,))
    return 'vd' + match.group(1)


def secret_usage(connection_info):
    data = connection_info.get('data') or {}
    return 'nova-volume-%s' % (data.get('volume_id') or data.get('target_iqn'))


def volume_disk(connection_info, mountpoint):
    """The Disk for a volume; (Disk, chap_password or None)."""
    kind = connection_info.get('driver_volume_type')
    data = connection_info.get('data') or {}
    target = target_of(mountpoint)
    serial = data.get('volume_id')
    if kind == 'iscsi':
        try:
            host, _, port = data['target_portal'].rpartition(':')
            name = '%s/%s' % (data['target_iqn'], int(data.get('target_lun') or 0))
        except (KeyError, ValueError, AttributeError) as e:
            raise exception.InvalidInput(reason='iscsi connection_info lacks a target '
                                                'portal or iqn: %s' % e) from e
        chap = (data.get('auth_method') or '').upper() == 'CHAP'
        disk = config.Disk(target=target, protocol='iscsi', name=name,
                           hosts=((host.strip('[]'), int(port or 3260)),), serial=serial,
                           auth_username=data.get('auth_username') if chap else None,
                           secret_usage=secret_usage(connection_info) if chap else None,
                           shareable=bool(connection_info.get('multiattach')))
        return disk, data.get('auth_password') if chap else None
    if kind == 'local':
        path = data.get('device_path')
        if not path or not os.path.exists(path):
            raise exception.InvalidInput(reason='local volume path %r does not exist' % path)
        disk = config.Disk(target=target, path=path, format='raw', serial=serial,
                           device='disk')
        if stat.S_ISBLK(os.stat(path).st_mode):
            disk = dataclasses.replace(disk, block=True)
        return disk, None
    raise exception.InvalidInput(reason='the libvirt driver cannot attach %r volumes '
                                        '(iscsi, local)' % (kind,))


def tap_name(vif):
    return (vif.get('devname') or ('tap' + str(vif['id'])))[:_TAP_LEN]


def interface(vif):
    """The Interface for a VIF of nova-network's network_info."""
    network = vif.get('network') or {}
    bridge = network.get('bridge') or vif.get('bridge')
    if not bridge or not vif.get('address'):
        raise exception.InvalidInput(reason='VIF %s has no bridge or MAC address'
                                            % vif.get('id'))
    return config.Interface(mac=vif['address'].lower(), bridge=bridge, tap=tap_name(vif))
