"""What the fake hypervisor adds to the driver contract: hosts, hooks, accounting."""
import json
import time

import pytest

import nova.conf
from nova import exception
from nova.compute import power_state
from nova.virt import fake
from tests.unit.virt.fixtures import apply_flavor, make_flavor, make_instance

CONF = nova.conf.CONF


def _spawn(drv, **fields):
    instance = make_instance(host=drv.host, **fields)
    drv.spawn(None, instance, {})
    return instance


def _used(drv):
    res = drv.get_available_resource(drv.host)
    return res['vcpus_used'], res['memory_mb_used'], res['local_gb_used']


# --- hosts ---

def test_each_host_sees_only_its_own_instances():
    one, two = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    a, b = _spawn(one, memory_mb=1024), _spawn(two, memory_mb=2048)
    assert one.list_instance_uuids() == [a.uuid] and two.list_instance_uuids() == [b.uuid]
    assert _used(one)[1] == 1024 and _used(two)[1] == 2048
    with pytest.raises(exception.InstanceNotFound):
        one.get_info(b)
    one.destroy(None, b)  # not here: no-op, and host2 keeps it
    assert two.instance_exists(b)


def test_two_drivers_for_one_host_share_it():
    first = fake.FakeDriver('host1')
    instance = _spawn(first)
    assert fake.FakeDriver('host1').instance_exists(instance)


def test_reset_forgets_every_host():
    drv = fake.FakeDriver('host1')
    _spawn(drv)
    fake.reset()
    assert drv.list_instances() == [] and _used(drv) == (0, 0, 0)


def test_resources_of_another_node_are_not_found():
    with pytest.raises(exception.ComputeHostNotFound):
        fake.FakeDriver('host1').get_available_resource('host2')


def test_fake_flags_parse_from_the_command_line():
    nova.conf.parse_args(['nova-compute', '--fake_vcpus=4', '--fake_memory_mb=2048',
                          '--fake_disk_gb=50', '--fake_spawn_delay=0.5',
                          '--fake_enforce_capacity'], default_flagfiles=())
    assert (CONF.fake_vcpus, CONF.fake_memory_mb, CONF.fake_disk_gb) == (4, 2048, 50)
    assert CONF.fake_spawn_delay == 0.5 and CONF.fake_enforce_capacity
    with pytest.raises(nova.conf.FlagError):
        nova.conf.parse_args(['nova-compute', '--fake_vcpus=0'], default_flagfiles=())


def test_capacity_from_flags_and_per_host_override():
    CONF.set_override('fake_vcpus', 4)
    CONF.set_override('fake_memory_mb', 8192)
    CONF.set_override('fake_disk_gb', 100)
    fake.set_capacity('big', vcpus=64, memory_mb=262144)
    small, big = fake.FakeDriver('small'), fake.FakeDriver('big')
    res = small.get_available_resource('small')
    assert (res['vcpus'], res['memory_mb'], res['local_gb']) == (4, 8192, 100)
    assert json.loads(res['cpu_info'])['topology']['cores'] == 4
    res = big.get_available_resource('big')
    assert (res['vcpus'], res['memory_mb'], res['local_gb']) == (64, 262144, 100)
    assert (res['hypervisor_type'], res['hypervisor_version']) == ('fake', fake.HYPERVISOR_VERSION)


def test_disk_available_least_and_running_vms():
    drv = fake.FakeDriver('host1')
    a = _spawn(drv, root_gb=10, ephemeral_gb=5)
    _spawn(drv, root_gb=20)
    drv.power_off(a)
    res = drv.get_available_resource('host1')
    assert res['local_gb_used'] == 35
    assert res['disk_available_least'] == CONF.fake_disk_gb - 35
    assert res['running_vms'] == 2


# --- capacity enforcement ---

def test_capacity_is_not_enforced_by_default():
    fake.set_capacity('host1', memory_mb=1024)
    drv = fake.FakeDriver('host1')
    _spawn(drv, memory_mb=4096)
    assert _used(drv)[1] == 4096


def test_enforced_capacity_refuses_memory_and_disk_but_not_vcpus():
    CONF.set_override('fake_enforce_capacity', True)
    fake.set_capacity('host1', vcpus=1, memory_mb=1024, disk_gb=10)
    drv = fake.FakeDriver('host1')
    _spawn(drv, vcpus=4, memory_mb=512, root_gb=5)
    with pytest.raises(exception.InsufficientHostResources) as info:
        _spawn(drv, memory_mb=1024)
    assert 'memory_mb 1024 requested, 512 free' in str(info.value)
    with pytest.raises(exception.InsufficientHostResources, match='local_gb'):
        _spawn(drv, memory_mb=256, root_gb=6)
    assert len(drv.list_instances()) == 1


