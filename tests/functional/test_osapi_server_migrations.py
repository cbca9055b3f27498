"""Server migrations in progress (2.22-2.24), evacuate, trigger_crash_dump (2.17)
and server shares (2.97) through the compute API app in-process, on the
three fake hosts of tests/functional/compute/conftest.py."""
import pytest

from nova.compute import power_state, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.functional.compute.moves import boot_on, migrations, wait_for
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(cloud):  # noqa: F811
    return fakes.build_app()


def _message(response):
    [fault] = response.json.values()
    return fault['message']


def _row(cloud, uuid):  # noqa: F811
    return db.instance_get_by_uuid(cloud.admin, uuid)


def _live_migrate(admin, cloud, uuid):  # noqa: F811
    """Start a slow live migration h1 -> h2; the migration once the guest is being copied."""
    CONF.set_override('fake_live_migration_delay', 30)
    response = admin.post('/servers/%s/action' % uuid, {
        'os-migrateLive': {'host': 'h2', 'block_migration': 'auto'}}, version='2.25')
    assert response.status_int == 202, response.body
    wait_for(lambda: [m.status for m in migrations(cloud, uuid)] == ['running'],
             what='migration running')
    _wait_copying(uuid)
    return migrations(cloud, uuid)[0]


def _wait_copying(uuid):
    """The row says running a moment before the source's driver copies the guest; a
    force or abort sent in between is refused (not migrating yet)."""
    wait_for(lambda: fake._host('h1').migrating.get(uuid) == 'copying',
             what='the guest being copied')


def test_a_live_migration_in_progress_is_listed_shown_and_forced(admin, alice, cloud):  # noqa
    uuid = boot_on(cloud, 'h1')
    migration = _live_migrate(admin, cloud, uuid)
    base = '/servers/%s/migrations' % uuid
    listed = admin.get(base, version='2.80').json['migrations']
    assert [(m['id'], m['status'], m['source_compute'], m['dest_compute'],
             m['server_uuid'], m['uuid'], m['project_id']) for m in listed] == [
        (migration.id, 'running', 'h1', 'h2', uuid, migration.uuid, 'proj-a')]
    assert listed[0]['memory_total_bytes'] is None
    shown = admin.get('%s/%d' % (base, migration.id), version='2.23').json['migration']
    assert shown['id'] == migration.id and 'uuid' not in shown
    assert admin.get(base, version='2.22').status_int == 404  # listing came with 2.23
    assert alice.get(base, version='2.23').status_int == 403
    assert admin.get('%s/%d' % (base, migration.id + 99), version='2.23').status_int == 404

    forced = admin.post('%s/%d/action' % (base, migration.id), {'force_complete': None},
                        version='2.22')
    assert forced.status_int == 202, forced.body
    wait_for(lambda: (_row(cloud, uuid).host, _row(cloud, uuid).task_state) == ('h2', None),
             timeout=10, what='the forced migration to finish')  # well before the 30 s copy
    assert migrations(cloud, uuid)[0].status == 'completed'
    assert admin.get(base, version='2.23').json['migrations'] == []
    again = admin.post('%s/%d/action' % (base, migration.id), {'force_complete': None},
                       version='2.22')
    assert again.status_int == 409  # not migrating any more
    actions = [a['action'] for a in admin.get(
        '/servers/%s/os-instance-actions' % uuid).json['instanceActions']]
    assert 'live_migration_force_complete' in actions


def test_aborting_a_live_migration_keeps_the_guest_on_its_source(admin, cloud):  # noqa: F811
    uuid = boot_on(cloud, 'h1')
    migration = _live_migrate(admin, cloud, uuid)
    url = '/servers/%s/migrations/%d' % (uuid, migration.id)
    assert admin.delete(url, version='2.23').status_int == 404  # abort came with 2.24
    assert admin.delete(url, version='2.24').status_int == 202
    wait_for(lambda: _row(cloud, uuid).task_state is None, timeout=10, what='the abort')
    current = _row(cloud, uuid)
    assert (current.host, current.vm_state) == ('h1', vm_states.ACTIVE)
    assert migrations(cloud, uuid)[0].status == 'cancelled'
    assert fake.FakeDriver('h1').list_instance_uuids() == [uuid]
    assert fake.FakeDriver('h2').list_instance_uuids() == []
    # nothing to abort now: the server is not migrating
    gone = admin.delete(url, version='2.24')
    assert gone.status_int == 409 and 'task_state' in _message(gone)


