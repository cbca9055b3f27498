"""Volumes and instances in one process: a scheduler, fake compute hosts and a
nova-volume host exporting through a private tgtd. The fake driver reads every
volume it attaches through its iSCSI connection info (qemu-img over QEMU's
userspace initiator, with CHAP), so an attach proves the target is reachable."""
import subprocess

import eventlet
import pytest

from nova import context as nova_context
from nova import exception
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.image import service as image_service
from nova.virt import fake
from nova.virt import iscsi
from nova.volume import api as volume_api
from nova.volume import targets
from tests.harness import daemons


@pytest.fixture
def vcloud(cloud, tgtd, qemu_iscsi):
    for name, value in tgtd.flags().items():
        CONF.set_override(name, value)
    CONF.set_override('fake_volume_check', True)
    cloud.start('nova-volume', 'vhost')
    cloud.volumes = volume_api.API()
    yield cloud
    tgtd.reset()


def wait_volume(cloud, volume_id, status, timeout=30):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        try:
            volume = db.volume_get(cloud.admin, volume_id)
        except exception.VolumeNotFound:
            if status is None:
                return None
            raise
        if volume.status == status:
            return volume
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError('volume %s is %s, not %s' % (volume_id, volume.status, status))
        eventlet.sleep(0.02)


def new_volume(cloud, size=1, ctx=None, **kwargs):
    volume = cloud.volumes.create(ctx or cloud.ctx, size=size, **kwargs)
    return wait_volume(cloud, volume.uuid, 'available')


def guest(instance):
    host = db.instance_get_by_uuid(nova_context.get_admin_context(), instance.uuid).host
    return fake._host(host).guests[instance.uuid]


def test_attach_and_detach(vcloud, tgtd):
    [instance] = vcloud.wait([i.uuid for i in vcloud.boot()], vm_states.ACTIVE)
    volume = new_volume(vcloud)
    bdm = vcloud.api.attach_volume(vcloud.ctx, instance, volume.uuid)
    assert bdm.device_name == '/dev/vdb'
    volume = wait_volume(vcloud, volume.uuid, 'in-use')
    [attachment] = volume.attachments
    assert (attachment.instance_uuid, attachment.mountpoint, attachment.attach_status) == (
        instance.uuid, '/dev/vdb', 'attached')
    info = guest(instance).volumes['/dev/vdb']
    assert info['serial'] == volume.uuid and info['data']['auth_method'] == 'CHAP'
    assert iscsi.virtual_size(info) == 1024 ** 3
    [shown] = vcloud.api.get_volume_attachments(vcloud.ctx, instance)
    assert shown.connection_info == info

    iqn = info['data']['target_iqn']
    assert iqn in tgtd.targets()
    vcloud.api.detach_volume(vcloud.ctx, instance, volume.uuid)
    wait_volume(vcloud, volume.uuid, 'available')
    assert guest(instance).volumes == {}
    assert vcloud.api.get_volume_attachments(vcloud.ctx, instance) == []
    assert db.volume_get(vcloud.admin, volume.uuid).attachments == []
    # nothing attached: the volume host drops the target (a cast after the detach)
    deadline = eventlet.hubs.get_hub().clock() + 30
    while iqn in tgtd.targets():
        assert eventlet.hubs.get_hub().clock() < deadline, 'the export stayed'
        eventlet.sleep(0.05)


def test_attach_refusals_leave_the_volume_as_it_was(vcloud):
    first, second = vcloud.wait([i.uuid for i in vcloud.boot(count=2)], vm_states.ACTIVE)
    volume = new_volume(vcloud)
    vcloud.api.attach_volume(vcloud.ctx, first, volume.uuid, device='/dev/vdc')
    wait_volume(vcloud, volume.uuid, 'in-use')
    with pytest.raises(exception.InvalidVolume, match='available'):
        vcloud.api.attach_volume(vcloud.ctx, second, volume.uuid)
    other = new_volume(vcloud)
    with pytest.raises(exception.DevicePathInUse):
        vcloud.api.attach_volume(vcloud.ctx, first, other.uuid, device='/dev/vdc')
    with pytest.raises(exception.InvalidDevicePath):
        vcloud.api.attach_volume(vcloud.ctx, first, other.uuid, device='/dev/../etc')
    with pytest.raises(exception.VolumeNotAttached):
        vcloud.api.detach_volume(vcloud.ctx, second, other.uuid)
    bob = nova_context.RequestContext(user_id='bob', project_id='proj-b', roles=['member'],
                                      overwrite=False)
    bobs = new_volume(vcloud, ctx=bob)
    with pytest.raises(exception.VolumeNotFound):
        vcloud.api.attach_volume(vcloud.ctx, first, bobs.uuid)
    assert db.volume_get(vcloud.admin, other.uuid).status == 'available'
    assert db.volume_get(vcloud.admin, bobs.uuid).status == 'available'
    with pytest.raises(exception.InvalidVolume, match='attached'):
        vcloud.volumes.delete(vcloud.ctx, db.volume_get(vcloud.admin, volume.uuid))