def test_live_migration_destination_check_counts_memory():
    fake.set_capacity('host2', memory_mb=1024)
    src, dest = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    _spawn(dest, memory_mb=768)
    with pytest.raises(exception.InsufficientHostResources):
        dest.check_can_live_migrate_destination(None, _spawn(src, memory_mb=512))
    data = dest.check_can_live_migrate_destination(None, _spawn(src, memory_mb=256))
    assert data['dest_host'] == 'host2'


# --- failure injection ---

def _calls(drv, instance, other):
    """One valid call of every public FakeDriver method."""
    nop = lambda *a: None  # noqa: E731
    flavor = make_flavor()
    vif = {'id': 'vif-1'}
    return {
        'init_host': lambda: drv.init_host(drv.host),
        'get_available_nodes': drv.get_available_nodes,
        'get_available_resource': lambda: drv.get_available_resource(drv.host),
        'get_host_uptime': drv.get_host_uptime,
        'spawn': lambda: drv.spawn(None, other, {}),
        'destroy': lambda: drv.destroy(None, instance),
        'reboot': lambda: drv.reboot(None, instance, [], 'HARD'),
        'power_off': lambda: drv.power_off(instance),
        'power_on': lambda: drv.power_on(None, instance),
        'pause': lambda: drv.pause(instance),
        'unpause': lambda: drv.unpause(instance),
        'suspend': lambda: drv.suspend(None, instance),
        'resume': lambda: drv.resume(None, instance),
        'rescue': lambda: drv.rescue(None, instance, [], {}, 'pw'),
        'unrescue': lambda: drv.unrescue(None, instance),
        'snapshot': lambda: drv.snapshot(None, instance, 'img', nop),
        'migrate_disk_and_power_off':
            lambda: drv.migrate_disk_and_power_off(None, instance, drv.host, flavor, []),
        'finish_migration': lambda: drv.finish_migration(
            None, {}, other, json.dumps({'source_host': drv.host}), [], {}, True),
        'confirm_migration': lambda: drv.confirm_migration(None, {}, instance, []),
        'finish_revert_migration': lambda: drv.finish_revert_migration(None, instance, [], {}),
        'check_can_live_migrate_destination':
            lambda: drv.check_can_live_migrate_destination(None, other),
        'check_can_live_migrate_source':
            lambda: drv.check_can_live_migrate_source(None, instance, {}),
        'live_migration': lambda: drv.live_migration(None, instance, 'host2', nop, nop),
        'get_info': lambda: drv.get_info(instance),
        'list_instances': drv.list_instances,
        'list_instance_uuids': drv.list_instance_uuids,
        'instance_exists': lambda: drv.instance_exists(instance),
        'get_console_output': lambda: drv.get_console_output(None, instance),
        'get_diagnostics': lambda: drv.get_diagnostics(instance),
        'get_instance_stats': lambda: drv.get_instance_stats([instance]),
        'get_volume_connector': lambda: drv.get_volume_connector(instance),
        'attach_volume': lambda: drv.attach_volume(None, {}, instance, '/dev/vdb'),
        'detach_volume': lambda: drv.detach_volume(None, {}, instance, '/dev/vdb'),
        'swap_volume': lambda: drv.swap_volume(None, {}, {}, instance, '/dev/vdb', 1),
        'attach_interface': lambda: drv.attach_interface(None, instance, {}, vif),
        'detach_interface': lambda: drv.detach_interface(None, instance, vif),
        'host_maintenance_mode': lambda: drv.host_maintenance_mode(drv.host, False),
        'host_power_action': lambda: drv.host_power_action('startup'),
        'set_admin_password': lambda: drv.set_admin_password(instance, 'pw'),
        'inject_network_info': lambda: drv.inject_network_info(instance, []),
        'reset_network': lambda: drv.reset_network(instance),
        'get_serial_console': lambda: drv.get_serial_console(None, instance),
        'live_migration_abort': lambda: drv.live_migration_abort(instance),
        'live_migration_force_complete': lambda: drv.live_migration_force_complete(instance),
        'trigger_crash_dump': lambda: drv.trigger_crash_dump(instance),
        'pre_live_migration': lambda: drv.pre_live_migration(None, instance, [], {}),
    }


def test_every_public_method_can_be_made_to_fail():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    calls = _calls(drv, instance, make_instance())
    assert set(calls) == fake.FAILABLE
    for method, call in calls.items():
        fake.set_failure('host1', method, RuntimeError('injected ' + method))
        with pytest.raises(RuntimeError, match='injected ' + method):
            call()
    fake.clear_failures('host1')
    assert drv.get_info(instance).state == power_state.RUNNING  # nothing happened


