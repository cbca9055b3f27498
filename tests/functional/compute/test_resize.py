"""Resize and cold migration on three fake hosts: states, claims on both ends, quota."""
import datetime

import eventlet
import pytest

from nova import exception
from nova import utils
from nova.compute import power_state, task_states, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake

from tests.functional.compute.moves import (actions, admin, boot_on, fault, memory_used,
                                            migrations, quota_usage, row)


def resize(cloud, uuid, flavor='m1.small'):
    cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor(flavor))
    [resized] = cloud.wait([uuid], vm_states.RESIZED)
    return resized


def test_resize_confirm_moves_usage_and_quota(cloud):
    uuid = boot_on(cloud, 'h1')
    small = cloud.flavor('m1.small')
    resized = resize(cloud, uuid)
    dest = resized.host
    assert dest != 'h1' and resized.instance_type_id == small.id
    assert (resized.memory_mb, resized.power_state) == (2048, power_state.RUNNING)
    assert (resized.flavor['old']['name'], resized.flavor['new']['name']) == (
        'm1.tiny', 'm1.small')
    used = memory_used(cloud)
    assert used['h1'] == 512 and used[dest] == 2048  # the source keeps its claim until confirm
    assert quota_usage(cloud)['ram'] == 2048
    [migration] = migrations(cloud, uuid)
    assert (migration.status, migration.source_compute, migration.dest_compute) == (
        'finished', 'h1', dest)

    cloud.api.confirm_resize(cloud.ctx, row(cloud, uuid))
    [confirmed] = cloud.wait([uuid], vm_states.ACTIVE)
    assert confirmed.host == dest and confirmed.flavor['old'] is None
    used = memory_used(cloud)
    assert used['h1'] == 0 and used[dest] == 2048
    assert quota_usage(cloud)['ram'] == 2048 and quota_usage(cloud)['cores'] == 1
    assert migrations(cloud, uuid)[0].status == 'confirmed'
    assert fake.FakeDriver(dest).list_instance_uuids() == [uuid]
    assert fake.FakeDriver('h1').list_instance_uuids() == []
    assert {'resize', 'confirmResize'} <= actions(cloud, uuid)


def test_resize_revert_restores_flavor_host_and_quota(cloud):
    uuid = boot_on(cloud, 'h1')
    dest = resize(cloud, uuid).host
    cloud.api.revert_resize(cloud.ctx, row(cloud, uuid))
    [reverted] = cloud.wait([uuid], vm_states.ACTIVE)
    assert (reverted.host, reverted.memory_mb, reverted.flavor['cur']['name']) == (
        'h1', 512, 'm1.tiny')
    assert reverted.power_state == power_state.RUNNING and reverted.flavor['new'] is None
    used = memory_used(cloud)
    assert used['h1'] == 512 and used[dest] == 0
    assert quota_usage(cloud)['ram'] == 512
    assert migrations(cloud, uuid)[0].status == 'reverted'
    assert fake.FakeDriver(dest).list_instance_uuids() == []
    assert fake.FakeDriver('h1').get_info(reverted).state == power_state.RUNNING


