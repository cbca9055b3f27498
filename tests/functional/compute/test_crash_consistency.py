"""Create and delete are crash-consistent: a create either reaches the scheduler or leaves
nothing (quota back); what a lost message or a silent host leaves, the schedulers'
reconciler settles; every instance ends ACTIVE, ERROR or deleted with quota equal
to the rows."""
import eventlet
import pytest

from nova import exception
from nova.compute import task_states, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake
from tests.functional.compute import moves
from tests.harness.audit import quota_drift, stuck_instances


class Killed(BaseException):
    """The API process dying in the middle of a request (nothing catches it)."""


def undeliverable(*args, **kwargs):
    raise exception.MessageDeliveryFailure(method='x', topic='scheduler', reason='broker down')


def reconcile(cloud):
    scheduler = cloud.services['nova-scheduler'].manager
    for _ in range(500):  # the hosts' first reports reach the scheduler on green threads
        if len(scheduler.host_manager.get_all_host_states()) == 3:
            break
        eventlet.sleep(0.01)
    return scheduler.reconciler.run(cloud.admin)


def live(cloud):
    return db.instance_get_all_by_filters(cloud.admin, {'project_id': 'proj-a',
                                                        'deleted': False})


def assert_settled(cloud):
    assert stuck_instances(cloud.admin, 'proj-a') == []
    assert quota_drift(cloud.admin, 'proj-a') == {}


def test_a_create_the_scheduler_could_not_be_told_of_leaves_nothing(cloud, monkeypatch):
    monkeypatch.setattr(cloud.api.scheduler_rpcapi, 'build_instances', undeliverable)
    with pytest.raises(exception.MessageDeliveryFailure) as failed:
        cloud.boot(3)
    assert failed.value.code == 503
    assert live(cloud) == []
    assert_settled(cloud)


def test_rows_of_an_api_that_died_before_the_cast_are_deleted(cloud, monkeypatch):
    def crash(*args, **kwargs):
        raise Killed()
    monkeypatch.setattr(cloud.api.scheduler_rpcapi, 'build_instances', crash)
    with pytest.raises(Killed):
        cloud.boot(2)
    assert [(i.task_state, i.scheduled_at) for i in live(cloud)] == [
        (task_states.SCHEDULING, None)] * 2
    assert reconcile(cloud)['deleted_unsent'] == 0  # not yet: --scheduling_timeout
    CONF.set_override('scheduling_timeout', 0)
    assert reconcile(cloud)['deleted_unsent'] == 2
    assert live(cloud) == []
    assert_settled(cloud)


def test_a_lost_build_message_is_sent_again(cloud, monkeypatch):
    monkeypatch.setattr(cloud.api.scheduler_rpcapi, 'build_instances',
                        lambda *args, **kwargs: None)  # handed over, then lost
    instances = cloud.boot(2, admin_password='Resent-Pass-1')
    assert all(i.scheduled_at for i in live(cloud))
    CONF.set_override('scheduling_timeout', 0)
    assert reconcile(cloud)['resent'] == 2
    cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    for instance in instances:  # the resent boots' guests got the create's adminPass
        assert guest(cloud, instance).admin_password == 'Resent-Pass-1'
        # and once spawned, nothing keeps it
        assert db.instance_build_password_get(cloud.admin, instance.uuid) is None
    assert_settled(cloud)


def guest(cloud, instance):
    host = db.instance_get_by_uuid(cloud.admin, instance.uuid).host
    return fake._host(host).guests[instance.uuid]


def test_never_placed_for_too_long_ends_in_error_with_a_fault(cloud, monkeypatch):
    monkeypatch.setattr(cloud.api.scheduler_rpcapi, 'build_instances',
                        lambda *args, **kwargs: None)
    [instance] = cloud.boot(1)
    CONF.set_override('scheduling_timeout', 0)
    CONF.set_override('instance_build_timeout', 0)
    assert reconcile(cloud)['failed'] == 1
    [row] = cloud.wait([instance.uuid], vm_states.ERROR)
    assert 'did not finish within 0 seconds' in moves.fault(cloud, instance.uuid)
    assert_settled(cloud)


def test_a_build_on_a_host_that_stopped_reporting_fails(cloud):
    uuid = moves.boot_on(cloud, 'h1')
    db.instance_update(cloud.admin, uuid, {'vm_state': vm_states.BUILDING,
                                           'task_state': task_states.SPAWNING})
    assert reconcile(cloud)['failed'] == 0  # h1 is up: its build is its own business
    down(cloud, 'h1')
    CONF.set_override('instance_build_timeout', 0)
    assert reconcile(cloud)['failed'] == 1
    cloud.wait([uuid], vm_states.ERROR)
    assert 'host h1 stopped reporting' in moves.fault(cloud, uuid)
    assert_settled(cloud)


def test_deletes_that_did_not_happen_are_finished(cloud):
    on_live_host, on_dead_host = moves.boot_on(cloud, 'h2'), moves.boot_on(cloud, 'h3')
    for uuid in (on_live_host, on_dead_host):  # the terminate casts were lost
        db.instance_update(cloud.admin, uuid, {'task_state': task_states.DELETING})
    down(cloud, 'h3')
    CONF.set_override('scheduling_timeout', 0)
    assert reconcile(cloud) == {'deleted_unsent': 0, 'resent': 0, 'failed': 0, 'deleted': 1,
                                'terminate_resent': 1}
    cloud.wait_gone([on_live_host, on_dead_host])
    assert_settled(cloud)


@pytest.mark.parametrize('action,rpc_method', [('delete', 'terminate_instance'),
                                               ('stop', 'stop_instance'),
                                               ('reboot', 'reboot_instance')])
def test_an_action_the_host_could_not_be_told_of_leaves_no_task(cloud, monkeypatch, action,
                                                                 rpc_method):
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    monkeypatch.setattr(cloud.api.compute_rpcapi, rpc_method, undeliverable)
    with pytest.raises(exception.MessageDeliveryFailure):
        getattr(cloud.api, action)(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
    cloud.wait([instance.uuid], vm_states.ACTIVE, None)
    assert_settled(cloud)


def down(cloud, host):
    """The host's nova-compute stops reporting (as if killed): its service is down."""
    cloud.services[host].stop(graceful=False)
    service = db.service_get_by_host_and_binary(cloud.admin, host, 'nova-compute')
    db.service_update(cloud.admin, service.id, {'forced_down': True})
