"""Swap volume's block copy and pivot (nova/virt/libvirt/volume_swap.py), against a
domain whose copy job the test steers: libvirt's test driver has no block jobs. The
same swap on real QEMU and tgt is in tests/integration/test_libvirt_guests.py."""
import xml.etree.ElementTree as ET

import pytest

from nova import exception
from nova.conf import CONF
from nova.virt.libvirt import volume_swap
from tests.unit.virt import libvirt_backend
from tests.unit.virt.fixtures import make_instance

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

OLD_IQN = 'iqn.2010-10.org.openstack:volume-old'
NEW_IQN = 'iqn.2010-10.org.openstack:volume-new'
DOMAIN = """<domain type='qemu'><name>instance-00000001</name><devices>
<disk type='file' device='disk'><source file='/i/disk'/><target dev='vda' bus='virtio'/></disk>
<disk type='network' device='disk'><driver name='qemu' type='raw'/>
  <source protocol='iscsi' name='%s/1'><host name='127.0.0.1' port='3260'/></source>
  <target dev='vdb' bus='virtio'/><serial>old</serial>
  <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></disk>
</devices></domain>""" % OLD_IQN


class CopyingDomain:
    """A running domain with vdb on the old volume; its copy job goes as ``job`` says:
    'completes', 'fails' (the job ends before it is complete) or 'stalls'."""

    def __init__(self, job, state=libvirt.VIR_DOMAIN_RUNNING):
        self.job, self.xml, self.calls, self.cursor = job, DOMAIN, [], None
        self._state = state

    def state(self, flags):
        return self._state, 0

    def hasManagedSaveImage(self, flags):
        return 0

    def XMLDesc(self, flags):
        return self.xml

    def blockInfo(self, target):
        return [1024 ** 3, 0, 1024 ** 3]

    def blockCopy(self, target, destination, params, flags):
        self.calls.append(('copy', target, ET.fromstring(destination).find('source').get('name'),
                           flags))
        self.cursor = 0

    def blockJobInfo(self, target, flags):
        if self.cursor is None:
            return {}
        if self.job == 'fails' and self.cursor:
            self.cursor = None
            return {}
        if self.job != 'stalls':
            self.cursor = min(self.cursor + 512, 1024)
        return {'cur': self.cursor, 'end': 1024, 'type': 2, 'bandwidth': 0}

    def blockJobAbort(self, target, flags):
        pivot = bool(flags & libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
        self.calls.append(('pivot' if pivot else 'cancel', target))
        if pivot:
            self.xml = self.xml.replace(OLD_IQN, NEW_IQN)
        self.cursor = None

    def blockResize(self, target, size, flags):
        self.calls.append(('resize', target, size))


def _info(volume_id, iqn):
    return {'driver_volume_type': 'iscsi', 'data': {
        'volume_id': volume_id, 'target_portal': '127.0.0.1:3260', 'target_iqn': iqn,
        'target_lun': 1, 'auth_method': 'CHAP', 'auth_username': 'u-' + volume_id,
        'auth_password': 'p-' + volume_id}}


class Swap:
    """A libvirt driver (on test:///) whose domain is a CopyingDomain; ``record``: its
    secret and define calls."""

    def __init__(self, monkeypatch):
        libvirt_backend.configure()
        self.drv = libvirt_backend.driver_class()('host1')
        self.drv.init_host('host1')
        self.record, self.domain = [], None
        hypervisor = self.drv.hypervisor
        monkeypatch.setattr(volume_swap, '_POLL', 0.01)
        monkeypatch.setattr(hypervisor, 'set_secret',
                            lambda usage, xml, value: self.record.append(('set', usage)))
        monkeypatch.setattr(hypervisor, 'delete_secret',
                            lambda usage: self.record.append(('delete', usage)))
        monkeypatch.setattr(hypervisor, 'define',
                            lambda xml: self.record.append(('define', xml)))
        monkeypatch.setattr(self.drv, '_domain', lambda instance: self.domain)

    def __call__(self, job, resize_to=1):
        self.domain = CopyingDomain(job)
        self.drv.swap_volume(None, _info('old', OLD_IQN), _info('new', NEW_IQN),
                             make_instance(host='host1'), '/dev/vdb', resize_to)


@pytest.fixture
def swap(monkeypatch):
    return Swap(monkeypatch)


def test_the_copy_is_pivoted_and_the_definition_names_the_new_volume(swap):
    swap('completes', resize_to=2)
    [copy, pivot, resize] = swap.domain.calls  # grown after the definition is saved
    assert copy == ('copy', 'vdb', NEW_IQN + '/1', libvirt.VIR_DOMAIN_BLOCK_COPY_REUSE_EXT |
                    libvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB)
    assert pivot == ('pivot', 'vdb') and resize == ('resize', 'vdb', 2 * 1024 ** 3)
    assert swap.record[0] == ('set', 'nova-volume-new')
    [defined] = [xml for kind, xml in swap.record if kind == 'define']
    [vdb] = [d for d in ET.fromstring(defined).iter('disk')
             if d.find('target').get('dev') == 'vdb']
    assert vdb.find('source').get('name') == NEW_IQN + '/1'
    assert vdb.findtext('serial') == 'new'
    assert vdb.find('address').get('slot') == '0x07'  # the same PCI slot for the guest
    assert vdb.find('auth').get('username') == 'u-new' and 'p-new' not in defined
    assert swap.record[-1] == ('delete', 'nova-volume-old')


def test_a_failure_after_the_pivot_keeps_the_swap(swap, monkeypatch):
    """Once pivoted the guest uses the new volume: growing it failing is logged, not
    raised (the host would give the new volume up under the running guest)."""
    def refuse(self, target, size, flags):
        raise libvirt.libvirtError('resize refused')
    monkeypatch.setattr(CopyingDomain, 'blockResize', refuse)
    swap('completes', resize_to=2)
    assert ('pivot', 'vdb') in swap.domain.calls and NEW_IQN in swap.domain.xml
    assert [kind for kind, _value in swap.record] == ['set', 'define', 'delete']
    assert swap.record[-1] == ('delete', 'nova-volume-old')


@pytest.mark.parametrize('job,message', [('fails', 'stopped before it was complete'),
                                         ('stalls', 'made no progress for 1s')])
def test_a_failed_copy_is_cancelled_and_the_guest_keeps_the_old_volume(swap, job, message):
    CONF.set_override('libvirt_volume_copy_stall_timeout', 1)
    with pytest.raises(exception.HypervisorError, match=message):
        swap(job)
    assert ('pivot', 'vdb') not in swap.domain.calls
    assert OLD_IQN in swap.domain.xml and NEW_IQN not in swap.domain.xml
    if job == 'stalls':
        assert swap.domain.calls[-1] == ('cancel', 'vdb')
    # the new volume's secret made for the copy goes again; the old one's stays
    assert swap.record == [('set', 'nova-volume-new'), ('delete', 'nova-volume-new')]


@pytest.mark.parametrize('state,device,error', [
    (libvirt.VIR_DOMAIN_SHUTOFF, '/dev/vdb', exception.HypervisorStateConflict),
    (libvirt.VIR_DOMAIN_RUNNING, '/dev/vdc', exception.DeviceNotAttached)])
def test_a_stopped_guest_or_nothing_at_the_device_is_refused_before_any_copy(swap, state,
                                                                             device, error):
    swap.domain = CopyingDomain('completes', state)
    with pytest.raises(error):
        swap.drv.swap_volume(None, _info('old', OLD_IQN), _info('new', NEW_IQN),
                             make_instance(host='host1'), device, 1)
    assert swap.domain.calls == [] and swap.record == []