def test_resize_of_stopped_instance_stays_stopped(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.stop(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.STOPPED)
    assert resize(cloud, uuid).power_state == power_state.SHUTDOWN
    cloud.api.confirm_resize(cloud.ctx, row(cloud, uuid))
    [confirmed] = cloud.wait([uuid], vm_states.STOPPED)
    assert confirmed.power_state == power_state.SHUTDOWN


def only_host(cloud, host):
    """Disable the other compute services, as far as the scheduler knows."""
    for svc in db.service_get_all_by_topic(cloud.admin, CONF.compute_topic):
        if svc.host != host:
            db.service_update(cloud.admin, svc.id, {'disabled': True})
    cloud.services['nova-scheduler'].manager.refresh_host_states(cloud.admin)


def test_resize_on_the_same_host_holds_both_flavors_there(cloud):
    CONF.set_override('allow_resize_to_same_host', True)
    uuid = boot_on(cloud, 'h1')
    only_host(cloud, 'h1')
    assert resize(cloud, uuid).host == 'h1'
    assert memory_used(cloud)['h1'] == 512 + 2048
    cloud.api.revert_resize(cloud.ctx, row(cloud, uuid))
    [reverted] = cloud.wait([uuid], vm_states.ACTIVE)
    assert (reverted.memory_mb, reverted.power_state) == (512, power_state.RUNNING)
    assert memory_used(cloud)['h1'] == 512
    resize(cloud, uuid)
    cloud.api.confirm_resize(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.ACTIVE)
    assert memory_used(cloud)['h1'] == 2048
    assert fake.FakeDriver('h1').list_instance_uuids() == [uuid]
    assert not fake._host('h1').resize_sources


def test_resize_is_confirmed_automatically_after_the_window(cloud):
    CONF.set_override('resize_confirm_window', 1)
    uuid = boot_on(cloud, 'h1')
    dest = resize(cloud, uuid).host
    [migration] = migrations(cloud, uuid)
    cloud.services[dest].manager.poll_unconfirmed_resizes(cloud.admin)
    assert row(cloud, uuid).vm_state == vm_states.RESIZED  # not old enough yet
    db.migration_update(cloud.admin, migration.id, {
        'updated_at': utils.utcnow() - datetime.timedelta(seconds=5)})
    cloud.services[dest].manager.poll_unconfirmed_resizes(cloud.admin)
    cloud.wait([uuid], vm_states.ACTIVE)
    assert migrations(cloud, uuid)[0].status == 'confirmed'
    assert memory_used(cloud)['h1'] == 0


def test_resize_to_same_flavor_and_disk_shrink_are_refused(cloud):
    uuid = boot_on(cloud, 'h1', flavor='m1.small')
    with pytest.raises(exception.CannotResizeToSameFlavor) as same:
        cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor('m1.small'))
    with pytest.raises(exception.CannotResizeDisk) as shrink:
        cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor('m1.tiny'))
    assert same.value.code == shrink.value.code == 400
    assert 'smaller root disk' in str(shrink.value)
    assert row(cloud, uuid).task_state is None and migrations(cloud, uuid) == []


def test_resize_beyond_quota_is_refused_and_leaves_nothing(cloud):
    CONF.set_override('quota_ram', 1024)
    uuid = boot_on(cloud, 'h1')
    with pytest.raises(exception.TooManyInstances, match='ram'):
        cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor('m1.small'))
    current = row(cloud, uuid)
    assert current.task_state is None and current.flavor['new'] is None
    assert quota_usage(cloud)['ram'] == 512


def test_cold_migrate_to_a_named_host_and_anywhere(cloud):
    uuid = boot_on(cloud, 'h1')
    with pytest.raises(exception.AdminRequired):
        cloud.api.migrate(cloud.ctx, row(cloud, uuid))
    with pytest.raises(exception.UnableToMigrateToSelf):
        cloud.api.migrate(admin(), row(cloud, uuid), host='h1')
    with pytest.raises(exception.ComputeHostNotFound):
        cloud.api.migrate(admin(), row(cloud, uuid), host='nowhere')
    cloud.api.migrate(admin(), row(cloud, uuid), host='h3')
    [migrated] = cloud.wait([uuid], vm_states.RESIZED)
    assert (migrated.host, migrated.memory_mb) == ('h3', 512)
    assert migrations(cloud, uuid)[0].migration_type == 'migration'
    cloud.api.confirm_resize(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.ACTIVE)
    cloud.api.migrate(admin(), row(cloud, uuid))
    [again] = cloud.wait([uuid], vm_states.RESIZED)
    assert again.host in ('h1', 'h2')
    assert {'migrate'} <= actions(cloud, uuid)


def test_failed_claim_is_rescheduled_to_another_host(cloud, monkeypatch):
    def no_room(*args, **kwargs):
        raise exception.ComputeResourcesUnavailable(reason='full')
    monkeypatch.setattr(cloud.services['h2'].manager.tracker, 'instance_claim', no_room)
    uuid = boot_on(cloud, 'h1')
    assert resize(cloud, uuid).host == 'h3'
    assert memory_used(cloud)['h2'] == 0


