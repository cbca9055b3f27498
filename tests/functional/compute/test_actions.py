"""Every action walks its states on a fake host and leaves no task behind."""
import pytest

from nova import context as nova_context
from nova import exception
from nova.compute import power_state, vm_states
from nova.db import api as db


@pytest.fixture
def active(cloud):
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    return instance.uuid


def act(cloud, uuid, action, *args, **kwargs):
    getattr(cloud.api, action)(cloud.ctx, cloud.api.get(cloud.ctx, uuid), *args, **kwargs)


@pytest.mark.parametrize('steps', [
    [('stop', vm_states.STOPPED, power_state.SHUTDOWN),
     ('start', vm_states.ACTIVE, power_state.RUNNING)],
    [('pause', vm_states.PAUSED, power_state.PAUSED),
     ('unpause', vm_states.ACTIVE, power_state.RUNNING)],
    [('suspend', vm_states.SUSPENDED, power_state.SUSPENDED),
     ('resume', vm_states.ACTIVE, power_state.RUNNING)],
    [('rescue', vm_states.RESCUED, power_state.RUNNING),
     ('unrescue', vm_states.ACTIVE, power_state.RUNNING)],
    [('reboot', vm_states.ACTIVE, power_state.RUNNING)],
])
def test_action_walks_states(cloud, active, steps):
    for action, vm_state, power in steps:
        act(cloud, active, action)
        [row] = cloud.wait([active], vm_state)
        assert row.power_state == power
    recorded = {a.action for a in db.actions_get(cloud.admin, active)}
    assert {'create'} | {step[0] for step in steps} <= recorded


def test_hard_reboot_from_stopped(cloud, active):
    act(cloud, active, 'stop')
    cloud.wait([active], vm_states.STOPPED)
    act(cloud, active, 'reboot', 'HARD')
    [row] = cloud.wait([active], vm_states.ACTIVE)
    assert row.power_state == power_state.RUNNING


def test_second_action_while_busy_is_a_conflict(cloud, active):
    from nova.compute import task_states
    db.instance_update(cloud.admin, active, {'task_state': task_states.PAUSING})
    with pytest.raises(exception.InstanceInvalidState, match='task_state pausing'):
        act(cloud, active, 'stop')


def test_lock_refuses_owner_but_not_admin(cloud, active):
    act(cloud, active, 'lock')
    with pytest.raises(exception.InstanceIsLocked):
        act(cloud, active, 'stop')
    admin = nova_context.RequestContext(user_id='root', project_id='admin-proj',
                                        roles=['admin'], overwrite=False)
    cloud.api.stop(admin, cloud.api.get(admin, active))
    cloud.wait([active], vm_states.STOPPED)
    act(cloud, active, 'unlock')
    act(cloud, active, 'start')
    cloud.wait([active], vm_states.ACTIVE)


def test_console_output_and_diagnostics(cloud, active):
    row = cloud.api.get(cloud.ctx, active)
    output = cloud.api.get_console_output(cloud.ctx, row)
    assert active in output
    assert len(cloud.api.get_console_output(cloud.ctx, row, tail_length=2).splitlines()) == 2
    assert 'memory' in cloud.api.get_diagnostics(cloud.ctx, row)


def test_metadata_and_tags(cloud, active):
    row = cloud.api.get(cloud.ctx, active)
    assert cloud.api.update_metadata(cloud.ctx, row, {'a': '1', 'b': '2'}) == {'a': '1', 'b': '2'}
    cloud.api.delete_metadata_item(cloud.ctx, row, 'a')
    assert cloud.api.get_metadata(cloud.ctx, row) == {'b': '2'}
    cloud.api.set_tags(cloud.ctx, row, ['x', 'y'])
    cloud.api.add_tag(cloud.ctx, row, 'z')
    assert sorted(cloud.api.get_tags(cloud.ctx, row)) == ['x', 'y', 'z']
    tagged = cloud.api.get_all(cloud.ctx, {'tags': ['x', 'z']})
    assert [i.uuid for i in tagged] == [active]
    with pytest.raises(exception.InvalidInput):
        cloud.api.add_tag(cloud.ctx, row, 'bad/tag')


def test_soft_delete_and_restore(cloud):
    from nova.conf import CONF
    CONF.set_override('reclaim_instance_interval', 3600)
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    act(cloud, instance.uuid, 'delete')
    [row] = cloud.wait([instance.uuid], vm_states.SOFT_DELETED)
    assert row.power_state == power_state.SHUTDOWN
    act(cloud, instance.uuid, 'restore')
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    act(cloud, instance.uuid, 'force_delete')
    cloud.wait_gone([instance.uuid])


def test_a_failed_delete_leaves_error_and_deleting_again_finishes(cloud, active):
    from nova.virt import fake
    host = db.instance_get_by_uuid(cloud.admin, active).host
    fake.set_failure(host, 'destroy', RuntimeError('hypervisor said no'), times=1)
    act(cloud, active, 'delete')
    [row] = cloud.wait([active], vm_states.ERROR)  # not ACTIVE: half deleted is no state
    assert row.task_state is None
    [fault] = db.instance_fault_get_by_instance_uuids(cloud.admin, [active])[active]
    assert 'hypervisor said no' in fault.message
    act(cloud, active, 'delete')
    cloud.wait_gone([active])