def test_spawn_fails_on_one_host_only():
    fake.set_failure('host1', 'spawn', exception.InstanceExists(name='x'))
    one, two = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    with pytest.raises(exception.InstanceExists):
        _spawn(one)
    _spawn(two)
    assert one.list_instances() == [] and _used(one) == (0, 0, 0)


def test_failure_a_limited_number_of_times():
    fake.set_failure('host1', 'spawn', RuntimeError, times=2)
    drv = fake.FakeDriver('host1')
    for _ in range(2):
        with pytest.raises(RuntimeError):
            _spawn(drv)
    _spawn(drv)


def test_clear_failures_of_every_host():
    fake.set_failure('host1', 'spawn', RuntimeError)
    fake.set_failure('host2', 'spawn', RuntimeError)
    fake.clear_failures()
    _spawn(fake.FakeDriver('host1'))
    _spawn(fake.FakeDriver('host2'))


def test_set_failure_checks_its_arguments():
    with pytest.raises(ValueError, match='spwan'):
        fake.set_failure('host1', 'spwan', RuntimeError)
    with pytest.raises(ValueError):
        fake.set_failure('host1', 'spawn', RuntimeError, times=0)
    with pytest.raises(TypeError):
        fake.set_failure('host1', 'spawn', 'boom')


def test_injected_live_migration_failure_recovers():
    src = fake.FakeDriver('host1')
    fake.FakeDriver('host2')
    instance = _spawn(src)
    fake.set_failure('host1', 'live_migration', RuntimeError('link down'))
    recovered = []
    with pytest.raises(RuntimeError):
        src.live_migration(None, instance, 'host2', None, lambda *a: recovered.append(a))
    assert recovered == [(None, instance, 'host2')] and src.instance_exists(instance)


def test_live_migration_to_itself_is_refused():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    with pytest.raises(exception.InvalidInput):
        drv.live_migration(None, instance, 'host1', None, lambda *a: None)


def test_spawn_delay(monkeypatch):
    slept = []
    monkeypatch.setattr(fake.time, 'sleep', slept.append)
    CONF.set_override('fake_spawn_delay', 0.25)
    drv = fake.FakeDriver('host1')
    _spawn(drv)
    assert slept == [0.25]


# --- guest-side changes and the state machine ---

def test_guest_shuts_itself_down_or_crashes():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    fake.set_power_state('host1', instance.uuid, power_state.SHUTDOWN)
    assert drv.get_info(instance).state == power_state.SHUTDOWN
    assert drv.get_console_output(None, instance).rstrip().endswith('reboot: Power down')
    fake.set_power_state('host1', instance.uuid, power_state.CRASHED)
    drv.power_on(None, instance)
    assert drv.get_info(instance).state == power_state.RUNNING
    with pytest.raises(exception.InstanceNotFound):
        fake.set_power_state('host1', 'nope', power_state.RUNNING)
    with pytest.raises(ValueError):
        fake.set_power_state('host1', instance.uuid, 42)


def test_stop_and_start_are_idempotent():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    drv.power_on(None, instance)
    drv.power_off(instance)
    drv.power_off(instance)
    assert drv.get_info(instance).state == power_state.SHUTDOWN


def test_a_rescued_guest_only_accepts_unrescue():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    drv.rescue(None, instance, [], {'id': 'rescue-img'}, 'pw')
    assert 'booted from image rescue-img' in drv.get_console_output(None, instance)
    for call in (lambda: drv.pause(instance), lambda: drv.power_off(instance),
                 lambda: drv.reboot(None, instance, [], 'SOFT')):
        with pytest.raises(exception.HypervisorStateConflict, match='rescued'):
            call()
    drv.unrescue(None, instance)
    drv.pause(instance)


def test_conflict_names_action_and_state():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    drv.power_off(instance)
    with pytest.raises(exception.HypervisorStateConflict) as info:
        drv.suspend(None, instance)
    assert str(info.value) == 'Cannot suspend instance %s while it is shutdown.' % instance.uuid
    assert info.value.code == 409


# --- what the guest shows ---

def test_console_log_is_a_boot_log():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv, hostname='web-1')
    text = drv.get_console_output(None, instance)
    assert 'Linux version' in text and instance.name in text
    assert 'Set hostname to <web-1>' in text and 'Cloud-init v.' in text and ' finished at ' in text
    drv.reboot(None, instance, [], 'HARD')
    assert drv.get_console_output(None, instance).count(' finished at ') == 2


def test_snapshot_bytes_are_deterministic():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    images = []
    for _ in range(2):
        drv.snapshot(None, instance, 'img-1', lambda chunks, fmt: images.append(b''.join(chunks)))
    assert images[0] == images[1]
    header = json.loads(images[0].split(b'\n', 1)[0])
    assert header['instance_uuid'] == instance.uuid and header['image_id'] == 'img-1'