def test_claim_failing_on_every_attempt_ends_the_resize_with_a_fault(cloud, monkeypatch):
    def no_room(*args, **kwargs):
        raise exception.ComputeResourcesUnavailable(reason='full')
    monkeypatch.setattr(cloud.services['h2'].manager.tracker, 'instance_claim', no_room)
    uuid = boot_on(cloud, 'h1')
    cloud.api.migrate(admin(), row(cloud, uuid), host='h2')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert current.host == 'h1' and current.flavor['new'] is None
    assert 'Exceeded maximum number of retries' in fault(cloud, uuid)
    assert migrations(cloud, uuid)[0].status == 'error'


def test_source_failure_rolls_back_on_the_source(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h1', 'migrate_disk_and_power_off', RuntimeError('disk stuck'))
    cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor('m1.small'))
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert (current.host, current.memory_mb, current.power_state) == (
        'h1', 512, power_state.RUNNING)
    assert 'disk stuck' in fault(cloud, uuid)
    assert migrations(cloud, uuid)[0].status == 'error'
    assert quota_usage(cloud)['ram'] == 512
    assert sorted(memory_used(cloud).values()) == [0, 0, 512]


def test_destination_failure_sends_the_instance_back(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h2', 'finish_migration', RuntimeError('no disk'))
    cloud.api.migrate(admin(), row(cloud, uuid), host='h2')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert current.host == 'h1' and current.power_state == power_state.RUNNING
    assert 'no disk' in fault(cloud, uuid)
    assert memory_used(cloud) == {'h1': 512, 'h2': 0, 'h3': 0}
    assert migrations(cloud, uuid)[0].status == 'reverted'


def test_delete_of_resized_instance_confirms_first(cloud):
    uuid = boot_on(cloud, 'h1')
    resize(cloud, uuid)
    cloud.api.delete(cloud.ctx, row(cloud, uuid))
    cloud.wait_gone([uuid])
    assert migrations(cloud, uuid)[0].status == 'confirmed'
    assert set(memory_used(cloud).values()) == {0}
    assert quota_usage(cloud)['ram'] == 0 and quota_usage(cloud)['instances'] == 0
    assert all(not fake._host(h).resize_sources for h in ('h1', 'h2', 'h3'))


def test_restart_mid_finish_reverts_to_the_source(cloud):
    """nova-compute on the destination dies while building the guest; on restart
    it finds RESIZE_FINISH without a guest and sends the instance back."""
    uuid = boot_on(cloud, 'h1')
    release = eventlet.event.Event()
    old_h2 = cloud.services['h2']

    def stuck(*args, **kwargs):
        release.wait()
        raise RuntimeError('the process died')
    old_h2.manager.driver.finish_migration = stuck
    cloud.api.migrate(admin(), row(cloud, uuid), host='h2')
    cloud.wait([uuid], vm_states.ACTIVE, task_states.RESIZE_FINISH)
    old_h2.rpcserver.stop()
    old_h2.reporter.stop()
    cloud.start('nova-compute', 'h2')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert (current.host, current.power_state) == ('h1', power_state.RUNNING)
    assert 'was interrupted' in fault(cloud, uuid)
    assert migrations(cloud, uuid)[0].status == 'reverted'
    assert memory_used(cloud) == {'h1': 512, 'h2': 0, 'h3': 0}
    release.send()
    eventlet.sleep(0.05)
    assert row(cloud, uuid).task_state is None


def test_move_with_nowhere_to_go_is_refused_with_a_fault(cloud):
    uuid = boot_on(cloud, 'h1')
    only_host(cloud, 'h1')
    with pytest.raises(exception.NoValidHost):
        cloud.api.resize(cloud.ctx, row(cloud, uuid), cloud.flavor('m1.small'))
    current = row(cloud, uuid)
    assert (current.vm_state, current.task_state, current.flavor['new']) == (
        vm_states.ACTIVE, None, None)
    assert 'No valid host' in fault(cloud, uuid)
    assert quota_usage(cloud)['ram'] == 512 and migrations(cloud, uuid) == []
    with pytest.raises(exception.NoValidHost):
        cloud.api.live_migrate(admin(), row(cloud, uuid))
    assert row(cloud, uuid).task_state is None
    assert migrations(cloud, uuid)[0].status == 'error'