def test_force_complete_refuses_what_is_not_a_running_live_migration(admin, cloud):  # noqa
    uuid = boot_on(cloud, 'h1')
    migration = _live_migrate(admin, cloud, uuid)
    base = '/servers/%s/migrations' % uuid
    other = admin.post('%s/%d/action' % (base, migration.id + 99), {'force_complete': None},
                       version='2.22')
    assert other.status_int == 400
    assert _message(other) == 'Migration %d not found for instance %s' % (
        migration.id + 99, uuid)
    bad = admin.post('%s/%d/action' % (base, migration.id), {'force_complete': {}},
                     version='2.22')
    assert bad.status_int == 400
    admin.delete('%s/%d' % (base, migration.id), version='2.24')
    wait_for(lambda: _row(cloud, uuid).task_state is None, timeout=10, what='the abort')


# ------------------------------------------------------------------ evacuate

def test_evacuate_needs_the_host_down_and_rebuilds_elsewhere(admin, cloud):  # noqa: F811
    uuid = boot_on(cloud, 'h1')
    url = '/servers/%s/action' % uuid
    up = admin.post(url, {'evacuate': {'host': 'h2'}}, version='2.29')
    assert up.status_int == 400
    assert _message(up) == 'Compute service of h1 is still in use.'
    forced = admin.put('/os-services/force-down', {
        'host': 'h1', 'binary': 'nova-compute', 'forced_down': True}, version='2.11')
    assert forced.status_int == 200, forced.body
    same = admin.post(url, {'evacuate': {'host': 'h1'}}, version='2.29')
    assert same.status_int == 400 and "can't be the same" in _message(same)
    assert admin.post(url, {'evacuate': {'host': 'nowhere'}},
                      version='2.29').status_int == 404

    old = admin.post(url, {'evacuate': {'host': 'h2', 'onSharedStorage': False}})
    assert old.status_int == 200, old.body
    password = old.json['adminPass']  # before 2.14 the answer carries it
    [moved] = cloud.wait([uuid], vm_states.ACTIVE)
    assert moved.host == 'h2' and moved.power_state == power_state.RUNNING
    assert fake._host('h2').guests[uuid].admin_password == password
    [migration] = migrations(cloud, uuid)
    assert (migration.migration_type, migration.status, migration.source_compute,
            migration.dest_compute) == ('evacuation', 'done', 'h1', 'h2')
    # the failed host's guest is still there until its nova-compute starts again
    assert uuid in fake.FakeDriver('h1').list_instance_uuids()
    cloud.services['h1'].stop(graceful=False)
    cloud.start('nova-compute', 'h1')
    assert uuid not in fake.FakeDriver('h1').list_instance_uuids()
    assert migrations(cloud, uuid)[0].status == 'completed'


def test_evacuate_from_2_95_leaves_the_server_stopped(admin, alice, cloud):  # noqa: F811
    uuid = boot_on(cloud, 'h1')
    url = '/servers/%s/action' % uuid
    assert alice.post(url, {'evacuate': {}}, version='2.95').status_int == 403
    admin.put('/os-services/force-down', {'host': 'h1', 'binary': 'nova-compute',
                                          'forced_down': True}, version='2.11')
    response = admin.post(url, {'evacuate': {}}, version='2.95')
    assert response.status_int == 200 and not response.body  # no adminPass from 2.14
    [moved] = cloud.wait([uuid], vm_states.STOPPED)
    assert moved.host in ('h2', 'h3') and moved.power_state == power_state.SHUTDOWN
    assert admin.post(url, {'evacuate': {'force': True}},
                      version='2.68').status_int == 400  # force left the body in 2.68


# ----------------------------------------------------------- crash dumps

