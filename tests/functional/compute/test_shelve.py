"""Shelve, offload (at once, on request, periodically) and unshelve on fake hosts."""
import datetime

import pytest

from nova import exception
from nova import utils
from nova.compute import power_state, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.image import service as image_service
from nova.virt import fake

from tests.functional.compute.moves import (actions, boot_on, fault, memory_used,
                                            quota_usage, row)


def shelved_image(cloud, uuid):
    image_id = row(cloud, uuid).system_metadata['shelved_image_id']
    return image_service.get_default_image_service().show(cloud.admin, image_id)


def image_gone(cloud, image_id):
    with pytest.raises(exception.ImageNotFound):
        image_service.get_default_image_service().show(cloud.admin, image_id)
    return True


def test_shelve_offloads_at_once_and_unshelve_spawns_from_the_image(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    [offloaded] = cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    assert (offloaded.host, offloaded.node, offloaded.power_state) == (
        None, None, power_state.NOSTATE)
    image = shelved_image(cloud, uuid)
    assert image['status'] == 'active' and image['name'] == 'vm-shelved'
    assert image['properties']['instance_uuid'] == uuid
    assert set(memory_used(cloud).values()) == {0}
    assert fake.FakeDriver('h1').list_instance_uuids() == []
    assert quota_usage(cloud)['ram'] == 512  # a shelved instance still counts

    cloud.api.unshelve(cloud.ctx, row(cloud, uuid))
    [active] = cloud.wait([uuid], vm_states.ACTIVE)
    assert active.host in ('h1', 'h2', 'h3') and active.power_state == power_state.RUNNING
    assert 'shelved_image_id' not in active.system_metadata
    assert image_gone(cloud, image['id'])
    assert memory_used(cloud)[active.host] == 512
    assert fake.FakeDriver(active.host).list_instance_uuids() == [uuid]
    assert {'shelve', 'unshelve'} <= actions(cloud, uuid)


def test_shelved_instance_keeps_its_host_until_offloaded(cloud):
    CONF.set_override('shelved_offload_time', -1)
    uuid = boot_on(cloud, 'h1')
    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    [shelved] = cloud.wait([uuid], vm_states.SHELVED)
    assert shelved.host == 'h1' and shelved.power_state == power_state.SHUTDOWN
    assert memory_used(cloud)['h1'] == 512
    image_id = shelved.system_metadata['shelved_image_id']
    cloud.api.unshelve(cloud.ctx, row(cloud, uuid))
    [active] = cloud.wait([uuid], vm_states.ACTIVE)
    assert active.host == 'h1' and active.power_state == power_state.RUNNING
    assert image_gone(cloud, image_id)

    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.SHELVED)
    cloud.api.shelve_offload(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    assert memory_used(cloud)['h1'] == 0


def test_periodic_task_offloads_after_shelved_offload_time(cloud):
    CONF.set_override('shelved_offload_time', 3600)
    uuid = boot_on(cloud, 'h1')
    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    shelved = cloud.wait([uuid], vm_states.SHELVED)[0]
    manager = cloud.services['h1'].manager
    manager.poll_shelved_instances(cloud.admin)
    assert row(cloud, uuid).vm_state == vm_states.SHELVED
    long_ago = utils.isotime(utils.utcnow() - datetime.timedelta(hours=2))
    db.instance_update(cloud.admin, uuid, {'system_metadata': dict(
        shelved.system_metadata, shelved_at=long_ago)})
    manager.poll_shelved_instances(cloud.admin)
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)


def test_deleting_an_offloaded_instance_deletes_its_image(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    image_id = row(cloud, uuid).system_metadata['shelved_image_id']
    cloud.api.delete(cloud.ctx, row(cloud, uuid))
    cloud.wait_gone([uuid])
    assert image_gone(cloud, image_id)
    assert quota_usage(cloud)['ram'] == 0 and quota_usage(cloud)['instances'] == 0


def test_failed_shelve_and_unshelve_leave_no_task(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h1', 'snapshot', RuntimeError('no space'), times=1)
    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    [stopped] = cloud.wait([uuid], vm_states.STOPPED)
    assert 'no space' in fault(cloud, uuid) and stopped.power_state == power_state.SHUTDOWN

    cloud.api.shelve(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    image_id = row(cloud, uuid).system_metadata['shelved_image_id']
    for host in ('h1', 'h2', 'h3'):
        fake.set_failure(host, 'spawn', RuntimeError('no cpu'))
    cloud.api.unshelve(cloud.ctx, row(cloud, uuid))
    [offloaded] = cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    assert offloaded.host is None and 'no cpu' in fault(cloud, uuid)
    assert set(memory_used(cloud).values()) == {0}
    assert shelved_image(cloud, uuid)['id'] == image_id
    fake.clear_failures()
    cloud.api.unshelve(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.ACTIVE)
