"""Live migration between fake hosts of one process: success, pre-checks and recovery."""
import pytest

from nova import exception
from nova.compute import power_state, vm_states
from nova.conf import CONF
from nova.virt import fake

from tests.functional.compute.conftest import running_cloud
from tests.functional.compute.moves import (actions, admin, boot_on, fault, memory_used,
                                            migrations, row, wait_for)


class RecordingFirewall:
    """A firewall driver that enforces nothing but remembers, per rebuild, which
    instances it was given (each host's HostFirewall has its own)."""

    enforces = True

    def __init__(self):
        self.applied = []

    def apply(self, specs):
        self.applied.append({spec['uuid'] for spec in specs})


@pytest.fixture
def walled(tmp_path):
    CONF.set_override('firewall_driver', __name__ + '.RecordingFirewall')
    with running_cloud(tmp_path) as cloud:
        cloud.firewalls = {host: cloud.services[host].manager.firewall.driver
                           for host in ('h1', 'h2', 'h3')}
        yield cloud


def wait_moved(cloud, uuid, host):
    wait_for(lambda: (row(cloud, uuid).host, row(cloud, uuid).task_state) == (host, None),
             what='instance on %s' % host)
    return row(cloud, uuid)


def test_live_migrate_to_a_named_host(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    moved = wait_moved(cloud, uuid, 'h2')
    assert (moved.vm_state, moved.power_state) == (vm_states.ACTIVE, power_state.RUNNING)
    assert fake.FakeDriver('h2').list_instance_uuids() == [uuid]
    assert memory_used(cloud) == {'h1': 0, 'h2': 512, 'h3': 0}
    [migration] = migrations(cloud, uuid)
    assert (migration.status, migration.migration_type, migration.dest_node) == (
        'completed', 'live-migration', 'h2')
    assert 'live-migration' in actions(cloud, uuid)


def test_live_migrate_of_paused_instance_to_a_scheduled_host(cloud):
    uuid = boot_on(cloud, 'h1')
    cloud.api.pause(cloud.ctx, row(cloud, uuid))
    cloud.wait([uuid], vm_states.PAUSED)
    cloud.api.live_migrate(admin(), row(cloud, uuid))
    wait_for(lambda: row(cloud, uuid).host != 'h1' and row(cloud, uuid).task_state is None)
    moved = row(cloud, uuid)
    assert moved.vm_state == vm_states.PAUSED
    assert fake.FakeDriver(moved.host).get_info(moved).state == power_state.PAUSED


def test_failed_live_migration_leaves_the_instance_where_it_was(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h1', 'live_migration', RuntimeError('link down'))
    cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert current.host == 'h1' and 'link down' in fault(cloud, uuid)
    assert migrations(cloud, uuid)[0].status == 'error'
    assert memory_used(cloud) == {'h1': 512, 'h2': 0, 'h3': 0}
    assert fake.FakeDriver('h1').get_info(current).state == power_state.RUNNING


def test_a_destination_that_cannot_prepare_leaves_the_instance_where_it_was(cloud):
    """pre_live_migration runs on the destination before the copy; its failure is
    the migration's: the guest stays, the destination's claim goes."""
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h2', 'pre_live_migration', RuntimeError('no bridge br100'))
    cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    wait_for(lambda: migrations(cloud, uuid)[0].status == 'error', what='migration error')
    [current] = cloud.wait([uuid], vm_states.ACTIVE)
    assert current.host == 'h1' and 'no bridge br100' in fault(cloud, uuid)
    assert fake.FakeDriver('h1').list_instance_uuids() == [uuid]
    assert fake.FakeDriver('h2').list_instance_uuids() == []
    wait_for(lambda: memory_used(cloud) == {'h1': 512, 'h2': 0, 'h3': 0}, what='claims')


def test_pre_check_failure_and_bad_hosts_are_refused(cloud):
    uuid = boot_on(cloud, 'h1')
    with pytest.raises(exception.AdminRequired):
        cloud.api.live_migrate(cloud.ctx, row(cloud, uuid))
    with pytest.raises(exception.ComputeHostNotFound):
        cloud.api.live_migrate(admin(), row(cloud, uuid), host='nowhere')
    with pytest.raises(exception.UnableToMigrateToSelf):
        cloud.api.live_migrate(admin(), row(cloud, uuid), host='h1')
    fake.set_failure('h2', 'check_can_live_migrate_destination',
                     exception.HypervisorStateConflict(action='receive', instance_uuid=uuid,
                                                       state='incompatible cpu'))
    with pytest.raises(exception.MigrationPreCheckError, match='incompatible cpu') as e:
        cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    assert e.value.code == 400
    current = row(cloud, uuid)
    assert (current.host, current.task_state) == ('h1', None)
    assert 'incompatible cpu' in fault(cloud, uuid)
    assert migrations(cloud, uuid)[0].status == 'error'


def test_scheduler_tries_another_host_when_a_pre_check_fails(cloud):
    uuid = boot_on(cloud, 'h1')
    fake.set_failure('h2', 'check_can_live_migrate_destination', RuntimeError('busy'))
    cloud.api.live_migrate(admin(), row(cloud, uuid))
    assert wait_moved(cloud, uuid, 'h3').vm_state == vm_states.ACTIVE


def test_the_destination_lets_the_guest_in_before_it_arrives(walled):
    """pre_live_migration gives the destination's firewall the guest's rules while
    the instance is still the source's; the end of the move (or its rollback) leaves
    each host's firewall with exactly its own instances."""
    cloud, walls = walled, walled.firewalls
    uuid = boot_on(cloud, 'h1')
    wait_for(lambda: walls['h1'].applied and uuid in walls['h1'].applied[-1],
             what="h1's firewall to take the instance")
    fake.set_failure('h1', 'live_migration', RuntimeError('link down'))
    cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    wait_for(lambda: migrations(cloud, uuid)[0].status == 'error', what='migration error')
    assert any(uuid in applied for applied in walls['h2'].applied)  # prepared for it
    wait_for(lambda: uuid not in walls['h2'].applied[-1], what="h2's rules taken back")
    assert row(cloud, uuid).host == 'h1' and uuid in walls['h1'].applied[-1]

    fake.clear_failures('h1')
    cloud.api.live_migrate(admin(), row(cloud, uuid), host='h2')
    wait_for(lambda: (row(cloud, uuid).host, row(cloud, uuid).task_state) == ('h2', None),
             what='instance on h2')
    wait_for(lambda: uuid not in walls['h1'].applied[-1], what="h1's rules dropped")
    wait_for(lambda: uuid in walls['h2'].applied[-1], what="h2's rules kept")
    assert not any(uuid in applied for applied in walls['h3'].applied)