def test_diagnostics_list_every_disk_and_nic():
    drv = fake.FakeDriver('host1')
    instance = make_instance(ephemeral_gb=10)
    drv.spawn(None, instance, {}, network_info=[{'id': 'aaaabbbbccccdddd'}],
              block_device_info={'block_device_mapping': [
                  {'mount_device': '/dev/vdc', 'connection_info': {'data': {}}}]})
    diag = drv.get_diagnostics(instance)
    for key in ('vda_read', 'vdb_read', 'vdc_read', 'tapaaaabbbbccc_tx_packets', 'memory-rss'):
        assert key in diag
    time.sleep(0.01)
    assert drv.get_info(instance).cpu_time_ns > 0


# --- resize between hosts ---

def test_resize_to_another_host_moves_resources():
    src, dest = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    instance = _spawn(src, vcpus=1, memory_mb=512, root_gb=1)
    src.attach_volume(None, {'data': {}}, instance, '/dev/vdb')
    new = make_flavor(vcpus=2, memory_mb=2048, root_gb=20)
    disk_info = src.migrate_disk_and_power_off(None, instance, 'host2', new, [])
    assert src.list_instances() == [] and _used(src) == (1, 512, 1)
    apply_flavor(instance, new)
    dest.finish_migration(None, {}, instance, disk_info, [], {}, True)
    assert _used(dest) == (2, 2048, 20)
    assert dest.get_console_output(None, instance).count(' finished at ') == 2  # log came along
    assert 'vdb_read' in dest.get_diagnostics(instance)
    src.confirm_migration(None, {}, instance, [])
    src.confirm_migration(None, {}, instance, [])  # already confirmed: no-op
    assert _used(src) == (0, 0, 0)


def test_revert_between_hosts():
    src, dest = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    instance = _spawn(src, memory_mb=512)
    disk_info = src.migrate_disk_and_power_off(None, instance, 'host2', make_flavor(), [])
    with pytest.raises(exception.InstanceNotFound):  # the guest left this host
        src.migrate_disk_and_power_off(None, instance, 'host2', make_flavor(), [])
    apply_flavor(instance, make_flavor())
    dest.finish_migration(None, {}, instance, disk_info, [], {}, True)
    dest.destroy(None, instance)
    apply_flavor(instance, make_flavor(vcpus=1, memory_mb=512, root_gb=1))
    src.finish_revert_migration(None, instance, [], {}, power_on=False)
    assert src.get_info(instance).state == power_state.SHUTDOWN
    src.finish_revert_migration(None, instance, [], {})  # already reverted: no-op
    assert _used(src)[1] == 512 and _used(dest) == (0, 0, 0)


def test_same_host_revert_needs_the_new_copy_destroyed_first():
    drv = fake.FakeDriver('host1')
    instance = _spawn(drv)
    disk_info = drv.migrate_disk_and_power_off(None, instance, 'host1', make_flavor(), [])
    drv.finish_migration(None, {}, instance, disk_info, [], {}, True)
    with pytest.raises(exception.HypervisorStateConflict, match='being resized'):
        drv.migrate_disk_and_power_off(None, instance, 'host1', make_flavor(), [])
    with pytest.raises(exception.InstanceExists):
        drv.finish_revert_migration(None, instance, [], {})
    with pytest.raises(exception.InstanceNotFound):
        drv.finish_revert_migration(None, make_instance(), [], {})


def test_finish_migration_without_the_source_in_this_process():
    """Separate nova-compute processes: the destination builds a fresh guest."""
    dest = fake.FakeDriver('host2')
    instance = make_instance(host='host2')
    dest.finish_migration(None, {}, instance, json.dumps({'source_host': 'elsewhere'}),
                          [], {}, True)
    assert dest.get_info(instance).state == power_state.RUNNING


def test_a_slow_live_migration_is_aborted_or_forced_while_it_copies():
    import eventlet
    CONF.set_override('fake_live_migration_delay', 30)
    source, dest = fake.FakeDriver('host1'), fake.FakeDriver('host2')
    dest.init_host('host2')
    instance = _spawn(source)
    calls = []

    def migrate_then(steer):
        thread = eventlet.spawn(source.live_migration, None, instance, 'host2',
                                lambda *a: calls.append('post'),
                                lambda *a: calls.append('recover'))
        while instance.uuid not in fake._host('host1').migrating:
            eventlet.sleep(0.01)
        steer(instance)
        return thread.wait

    with pytest.raises(exception.LiveMigrationAborted):
        migrate_then(source.live_migration_abort)()
    assert calls == ['recover'] and source.instance_exists(instance)
    migrate_then(source.live_migration_force_complete)()  # well before the 30 s copy
    assert calls == ['recover', 'post']
    assert dest.instance_exists(instance) and not source.instance_exists(instance)
