"""Booting across three fake hosts: spread, claims, quotas, reschedules, failures."""
import eventlet
import pytest

from nova import exception
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake


def assert_no_overcommit(cloud):
    for host, node in cloud.nodes().items():
        assert node.memory_mb_used <= node.memory_mb * CONF.ram_allocation_ratio, host
        assert node.vcpus_used <= node.vcpus * CONF.cpu_allocation_ratio, host


def test_boot_100_in_one_request_spreads_without_overcommit(cloud):
    CONF.set_override('quota_instances', -1)
    CONF.set_override('quota_cores', -1)
    CONF.set_override('quota_ram', -1)
    instances = cloud.boot(100)
    rows = cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    hosts = {r.host for r in rows}
    assert hosts == {'h1', 'h2', 'h3'}
    assert all(r.power_state == 1 and r.launched_at for r in rows)
    assert_no_overcommit(cloud)
    assert sum(n.running_vms for n in cloud.nodes().values()) == 100


def test_boot_in_20_concurrent_requests(cloud):
    CONF.set_override('quota_instances', -1)
    CONF.set_override('quota_cores', -1)
    CONF.set_override('quota_ram', -1)
    pool = eventlet.GreenPool(20)
    batches = list(pool.imap(lambda _: cloud.boot(5), range(20)))
    uuids = [i.uuid for batch in batches for i in batch]
    assert len(set(uuids)) == 100
    cloud.wait(uuids, vm_states.ACTIVE)
    assert_no_overcommit(cloud)


def test_delete_returns_resources_and_quota(cloud):
    instances = cloud.boot(4)
    uuids = [i.uuid for i in instances]
    cloud.wait(uuids, vm_states.ACTIVE)
    for inst in instances:
        cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, inst.uuid))
    cloud.wait_gone(uuids)
    eventlet.sleep(0.1)
    assert all(n.memory_mb_used == 0 and n.running_vms == 0 for n in cloud.nodes().values())
    usage = db.quota_usage_get_all_by_project(cloud.admin, 'proj-a')
    assert usage.get('instances', 0) == 0 and usage.get('ram', 0) == 0
    for host in ('h1', 'h2', 'h3'):
        assert fake.FakeDriver(host).list_instance_uuids() == []


def test_quota_race_never_exceeds_limit(cloud):
    CONF.set_override('quota_instances', 10)
    results = []

    def boot(_):
        try:
            results.append(len(cloud.boot(1)))
        except exception.TooManyInstances:
            results.append(0)

    pool = eventlet.GreenPool(20)
    list(pool.imap(boot, range(20)))
    assert sum(results) == 10
    live = db.instance_get_all_by_filters(cloud.admin, {'project_id': 'proj-a',
                                                        'deleted': False})
    assert len(live) == 10


def test_no_valid_host_explains_each_filter(cloud):
    from nova.compute import flavors
    CONF.set_override('quota_ram', -1)
    flavors.create('huge', 10 ** 6, 1, 1)
    [instance] = cloud.boot(1, flavor='huge')
    [row] = cloud.wait([instance.uuid], vm_states.ERROR)
    faults = db.instance_fault_get_by_instance_uuids(cloud.admin, [instance.uuid])
    message = faults[instance.uuid][0].message
    assert 'No valid host was found' in message
    assert '3 hosts' in message and 'RamFilter removed 3' in message


def test_failed_spawn_is_rescheduled_to_another_host(cloud):
    for host in ('h1', 'h2'):
        fake.set_failure(host, 'spawn', RuntimeError('disk on fire'))
    [instance] = cloud.boot(1)
    [row] = cloud.wait([instance.uuid], vm_states.ACTIVE)
    assert row.host == 'h3'
    assert_no_overcommit(cloud)
    used = {h: n.memory_mb_used for h, n in cloud.nodes().items()}
    assert used['h1'] == used['h2'] == 0


def test_spawn_failing_everywhere_ends_in_error_not_stuck(cloud):
    for host in ('h1', 'h2', 'h3'):
        fake.set_failure(host, 'spawn', RuntimeError('broken'))
    [instance] = cloud.boot(1)
    [row] = cloud.wait([instance.uuid], vm_states.ERROR)
    faults = db.instance_fault_get_by_instance_uuids(cloud.admin, [instance.uuid])
    assert 'Exceeded max scheduling attempts' in faults[instance.uuid][0].message
    assert all(n.memory_mb_used == 0 for n in cloud.nodes().values())


def test_compute_killed_mid_spawn_leaves_nothing_stuck(cloud):
    CONF.set_override('fake_spawn_delay', 5.0)
    from nova import context as nova_context
    admin = nova_context.RequestContext(user_id='root', project_id='proj-a', roles=['admin'],
                                        overwrite=False)
    [instance] = cloud.boot(1, ctx=admin, availability_zone='nova:h1')
    deadline = eventlet.hubs.get_hub().clock() + 10
    while db.instance_get_by_uuid(cloud.admin, instance.uuid).task_state != 'spawning':
        assert eventlet.hubs.get_hub().clock() < deadline
        eventlet.sleep(0.01)
    cloud.services['h1'].rpcserver.stop()    # the process dies: nothing more runs there
    cloud.services['h1'].reporter.stop()
    fake.reset()                              # and the in-memory hypervisor with it
    CONF.set_override('fake_spawn_delay', 0.0)
    cloud.start('nova-compute', 'h1')         # restart: init_host resolves the task
    [row] = cloud.wait([instance.uuid], vm_states.ERROR)
    assert row.task_state is None


def test_wrong_state_is_refused_naming_the_state(cloud):
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    row = cloud.api.get(cloud.ctx, instance.uuid)
    with pytest.raises(exception.InstanceInvalidState) as e:
        cloud.api.unpause(cloud.ctx, row)
    assert 'vm_state active' in str(e.value) and e.value.code == 409


def test_other_project_cannot_see_instance(cloud):
    from nova import context as nova_context
    [instance] = cloud.boot(1)
    other = nova_context.RequestContext(user_id='bob', project_id='proj-b', roles=['member'],
                                        overwrite=False)
    with pytest.raises(exception.InstanceNotFound):
        cloud.api.get(other, instance.uuid)
    assert cloud.api.get_all(other) == []