def test_trigger_crash_dump(admin, alice, bob, cloud):  # noqa: F811
    uuid = boot_on(cloud, 'h1')
    url = '/servers/%s/action' % uuid
    body = {'trigger_crash_dump': None}
    assert alice.post(url, body, version='2.16').status_int == 404
    assert bob.post(url, body, version='2.17').status_int == 404
    assert alice.post(url, {'trigger_crash_dump': {}}, version='2.17').status_int == 400
    assert alice.post(url, body, version='2.17').status_int == 202
    wait_for(lambda: 'Kernel panic - not syncing: NMI' in alice.post(
        url, {'os-getConsoleOutput': {}}).json['output'], what='the crash dump')
    assert 'trigger_crash_dump' in [a['action'] for a in alice.get(
        '/servers/%s/os-instance-actions' % uuid).json['instanceActions']]
    alice.post(url, {'os-stop': None})
    cloud.wait([uuid], vm_states.STOPPED)
    stopped = alice.post(url, body, version='2.17')
    assert stopped.status_int == 409


# ---------------------------------------------------------------- shares

def test_shares_answer_as_nova_without_virtiofs(alice, cloud):  # noqa: F811
    uuid = boot_on(cloud, 'h1')
    base = '/servers/%s/shares' % uuid
    share = '8a3f9f3c-1d2e-4c59-9f4e-6a1e0e8b2c11'
    assert alice.get(base, version='2.96').status_int == 404
    assert alice.get(base, version='2.97').json == {'shares': []}
    assert alice.get('%s/%s' % (base, share), version='2.97').status_int == 404
    running = alice.post(base, {'share': {'share_id': share}}, version='2.97')
    assert running.status_int == 409 and 'vm_state active' in _message(running)
    alice.post('/servers/%s/action' % uuid, {'os-stop': None})
    cloud.wait([uuid], vm_states.STOPPED)
    stopped = alice.post(base, {'share': {'share_id': share}}, version='2.97')
    assert stopped.status_int == 409
    assert _message(stopped) == ('Feature not supported because either compute or instance '
                                 'are not configured correctly.')
    assert alice.post(base, {'share': {}}, version='2.97').status_int == 400


# ------------------------------------------------- a project's manager (2025.2)

def test_a_projects_manager_moves_its_servers_without_seeing_hosts(app, admin, alice,
                                                                    cloud):  # noqa: F811
    manager = fakes.Client(app, user='mgr', project='proj-a', roles='manager,member,reader')
    uuid = boot_on(cloud, 'h1')
    url = '/servers/%s/action' % uuid
    to_host = {'os-migrateLive': {'host': 'h2', 'block_migration': 'auto'}}
    assert manager.post(url, to_host, version='2.25').status_int == 403  # hosts: admins
    assert alice.post(url, {'os-migrateLive': {'host': None, 'block_migration': 'auto'}},
                      version='2.25').status_int == 403  # members do not move servers
    CONF.set_override('fake_live_migration_delay', 30)
    moved = manager.post(url, {'os-migrateLive': {'host': None, 'block_migration': 'auto'}},
                         version='2.25')
    assert moved.status_int == 202, moved.body
    wait_for(lambda: [m.status for m in migrations(cloud, uuid)] == ['running'],
             what='migration running')
    _wait_copying(uuid)
    [listed] = manager.get('/servers/%s/migrations' % uuid,
                           version='2.80').json['migrations']
    assert (listed['source_compute'], listed['dest_compute'], listed['dest_node']) == (
        None, None, None)
    assert admin.get('/servers/%s/migrations' % uuid,
                     version='2.80').json['migrations'][0]['source_compute'] == 'h1'
    forced = manager.post('/servers/%s/migrations/%d/action' % (uuid, listed['id']),
                          {'force_complete': None}, version='2.22')
    assert forced.status_int == 202
    wait_for(lambda: _row(cloud, uuid).task_state is None, timeout=10, what='the move')
    assert _row(cloud, uuid).host != 'h1'
    # os-migrations: the manager's project only, without hosts
    db.migration_create(cloud.admin, {'instance_uuid': 'other-project-server',
                                      'source_compute': 'h3', 'status': 'completed',
                                      'migration_type': 'migration'})
    own = manager.get('/os-migrations', version='2.80').json['migrations']
    assert [(m['instance_uuid'], m['source_compute']) for m in own] == [(uuid, None)]
    everyone = admin.get('/os-migrations', version='2.80').json['migrations']
    assert {m['source_compute'] for m in everyone} == {'h1', 'h3'}
    assert alice.get('/os-migrations').status_int == 403
    cold = manager.post(url, {'migrate': {'host': 'h3'}}, version='2.56')
    assert cold.status_int == 403
