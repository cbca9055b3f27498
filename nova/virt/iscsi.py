"""Reaching a volume from a compute host through its iSCSI connection_info, in
userspace (QEMU's libiscsi initiator): what a driver needs to open the disk.

connection_info, as nova-volume answers initialize_connection::

    {'driver_volume_type': 'iscsi', 'serial': '<volume id>',
     'data': {'target_portal': '10.0.0.5:3260', 'target_iqn': 'iqn...:volume-<id>',
              'target_lun': 1, 'auth_method': 'CHAP', 'auth_username': ...,
              'auth_password': ..., 'volume_id': ..., 'access_mode': 'rw', ...}}
"""
import json

from nova import exception
from nova import utils


def check_connection_info(connection_info):
    """The data part of an iSCSI connection_info; InvalidInput naming what is missing."""
    if (connection_info or {}).get('driver_volume_type') != 'iscsi':
        raise exception.InvalidInput(reason='not an iSCSI connection: %r' % (
            (connection_info or {}).get('driver_volume_type'),))
    data = connection_info.get('data') or {}
    missing = [k for k in ('target_portal', 'target_iqn', 'target_lun') if k not in data]
    if missing:
        raise exception.InvalidInput(reason='iSCSI connection_info lacks %s'
                                     % ', '.join(missing))
    return data


def qemu_image_opts(connection_info):
    """QEMU's --image-opts for the volume (raw over iscsi, with its CHAP account)."""
    data = check_connection_info(connection_info)
    opts = ['driver=raw', 'file.driver=iscsi', 'file.transport=tcp',
            'file.portal=%s' % data['target_portal'], 'file.target=%s' % data['target_iqn'],
            'file.lun=%d' % int(data['target_lun'])]
    if data.get('auth_method') == 'CHAP':
        opts += ['file.user=%s' % data['auth_username'],
                 'file.password=%s' % data['auth_password']]
    return ','.join(opts)


def virtual_size(connection_info, timeout=60):
    """Bytes of the volume, read through its target (ISCSITargetError if unreachable)."""
    try:
        out, _err = utils.execute('qemu-img', 'info', '--output=json', '--image-opts',
                                  qemu_image_opts(connection_info), timeout=timeout)
    except exception.ProcessExecutionError as e:
        raise exception.ISCSITargetError(
            target=check_connection_info(connection_info)['target_iqn'],
            reason=e.stderr or 'qemu-img failed') from e
    return int(json.loads(out)['virtual-size'])