def test_a_failed_attach_is_undone(vcloud, monkeypatch):
    [instance] = vcloud.wait([i.uuid for i in vcloud.boot()], vm_states.ACTIVE)
    volume = new_volume(vcloud)
    host = db.instance_get_by_uuid(vcloud.admin, instance.uuid).host
    fake.set_failure(host, 'attach_volume', exception.NovaException('disk bus full'), times=1)
    vcloud.api.attach_volume(vcloud.ctx, instance, volume.uuid)
    wait_volume(vcloud, volume.uuid, 'available')
    assert vcloud.api.get_volume_attachments(vcloud.ctx, instance) == []
    faults = db.instance_fault_get_by_instance_uuids(vcloud.admin, [instance.uuid])
    assert 'disk bus full' in faults[instance.uuid][0].message
    # an unreachable target fails the attach too: the fake driver reads through it
    # (nova-volume answers a portal nobody listens on)
    real = targets.Target.connection_properties
    nowhere = '127.0.0.1:%d' % daemons.free_port()
    monkeypatch.setattr(targets.Target, 'connection_properties', lambda *args: dict(
        real(*args), target_portal=nowhere))
    vcloud.api.attach_volume(vcloud.ctx, instance, volume.uuid)
    wait_volume(vcloud, volume.uuid, 'available')
    assert guest(instance).volumes == {}


def test_deleting_an_instance_releases_its_volumes(vcloud):
    [instance] = vcloud.wait([i.uuid for i in vcloud.boot()], vm_states.ACTIVE)
    kept, dropped = new_volume(vcloud), new_volume(vcloud)
    vcloud.api.attach_volume(vcloud.ctx, instance, kept.uuid)
    vcloud.api.attach_volume(vcloud.ctx, instance, dropped.uuid, delete_on_termination=True)
    wait_volume(vcloud, kept.uuid, 'in-use')
    wait_volume(vcloud, dropped.uuid, 'in-use')
    vcloud.api.delete(vcloud.ctx, db.instance_get_by_uuid(vcloud.admin, instance.uuid))
    vcloud.wait_gone([instance.uuid])
    wait_volume(vcloud, kept.uuid, 'available')
    wait_volume(vcloud, dropped.uuid, None)
    usage = db.quota_usage_get_all_by_project(vcloud.admin, 'proj-a')
    assert (usage['volumes'], usage['gigabytes']) == (1, 1)


def _image_bytes(cloud):
    return image_service.default_image_data()


def test_boot_from_a_volume_made_from_the_image(vcloud, tmp_path):
    [instance] = vcloud.boot(image=None, block_device_mapping=[{
        'source_type': 'image', 'destination_type': 'volume', 'boot_index': 0,
        'uuid': vcloud.image['id'], 'volume_size': 1, 'delete_on_termination': True}])
    [instance] = vcloud.wait([instance.uuid], vm_states.ACTIVE)
    assert instance.image_ref == ''
    [root] = vcloud.api.get_volume_attachments(vcloud.ctx, instance)
    assert (root.boot_index, root.device_name) == (0, '/dev/vda')
    volume = db.volume_get(vcloud.admin, root.volume_id)
    assert volume.status == 'in-use' and volume.bootable
    assert volume.image_metadata['image_id'] == vcloud.image['id']
    info = guest(instance).volumes['/dev/vda']
    copy = tmp_path / 'root.raw'
    subprocess.run(['qemu-img', 'convert', '-O', 'raw', '--image-opts',
                    iscsi.qemu_image_opts(info), str(copy)], check=True, timeout=120)
    data = _image_bytes(vcloud)
    with open(copy, 'rb') as f:
        assert f.read(len(data)) == data  # the image, read back through the target
    with pytest.raises(exception.InvalidVolume, match='root'):
        vcloud.api.detach_volume(vcloud.ctx, instance, volume.uuid)
    vcloud.api.delete(vcloud.ctx, db.instance_get_by_uuid(vcloud.admin, instance.uuid))
    vcloud.wait_gone([instance.uuid])
    wait_volume(vcloud, volume.uuid, None)


