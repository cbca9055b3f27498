"""iSCSI volumes on a XenAPI pool: an SR per volume, its LUN's VDI attached by a VBD.

Attach (connection_info of type iscsi, as nova-volume answers
initialize_connection: target_portal, target_iqn, target_lun, CHAP): SR.introduce
of type iscsi with a UUID derived from the target and LUN, PBD.create with
the target in device_config + PBD.plug (the host logs into the target),
SR.scan, the VDI whose sm_config LUNid is the LUN, then a VBD at the
mountpoint's device number, hot-plugged when the VM runs. Detach unplugs and
destroys the VBD, then unplugs the PBDs and forgets the SR (the volume's
data stays on the target). A failed attach forgets what it introduced.
"""
import logging
import re
import uuid

from nova import exception

LOG = logging.getLogger(__name__)

_MOUNTPOINT = re.compile(r'^(?:/dev/)?(?:xvd|vd|sd|hd)([a-p])$')
_SR_NAMESPACE = uuid.UUID('6ba7b811-9dad-11d1-80b4-00c04fd430c8')  # the URL namespace


def device_number(mountpoint):
    """/dev/vdb, /dev/xvdb, sdb... -> 1 (the VBD userdevice)."""
    match = _MOUNTPOINT.match(mountpoint or '')
    if not match:
        raise exception.Invalid(reason='mountpoint %r is not /dev/(xvd|vd|sd|hd)[a-p]' %
                                (mountpoint,))
    return ord(match.group(1)) - ord('a')


def _target(connection_info):
    if (connection_info or {}).get('driver_volume_type') != 'iscsi':
        raise exception.Invalid(reason='the XenAPI driver attaches iscsi volumes, not %r' % (
            (connection_info or {}).get('driver_volume_type'),))
    data = connection_info.get('data') or {}
    missing = [k for k in ('target_portal', 'target_iqn') if not data.get(k)]
    if missing:
        raise exception.Invalid(reason='connection_info lacks %s' % ', '.join(missing))
    host, _, port = data['target_portal'].rpartition(':')
    if not host:
        host, port = data['target_portal'], '3260'
    config = {'target': host.strip('[]'), 'port': port or '3260',
              'targetIQN': data['target_iqn']}
    if data.get('auth_method') == 'CHAP':
        config.update(chapuser=data.get('auth_username', ''),
                      chappassword=data.get('auth_password', ''))
    return config, int(data.get('target_lun') or 0), data.get('volume_id') or data['target_iqn']


class Volumes:
    def __init__(self, session, host_ref, vmops):
        self.session = session
        self.host_ref = host_ref
        self.vmops = vmops

    def connector(self, host):
        record = self.session.call('host.get_record', self.host_ref)
        initiator = record['other_config'].get('iscsi_iqn') or \
            'iqn.2010-10.org.openstack:%s' % record['hostname']
        return {'host': host, 'initiator': initiator, 'ip': record['address'],
                'multipath': False, 'platform': 'x86_64', 'os_type': 'linux'}

    def attach(self, instance, connection_info, mountpoint):
        config, lun, volume_id = _target(connection_info)
        userdevice = device_number(mountpoint)
        vm, record = self.vmops.vm(instance)
        vbds = self.session.call('VBD.get_all_records_where', 'field "VM" = "%s"' % vm)
        if any(v['userdevice'] == str(userdevice) for v in vbds.values()):
            raise exception.DeviceInUse(device=mountpoint, instance_uuid=instance.uuid)
        sr_uuid = str(uuid.uuid5(_SR_NAMESPACE, 'iscsi:%s:%d' % (config['targetIQN'], lun)))
        sr = self.session.call('SR.introduce', sr_uuid, 'volume-%s' % volume_id,
                               'Nova volume %s' % volume_id, 'iscsi', '', False, {})
        try:
            pbd = self.session.call('PBD.create', {'host': self.host_ref, 'SR': sr,
                                                   'device_config': config, 'other_config': {}})
            self.session.call('PBD.plug', pbd)
            self.session.call('SR.scan', sr)
            vdi = self._lun_vdi(sr, lun)
            vbd = self.vmops.create_vbd(vm, vdi, userdevice, False,
                                        {'nova_volume_id': str(volume_id)})
            if record['power_state'] == 'Running':
                try:
                    self.session.call('VBD.plug', vbd)
                except exception.XenAPIFailure:
                    self.session.call('VBD.destroy', vbd)
                    raise
        except BaseException:
            self.forget_sr(sr)
            raise
        LOG.info('Volume %s attached to %s at %s (SR %s)', volume_id, instance.uuid,
                 mountpoint, sr_uuid)

    def _lun_vdi(self, sr, lun):
        for ref, record in self.session.call('VDI.get_all_records_where',
                                             'field "SR" = "%s"' % sr).items():
            if record['sm_config'].get('LUNid') == str(lun):
                return ref
        raise exception.XenAPIFailure(method='SR.scan', details=['VDI_MISSING', sr, str(lun)])

    def detach(self, instance, connection_info, mountpoint):
        userdevice = str(device_number(mountpoint))
        vm, record = self.vmops.vm(instance)
        vbds = self.session.call('VBD.get_all_records_where', 'field "VM" = "%s"' % vm)
        for vbd, vbd_record in vbds.items():
            if vbd_record['userdevice'] == userdevice and \
                    vbd_record['other_config'].get('nova_volume_id'):
                if vbd_record['currently_attached'] and record['power_state'] == 'Running':
                    self.session.call('VBD.unplug', vbd)
                self.session.call('VBD.destroy', vbd)
                self.forget_volume(vbd_record['VDI'])
                return
        raise exception.DeviceNotAttached(device=mountpoint, instance_uuid=instance.uuid)

    def forget_volume(self, vdi):
        """Forget the SR of a volume's VDI (after its VBD is gone)."""
        sr = self.session.call('VDI.get_SR', vdi)
        if self.session.call('SR.get_type', sr) == 'iscsi':
            self.forget_sr(sr)

    def forget_sr(self, sr):
        for pbd in self.session.call('SR.get_PBDs', sr):
            if self.session.call('PBD.get_currently_attached', pbd):
                self.session.call('PBD.unplug', pbd)
        self.session.call('SR.forget', sr)
