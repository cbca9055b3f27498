"""Storage: SRs, PBDs, VDIs with their data, VBDs, and the raw/VHD import-export handlers.

The local SR is an ``ext`` SR (thin VDIs in files; space accounted by virtual
size, so SR_FULL comes as on a thick LVM SR). An ``iscsi`` SR is introduced by
a client (SR.introduce), connected by PBD.create + PBD.plug with the target in
device_config (target, port, targetIQN, chapuser, chappassword), and SR.scan
shows its LUNs as VDIs (sm_config LUNid). Targets are those a test declared
(``add_iscsi_target``) or, with ``real_iscsi``, whatever real target the
host logs into (iscsi_login.py): a plug to anything else fails as the iSCSI
login would.
VDI data is a sparse file (an iSCSI LUN's may be the target's own backing
file), so clones, snapshots and exports cost what the data holds.
"""
import contextlib
import os
import shutil

from tests.harness.xapi import iscsi_login, objects, vhd
from tests.harness.xapi.errors import XapiError, bad_power_state

CHUNK = 1024 * 1024
_ISCSI_LOGIN_FAILED = ('SR_BACKEND_FAILURE_68', '', 'ISCSILogin: the iSCSI login failed',
                       '')


def _extents(path, size):
    """(offset, length) of the data (non-hole) ranges of a sparse file."""
    with open(path, 'rb') as f:
        fd = f.fileno()
        offset = 0
        while offset < size:
            try:
                start = os.lseek(fd, offset, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                return
            end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
            if start >= size:
                return
            yield start, end - start
            offset = end


class Storage:
    def __init__(self, xapi, real_iscsi=False):
        self.xapi = xapi
        self.db = xapi.db
        self.real_iscsi = real_iscsi  # log into real targets not declared by the test
        self.targets = {}  # (portal, iqn) -> {'luns': {lun: (size, path)}, 'chap': (u, p)}
        h = xapi.handlers
        h.update({
            'VDI.create': self.vdi_create, 'VDI.destroy': self.vdi_destroy,
            'VDI.forget': self.vdi_forget, 'VDI.clone': self.vdi_clone,
            'VDI.snapshot': self.vdi_snapshot, 'VDI.resize': self.vdi_resize,
            'SR.introduce': self.sr_introduce, 'SR.forget': self.sr_forget,
            'SR.scan': self.sr_scan, 'PBD.plug': self.pbd_plug,
            'PBD.unplug': self.pbd_unplug, 'PBD.destroy': self.pbd_destroy,
            'VBD.create': self.vbd_create, 'VBD.plug': self.vbd_plug,
            'VBD.unplug': self.vbd_unplug, 'VBD.destroy': self.vbd_destroy,
        })

    # -- SRs -------------------------------------------------------------------------
    def local_sr(self, size):
        sr = self.db.add('SR', {'name_label': 'Local storage', 'type': 'ext',
                                'content_type': 'user', 'physical_size': size,
                                'other_config': {'i18n-key': 'local-storage'}})
        os.makedirs(self._sr_dir(sr), exist_ok=True)
        pbd = self.db.add('PBD', {'host': self.xapi.host_ref, 'SR': sr,
                                  'device_config': {'device': '/dev/sda3'}})
        self.db.update('PBD', pbd, currently_attached=True)
        return sr

    def _sr_dir(self, sr):
        return os.path.join(self.xapi.data_dir, 'sr-' + self.db.get('SR', sr)['uuid'])

    def set_sr_size(self, sr, size):
        self.db.update('SR', sr, physical_size=size)

    def _account(self, sr):
        vdis = [self.db.get('VDI', v) for v in self.db.get('SR', sr)['VDIs']]
        self.db.update('SR', sr, virtual_allocation=sum(v['virtual_size'] for v in vdis),
                       physical_utilisation=sum(v['physical_utilisation'] for v in vdis))

    def sr_introduce(self, uuid, name_label, name_description, type, content_type, shared,
                     sm_config):
        if any(r['uuid'] == uuid for r in self.db.tables['SR'].values()):
            raise XapiError('SR_UUID_EXISTS', uuid)
        return self.db.add('SR', {'uuid': uuid, 'name_label': name_label,
                                  'name_description': name_description, 'type': type,
                                  'content_type': content_type, 'shared': bool(shared),
                                  'sm_config': dict(sm_config)})

    def sr_forget(self, sr):
        record = self.db.get('SR', sr)
        if any(self.db.get('PBD', p)['currently_attached'] for p in record['PBDs']):
            raise XapiError('SR_HAS_PBD', sr)
        for vdi in list(record['VDIs']):
            self.vdi_forget(vdi)
        for pbd in list(record['PBDs']):
            self.db.delete('PBD', pbd)
        self.db.delete('SR', sr)
        return ''

    def sr_scan(self, sr):
        record = self.db.get('SR', sr)
        if not any(self.db.get('PBD', p)['currently_attached'] for p in record['PBDs']):
            raise XapiError('SR_HAS_NO_PBDS', sr)
        if record['type'] == 'iscsi':
            target = self._target(record)
            known = {self.db.get('VDI', v)['sm_config'].get('LUNid') for v in record['VDIs']}
            for lun, (size, _path) in sorted(target['luns'].items()):
                if str(lun) not in known:
                    self.db.add('VDI', {'name_label': 'LUN%d' % lun, 'SR': sr,
                                        'virtual_size': size, 'type': 'user',
                                        'sm_config': {'LUNid': str(lun)},
                                        'location': '%s/%d' % (target['iqn'], lun)})
        self._account(sr)
        return ''

    # -- PBDs and iSCSI targets ------------------------------------------------------------
    def add_iscsi_target(self, portal, iqn, luns, chap=None):
        """Declare a target: luns {lun: (size, backing file path or None)}."""
        self.targets[(portal, iqn)] = {'iqn': iqn, 'luns': dict(luns),
                                       'chap': tuple(chap) if chap else None}

    def _target(self, sr_record):
        for pbd in sr_record['PBDs']:
            config = self.db.get('PBD', pbd)['device_config']
            key = ('%s:%s' % (config.get('target'), config.get('port', '3260')),
                   config.get('targetIQN'))
            if key in self.targets:
                return self.targets[key]
        raise XapiError(*_ISCSI_LOGIN_FAILED)

    def pbd_plug(self, pbd):
        record = self.db.get('PBD', pbd)
        if record['currently_attached']:
            return ''
        sr = self.db.get('SR', record['SR'])
        if sr['type'] == 'iscsi':
            config = record['device_config']
            missing = [k for k in ('target', 'targetIQN') if not config.get(k)]
            if missing:
                raise XapiError('SR_BACKEND_FAILURE_96', '',
                                'device_config lacks %s' % ', '.join(missing), '')
            key = ('%s:%s' % (config['target'], config.get('port', '3260')),
                   config['targetIQN'])
            target = self.targets.get(key)
            if target is None and self.real_iscsi:
                target = self._login(key, config)
            if target is None:
                raise XapiError('SR_BACKEND_FAILURE_141', '',
                                'Unable to connect to ISCSI service on target', '')
            given = (config.get('chapuser'), config.get('chappassword'))
            if target['chap'] and given != target['chap']:
                raise XapiError(*_ISCSI_LOGIN_FAILED)
            self.db.update('SR', record['SR'], physical_size=sum(
                size for size, _ in target['luns'].values()))
        self.db.update('PBD', pbd, currently_attached=True)
        return ''

    def _login(self, key, config):
        """Log into a real target (CHAP checked by the target itself); the target, now
        known, or None if the login failed."""
        try:
            luns = iscsi_login.discover(config)
        except LookupError as error:
            raise XapiError(_ISCSI_LOGIN_FAILED[0], '', 'ISCSILogin: %s' % error, '') from None
        self.add_iscsi_target(*key, luns={lun: (size, None) for lun, size in luns.items()},
                              chap=(config.get('chapuser'), config.get('chappassword'))
                              if config.get('chapuser') else None)
        self.targets[key]['login'] = dict(config)  # its data is read through the target
        return self.targets[key]

    def head(self, vdi, size=512):
        """The first bytes of a VDI: through the real target for a LUN logged into,
        from the VDI's file otherwise."""
        record = self.db.get('VDI', vdi)
        sr = self.db.get('SR', record['SR'])
        if sr['type'] == 'iscsi':
            target = self._target(sr)
            if target.get('login'):
                return iscsi_login.read_head(target['login'],
                                             int(record['sm_config']['LUNid']), size)
        try:
            with open(self.path(vdi), 'rb') as f:
                return f.read(size)
        except FileNotFoundError:  # a declared LUN without a backing file: blank
            return b''

    def pbd_unplug(self, pbd):
        record = self.db.get('PBD', pbd)
        for vdi in self.db.get('SR', record['SR'])['VDIs']:
            if self._attached_vbds(vdi):
                raise XapiError('VDI_IN_USE', vdi, 'PBD.unplug')
        self.db.update('PBD', pbd, currently_attached=False)
        return ''

    def pbd_destroy(self, pbd):
        if self.db.get('PBD', pbd)['currently_attached']:
            raise XapiError('OPERATION_NOT_ALLOWED', 'PBD is currently attached')
        self.db.delete('PBD', pbd)
        return ''

    # -- VDIs ------------------------------------------------------------------------------
    def path(self, vdi):
        record = self.db.get('VDI', vdi)
        sr = self.db.get('SR', record['SR'])
        if sr['type'] == 'iscsi':
            lun = int(record['sm_config']['LUNid'])
            size, backing = self._target(sr)['luns'][lun]
            if backing:
                return backing
        return os.path.join(self._sr_dir(record['SR']), record['uuid'] + '.raw')

    def _check_space(self, sr, extra):
        record = self.db.get('SR', sr)
        if record['type'] == 'iscsi':
            raise XapiError('SR_OPERATION_NOT_SUPPORTED', sr)
        if record['virtual_allocation'] + extra > record['physical_size']:
            raise XapiError('SR_FULL', record['virtual_allocation'] + extra,
                            record['physical_size'])

    def vdi_create(self, values):
        sr = values.get('SR', objects.NULL) if isinstance(values, dict) else objects.NULL
        size = objects.from_wire('VDI', 'virtual_size', 'int', values.get('virtual_size', ''))
        self.db.get('SR', sr)
        if size < 0:
            raise XapiError('INVALID_VALUE', 'virtual_size', size)
        self._check_space(sr, size)
        vdi = self.xapi.create('VDI', values)
        path = self.path(vdi)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.truncate(size)
        self.db.update('VDI', vdi, location=self.db.get('VDI', vdi)['uuid'])
        self._account(sr)
        return vdi

    def _attached_vbds(self, vdi):
        return [v for v in self.db.get('VDI', vdi)['VBDs']
                if self.db.get('VBD', v)['currently_attached']]

    def vdi_destroy(self, vdi):
        record = self.db.get('VDI', vdi)
        if record['VBDs']:
            raise XapiError('VDI_IN_USE', vdi, 'destroy')
        if self.db.get('SR', record['SR'])['type'] == 'iscsi':
            raise XapiError('SR_OPERATION_NOT_SUPPORTED', record['SR'])
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(vdi))
        self._forget_record(vdi)
        return ''

    def vdi_forget(self, vdi):
        record = self.db.get('VDI', vdi)
        if self._attached_vbds(vdi):
            raise XapiError('VDI_IN_USE', vdi, 'forget')
        for vbd in list(record['VBDs']):
            self.db.update('VBD', vbd, VDI=objects.NULL, empty=True)
            self.db.tables['VDI'][vdi]['VBDs'].remove(vbd)
        self._forget_record(vdi)
        return ''

    def _forget_record(self, vdi):
        record = self.db.get('VDI', vdi)
        parent = record['snapshot_of']
        if parent in self.db.tables['VDI'] and vdi in self.db.tables['VDI'][parent]['snapshots']:
            self.db.tables['VDI'][parent]['snapshots'].remove(vdi)
        sr = record['SR']
        self.db.delete('VDI', vdi)
        self._account(sr)

    def _copy(self, vdi, **extra):
        record = self.db.get('VDI', vdi)
        self._check_space(record['SR'], record['virtual_size'])
        copy = self.db.add('VDI', dict(
            {k: record[k] for k in ('name_label', 'name_description', 'SR', 'virtual_size',
                                    'type', 'sharable', 'read_only', 'sm_config')},
            other_config={}, **extra))
        source, target = self.path(vdi), self.path(copy)
        with open(source, 'rb') as src, open(target, 'wb') as dst:
            dst.truncate(record['virtual_size'])
            for offset, length in _extents(source, record['virtual_size']):
                src.seek(offset)
                dst.seek(offset)
                while length > 0:
                    data = src.read(min(CHUNK, length))
                    dst.write(data)
                    length -= len(data)
        self._set_utilisation(copy)
        return copy

    def _set_utilisation(self, vdi):
        self.db.update('VDI', vdi, physical_utilisation=os.stat(self.path(vdi)).st_blocks * 512)
        self._account(self.db.get('VDI', vdi)['SR'])

    def vdi_clone(self, vdi, driver_params):
        return self._copy(vdi)

    def vdi_snapshot(self, vdi, driver_params):
        snap = self._copy(vdi, is_a_snapshot=True, snapshot_of=vdi,
                          snapshot_time=objects.now())
        self.db.tables['VDI'][vdi]['snapshots'].append(snap)
        return snap

    def vdi_resize(self, vdi, size):
        record = self.db.get('VDI', vdi)
        size = objects.from_wire('VDI', 'size', 'int', size)
        if size < record['virtual_size']:
            raise XapiError('INVALID_VALUE', 'size', size)
        if self._attached_vbds(vdi):
            raise XapiError('VDI_IN_USE', vdi, 'resize')
        self._check_space(record['SR'], size - record['virtual_size'])
        with open(self.path(vdi), 'r+b') as f:
            f.truncate(size)
        self.db.update('VDI', vdi, virtual_size=size)
        self._account(record['SR'])
        return ''

    # -- data ---------------------------------------------------------------------------
    def read_raw(self, vdi, limit=0):
        record = self.db.get('VDI', vdi)
        size = record['virtual_size'] if not limit else min(limit, record['virtual_size'])
        with open(self.path(vdi), 'rb') as f:
            left = size
            while left > 0:
                data = f.read(min(CHUNK, left)) or b'\x00' * min(CHUNK, left)
                left -= len(data)
                yield data

    def export(self, vdi, fmt):
        """Chunks of the VDI's data: raw (every byte) or a dynamic VHD of its extents."""
        record = self.db.get('VDI', vdi)
        if fmt == 'raw':
            return self.read_raw(vdi)
        path, size = self.path(vdi), record['virtual_size']
        blocks = {}
        for offset, length in _extents(path, size):
            for index in range(offset // vhd.BLOCK_SIZE,
                               (offset + length - 1) // vhd.BLOCK_SIZE + 1):
                blocks[index] = _block_reader(path, index, size)
        return vhd.write(size, blocks)

    def import_(self, vdi, fmt, chunks, length):
        """Write a client's stream into the VDI; XapiError (VDI_IO_ERROR) if it does not fit
        or is not a VHD we take."""
        record = self.db.get('VDI', vdi)
        if self._attached_vbds(vdi):
            raise XapiError('VDI_IN_USE', vdi, 'import')
        size = record['virtual_size']
        with open(self.path(vdi), 'r+b') as f:
            def write_at(offset, data):
                data = data.rstrip(b'\x00') if offset + len(data) >= size else data
                if data.strip(b'\x00'):
                    f.seek(offset)
                    f.write(data)
            if fmt == 'vhd':
                try:
                    vhd.read(chunks, write_at, size)
                except vhd.VhdError as error:
                    raise XapiError('VDI_IO_ERROR', str(error)) from None
            else:
                if length is not None and length > size:
                    raise XapiError('VDI_IO_ERROR', 'the data (%d bytes) is larger than the '
                                    'VDI (%d bytes)' % (length, size))
                offset = 0
                for chunk in chunks:
                    if offset + len(chunk) > size:
                        raise XapiError('VDI_IO_ERROR', 'the data is larger than the VDI')
                    write_at(offset, chunk)
                    offset += len(chunk)
        self._set_utilisation(vdi)

    def remove_files(self):
        shutil.rmtree(self.xapi.data_dir, ignore_errors=True)

    # -- VBDs --------------------------------------------------------------------------------
    def vbd_create(self, values):
        vm = values.get('VM', objects.NULL) if isinstance(values, dict) else objects.NULL
        vm_record = self.db.get('VM', vm)
        used = {self.db.get('VBD', v)['userdevice'] for v in vm_record['VBDs']}
        values = dict(values)
        if values.get('userdevice') == 'autodetect':
            values['userdevice'] = str(next(n for n in range(16) if str(n) not in used))
        if values.get('userdevice') in used:
            raise XapiError('DEVICE_ALREADY_EXISTS', values['userdevice'])
        if not str(values.get('userdevice', '')).isdigit():
            raise XapiError('INVALID_DEVICE', values.get('userdevice', ''))
        if values.get('VDI', objects.NULL) == objects.NULL and not values.get('empty'):
            raise XapiError('HANDLE_INVALID', 'VDI', objects.NULL)
        vbd = self.xapi.create('VBD', values)
        self.db.update('VBD', vbd, device='xvd' + chr(ord('a') + int(values['userdevice'])))
        return vbd

    def _vbd_vm_running(self, vbd):
        record = self.db.get('VBD', vbd)
        vm = self.db.get('VM', record['VM'])
        if vm['power_state'] != 'Running':
            raise bad_power_state(record['VM'], 'Running', vm['power_state'])
        return record

    def check_vdi_free(self, vbd):
        """VDI_IN_USE if the VBD's VDI is attached read-write through another VBD."""
        record = self.db.get('VBD', vbd)
        if record['empty'] or record['VDI'] == objects.NULL:
            return
        vdi = self.db.get('VDI', record['VDI'])
        for other in self._attached_vbds(record['VDI']):
            if other != vbd and (record['mode'] == 'RW' or
                                 self.db.get('VBD', other)['mode'] == 'RW') \
                    and not vdi['sharable']:
                raise XapiError('VDI_IN_USE', record['VDI'], 'attach')

    def vbd_plug(self, vbd):
        record = self._vbd_vm_running(vbd)
        if record['currently_attached']:
            raise XapiError('DEVICE_ALREADY_ATTACHED', vbd)
        self.check_vdi_free(vbd)
        self.db.update('VBD', vbd, currently_attached=True)
        self.xapi.guests.device_changed(record['VM'])
        if not record['empty'] and record['VDI'] != objects.NULL:
            self.xapi.guests.disk_plugged(record['VM'], record['device'],
                                          self.head(record['VDI']))
        return ''

    def vbd_unplug(self, vbd):
        record = self._vbd_vm_running(vbd)
        if not record['currently_attached']:
            raise XapiError('DEVICE_ALREADY_DETACHED', vbd)
        if not record['unpluggable']:
            raise XapiError('VBD_NOT_UNPLUGGABLE', vbd)
        self.db.update('VBD', vbd, currently_attached=False)
        self.xapi.guests.device_changed(record['VM'])
        return ''

    def vbd_destroy(self, vbd):
        record = self.db.get('VBD', vbd)
        if record['currently_attached'] and \
                self.db.get('VM', record['VM'])['power_state'] != 'Halted':
            raise XapiError('OPERATION_NOT_ALLOWED', 'VBD is currently attached')
        self.db.delete('VBD', vbd)
        return ''


def _block_reader(path, index, size):
    def read():
        with open(path, 'rb') as f:
            f.seek(index * vhd.BLOCK_SIZE)
            return f.read(min(vhd.BLOCK_SIZE, size - index * vhd.BLOCK_SIZE))
    return read