def test_boot_from_an_existing_volume_and_keep_it(vcloud):
    volume = new_volume(vcloud, image_id=vcloud.image['id'])
    [instance] = vcloud.boot(image=None, block_device_mapping=[{
        'source_type': 'volume', 'destination_type': 'volume', 'boot_index': 0,
        'uuid': volume.uuid}])
    assert db.volume_get(vcloud.admin, volume.uuid).status == 'attaching'  # reserved at once
    [instance] = vcloud.wait([instance.uuid], vm_states.ACTIVE)
    assert wait_volume(vcloud, volume.uuid, 'in-use')
    with pytest.raises(exception.InvalidInput, match='Block Device Mapping'):
        vcloud.boot(image=None, block_device_mapping=[{
            'source_type': 'blank', 'destination_type': 'volume', 'boot_index': 0,
            'volume_size': 1}])
    vcloud.api.delete(vcloud.ctx, db.instance_get_by_uuid(vcloud.admin, instance.uuid))
    vcloud.wait_gone([instance.uuid])
    wait_volume(vcloud, volume.uuid, 'available')


def test_a_restart_resolves_attaches_and_detaches_it_cut_short(vcloud):
    [instance] = vcloud.wait([i.uuid for i in vcloud.boot()], vm_states.ACTIVE)
    host = db.instance_get_by_uuid(vcloud.admin, instance.uuid).host
    attaching, detaching = new_volume(vcloud), new_volume(vcloud)
    vcloud.api.attach_volume(vcloud.ctx, instance, detaching.uuid)
    wait_volume(vcloud, detaching.uuid, 'in-use')
    # what a crash leaves: one reserved and mapped but not connected, one detaching
    attachment = vcloud.volumes.reserve(vcloud.ctx, attaching, instance.uuid)
    db.block_device_mapping_create(vcloud.ctx, {
        'instance_uuid': instance.uuid, 'source_type': 'volume', 'destination_type': 'volume',
        'volume_id': attaching.uuid, 'device_name': '/dev/vdc',
        'attachment_id': attachment.uuid})
    vcloud.volumes.begin_detaching(vcloud.ctx, db.volume_get(vcloud.admin, detaching.uuid))
    vcloud.services[host].stop(graceful=False)
    vcloud.start('nova-compute', host)
    wait_volume(vcloud, attaching.uuid, 'available')
    wait_volume(vcloud, detaching.uuid, 'available')
    assert vcloud.api.get_volume_attachments(vcloud.ctx, instance) == []



def _wait_target_gone(tgtd, iqn):
    deadline = eventlet.hubs.get_hub().clock() + 30
    while iqn in tgtd.targets():
        assert eventlet.hubs.get_hub().clock() < deadline, 'the export of %s stayed' % iqn
        eventlet.sleep(0.05)


def test_swap_volume(vcloud, tgtd):
    """As Nova's PUT os-volume_attachments: the guest's /dev/vdb becomes the new
    volume (reached through its target), the old one is released and its target
    dropped; a smaller or busy new volume is refused and changes nothing."""
    [instance] = vcloud.wait([i.uuid for i in vcloud.boot()], vm_states.ACTIVE)
    old, new = new_volume(vcloud), new_volume(vcloud, size=2)
    vcloud.api.attach_volume(vcloud.ctx, instance, old.uuid)
    wait_volume(vcloud, old.uuid, 'in-use')
    old_iqn = guest(instance).volumes['/dev/vdb']['data']['target_iqn']
    smaller = new_volume(vcloud, size=1)
    db.volume_update(vcloud.admin, old.uuid, {'size': 2})
    with pytest.raises(exception.InvalidVolume, match='same size or larger'):
        vcloud.api.swap_volume(vcloud.admin, instance, old.uuid, smaller.uuid)
    with pytest.raises(exception.InvalidVolume, match='available'):
        vcloud.api.swap_volume(vcloud.admin, instance, old.uuid, old.uuid)
    assert db.volume_get(vcloud.admin, old.uuid).status == 'in-use'

    vcloud.api.swap_volume(vcloud.admin, instance, old.uuid, new.uuid)
    wait_volume(vcloud, new.uuid, 'in-use')
    wait_volume(vcloud, old.uuid, 'available')
    info = guest(instance).volumes['/dev/vdb']
    assert info['serial'] == new.uuid and iscsi.virtual_size(info) == 2 * 1024 ** 3
    [bdm] = vcloud.api.get_volume_attachments(vcloud.ctx, instance)
    assert (bdm.volume_id, bdm.device_name, bdm.connection_info) == (
        new.uuid, '/dev/vdb', info)
    [attachment] = db.volume_get(vcloud.admin, new.uuid).attachments
    assert (attachment.instance_uuid, attachment.attach_status) == (instance.uuid, 'attached')
    assert db.volume_get(vcloud.admin, old.uuid).attachments == []
    _wait_target_gone(tgtd, old_iqn)
    actions = [a.action for a in db.actions_get(vcloud.admin, instance.uuid)]
    assert 'swap_volume' in actions


