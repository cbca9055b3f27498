"""Rebuild, snapshot, backup and the compute host's image cache."""
import os
import types

import pytest

from nova import exception
from nova.compute import power_state, vm_states
from nova.conf import CONF
from nova.image import service as image_service
from nova.virt import fake, fake_guest

from tests.functional.compute.moves import actions, admin, boot_on, fault, row


def upload_image(cloud, name='other', data=b'another disk' * 100):
    service = image_service.get_default_image_service()
    image = service.create(cloud.admin, {'name': name, 'visibility': 'public',
                                         'disk_format': 'raw', 'container_format': 'bare'})
    return service.upload(cloud.admin, image['id'], [data])


def image_bytes(cloud, image_id):
    _, chunks = image_service.get_default_image_service().download(cloud.admin, image_id)
    return b''.join(chunks)


def test_rebuild_with_another_image_name_and_metadata(cloud):
    uuid = boot_on(cloud, 'h1')
    other = upload_image(cloud)
    rebuilt = cloud.api.rebuild(cloud.ctx, row(cloud, uuid), other['id'], name='renamed',
                                metadata={'role': 'db'})
    assert rebuilt.task_state == 'rebuilding'
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert (current.image_ref, current.display_name) == (other['id'], 'renamed')
    assert current.metadata_dict == {'role': 'db'} and current.power_state == power_state.RUNNING
    assert fake.FakeDriver('h1').get_info(current).state == power_state.RUNNING
    base = cloud.services['h1'].manager.base_images.cache.path(other)
    with open(base, 'rb') as f:
        assert f.read() == image_bytes(cloud, other['id'])
    assert 'rebuild' in actions(cloud, uuid)


def test_rebuild_of_stopped_instance_stays_stopped(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.stop(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.STOPPED)
    cloud.api.rebuild(cloud.ctx, row(cloud, uuid), cloud.image['id'])
    [current] = cloud.wait([uuid], vm_states.STOPPED)
    assert current.power_state == power_state.SHUTDOWN


def test_failed_rebuild_is_an_error_with_a_fault(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h1', 'spawn', RuntimeError('bad disk'))
    cloud.api.rebuild(cloud.ctx, row(cloud, uuid), cloud.image['id'])
    cloud.wait([uuid], vm_states.ERROR)
    assert 'bad disk' in fault(cloud, uuid)
    fake.clear_failures('h1')
    cloud.api.rebuild(cloud.ctx, row(cloud, uuid), cloud.image['id'])
    cloud.wait([uuid], vm_states.ACTIVE)


def test_snapshot_uploads_what_the_driver_wrote(cloud):
    uuid = boot_on(cloud, 'h1')
    image = cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'snap', {'purpose': 'test'})
    assert image['status'] == 'queued' and image['owner'] == 'proj-a'
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    done = image_service.get_default_image_service().show(cloud.admin, image['id'])
    assert done['status'] == 'active' and done['disk_format'] == 'raw'
    props = done['properties']
    assert (props['instance_uuid'], props['image_type'], props['base_image_ref'],
            props['user_id'], props['purpose']) == (uuid, 'snapshot', cloud.image['id'],
                                                    'alice', 'test')
    guest = types.SimpleNamespace(uuid=uuid, image_ref=current.image_ref,
                                  root_gb=current.root_gb)
    assert image_bytes(cloud, image['id']) == b''.join(fake_guest.disk_image(guest,
                                                                             image['id']))
    assert 'createImage' in actions(cloud, uuid)
    # metadata the user gives wins over the compute service's own, as in Nova
    again = cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'snap2', {'image_type': 'test'})
    assert again['properties']['image_type'] == 'test'
    cloud.wait([uuid], vm_states.ACTIVE)


def test_failed_snapshot_deletes_its_image(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h1', 'snapshot', RuntimeError('frozen'))
    image = cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'snap')
    cloud.wait([uuid], vm_states.ACTIVE)
    assert 'frozen' in fault(cloud, uuid)
    with pytest.raises(exception.ImageNotFound):
        image_service.get_default_image_service().show(cloud.admin, image['id'])


def test_backup_rotation_keeps_the_newest(cloud):
    uuid = boot_on(cloud, 'h1')
    service = image_service.get_default_image_service()

    def backups():
        return [i['id'] for i in service.detail(cloud.admin, filters={
            'instance_uuid': uuid, 'image_type': 'backup', 'backup_type': 'daily'},
            sort_keys='created_at', sort_dirs='asc')]
    made = []
    for n in range(3):
        made.append(cloud.api.backup(cloud.ctx, row(cloud, uuid), 'b%d' % n, 'daily', 2)['id'])
        cloud.wait([uuid], vm_states.ACTIVE)
    assert backups() == made[1:]
    with pytest.raises(exception.InvalidInput):
        cloud.api.backup(cloud.ctx, row(cloud, uuid), 'b', 'daily', -1)
    cloud.api.backup(cloud.ctx, row(cloud, uuid), 'last', 'daily', 0)
    cloud.wait([uuid], vm_states.ACTIVE)
    assert backups() == []


def test_boots_fetch_an_image_once_per_host_and_unused_ones_are_removed(cloud, monkeypatch):
    cache = cloud.services['h1'].manager.base_images.cache
    fetched = []
    real_fetch = cache.fetch
    monkeypatch.setattr(cache, 'fetch', lambda ctx, image_id, image=None: fetched.append(
        image_id) or real_fetch(ctx, image_id, image))
    uuids = [boot_on(cloud, 'h1') for _ in range(3)]
    assert fetched == [cloud.image['id']]
    base = cache.path(cache.image_service.show(cloud.admin, cloud.image['id']))
    assert os.path.exists(base)
    CONF.set_override('remove_unused_base_images_age', 0)
    cloud.services['h1'].manager.remove_unused_base_images(cloud.admin)
    assert os.path.exists(base)  # in use
    for uuid in uuids:
        cloud.api.delete(cloud.ctx, row(cloud, uuid))
    cloud.wait_gone(uuids)
    cloud.services['h1'].manager.remove_unused_base_images(cloud.admin)
    assert not os.path.exists(base)
    boot_on(cloud, 'h1')
    assert fetched == [cloud.image['id']] * 2 and os.path.exists(base)


def test_restart_mid_snapshot_clears_the_task_and_the_partial_image(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.services['h1'].rpcserver.stop()  # the snapshot request waits unheard
    image = cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'snap')
    cloud.services['h1'].reporter.stop()
    cloud.start('nova-compute', 'h1')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert 'was interrupted' in fault(cloud, uuid)
    with pytest.raises(exception.ImageNotFound):
        image_service.get_default_image_service().show(admin(), image['id'])


def test_second_snapshot_while_the_first_is_saved_is_refused(cloud):
    uuid = boot_on(cloud, 'h1')
    CONF.set_override('fake_snapshot_delay', 1.0)
    try:
        cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'first')
        with pytest.raises(exception.InstanceInvalidState) as refused:
            cloud.api.snapshot(cloud.ctx, row(cloud, uuid), 'second')
        assert 'image_snapshot' in str(refused.value)
    finally:
        CONF.set_override('fake_snapshot_delay', 0.0)
    cloud.wait([uuid], vm_states.ACTIVE)