def test_multiattach_volume(vcloud, tgtd):
    """A multiattach volume (Cinder's flag) attaches to two servers from 2.60; its
    target stays until the last detach; a plain volume still attaches once."""
    first, second = vcloud.wait([i.uuid for i in vcloud.boot(count=2)], vm_states.ACTIVE)
    shared = new_volume(vcloud, multiattach=True)
    assert shared.multiattach
    with pytest.raises(exception.MultiattachNotSupportedOldMicroversion, match='2.60'):
        vcloud.api.attach_volume(vcloud.ctx, first, shared.uuid)
    for instance in (first, second):
        vcloud.api.attach_volume(vcloud.ctx, instance, shared.uuid, supports_multiattach=True)
        wait_volume(vcloud, shared.uuid, 'in-use')
    volume = db.volume_get(vcloud.admin, shared.uuid)
    assert sorted(a.instance_uuid for a in volume.attachments) == sorted(
        [first.uuid, second.uuid])
    infos = [guest(i).volumes['/dev/vdb'] for i in (first, second)]
    assert all(info['multiattach'] and info['serial'] == shared.uuid for info in infos)
    iqn = infos[0]['data']['target_iqn']

    vcloud.api.detach_volume(vcloud.ctx, first, shared.uuid)
    deadline = eventlet.hubs.get_hub().clock() + 30
    while len(db.volume_get(vcloud.admin, shared.uuid).attachments) != 1:
        assert eventlet.hubs.get_hub().clock() < deadline
        eventlet.sleep(0.05)
    assert db.volume_get(vcloud.admin, shared.uuid).status == 'in-use'
    assert iqn in tgtd.targets()  # the other server still needs it
    assert iscsi.virtual_size(infos[1]) == 1024 ** 3
    vcloud.api.detach_volume(vcloud.ctx, second, shared.uuid)
    wait_volume(vcloud, shared.uuid, 'available')
    _wait_target_gone(tgtd, iqn)

    # a server booted with it while another has it attached (2.60, as Nova)
    vcloud.api.attach_volume(vcloud.ctx, first, shared.uuid, supports_multiattach=True)
    wait_volume(vcloud, shared.uuid, 'in-use')
    mapping = [{'source_type': 'volume', 'destination_type': 'volume', 'boot_index': None,
                'uuid': shared.uuid}]
    with pytest.raises(exception.MultiattachNotSupportedOldMicroversion):
        vcloud.boot(block_device_mapping=mapping)
    [third] = vcloud.boot(block_device_mapping=mapping, supports_multiattach=True)
    [third] = vcloud.wait([third.uuid], vm_states.ACTIVE)
    volume = wait_volume(vcloud, shared.uuid, 'in-use')
    assert sorted(a.instance_uuid for a in volume.attachments) == sorted(
        [first.uuid, third.uuid])
    assert guest(third).volumes['/dev/vdb']['multiattach']
    for instance in (first, third):
        vcloud.api.detach_volume(vcloud.ctx, instance, shared.uuid)
        deadline = eventlet.hubs.get_hub().clock() + 30
        while instance.uuid in [a.instance_uuid for a in db.volume_get(
                vcloud.admin, shared.uuid).attachments]:
            assert eventlet.hubs.get_hub().clock() < deadline
            eventlet.sleep(0.05)

    plain = new_volume(vcloud)
    vcloud.api.attach_volume(vcloud.ctx, first, plain.uuid, supports_multiattach=True)
    wait_volume(vcloud, plain.uuid, 'in-use')
    with pytest.raises(exception.InvalidVolume, match='available'):
        vcloud.api.attach_volume(vcloud.ctx, second, plain.uuid, supports_multiattach=True)
