"""The contract every virt driver keeps, run against each driver in FACTORIES.

A new driver joins by adding a DriverFactory: ``make(host)`` returns a ready
driver for that host (its init_host done). Checks of optional actions skip
when the driver does not claim the capability, and a driver that does not
claim one must refuse its methods with NotSupportedByDriver. A driver made
for these tests may name, in ``backend_limits``, capabilities its test
backend cannot show (with the reason, printed as the skip): libvirt's test
driver runs no QEMU, so its console and hot-plug are proven by integration
tests instead.
"""
import dataclasses
import inspect
import json
from typing import Callable

import pytest

from nova import exception
from nova.compute import power_state
from nova.virt import driver as virt_driver
from nova.virt import fake
from tests.unit.virt import libvirt_backend
from tests.unit.virt import xenapi_backend
from tests.unit.virt.fixtures import apply_flavor, make_flavor, make_instance


@dataclasses.dataclass(frozen=True)
class DriverFactory:
    name: str
    make: Callable[[str], virt_driver.ComputeDriver]
    # two drivers it makes in one process can live-migrate between each other
    shares_process: bool = False


def _fake(host):
    driver = fake.FakeDriver(host)
    driver.init_host(host)
    return driver


def _libvirt(host):
    """The libvirt driver on a private test:/// hypervisor (no daemon, no QEMU)."""
    libvirt_backend.configure()
    driver = libvirt_backend.driver_class()(host)
    driver.init_host(host)
    return driver


FACTORIES = [DriverFactory('fake', _fake, shares_process=True),
             DriverFactory('libvirt-test', _libvirt),
             DriverFactory('xenapi-testserver', xenapi_backend.make)]

RESOURCE_KEYS = {'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                 'local_gb_used', 'hypervisor_type', 'hypervisor_version',
                 'hypervisor_hostname', 'cpu_info', 'disk_available_least', 'running_vms'}


@pytest.fixture(params=FACTORIES, ids=lambda factory: factory.name)
def factory(request):
    return request.param


@pytest.fixture
def drv(factory):
    return factory.make('host1')


def _needs(drv, capability):
    if not drv.capabilities.get(capability):
        pytest.skip('%s lacks %s' % (type(drv).__name__, capability))
    limit = getattr(drv, 'backend_limits', {}).get(capability)
    if limit:
        pytest.skip('%s: %s' % (capability, limit))


def _spawn(drv, **fields):
    instance = make_instance(host=drv.host, **fields)
    drv.spawn(None, instance, {'id': instance.image_ref}, network_info=[])
    return instance


def _state(drv, instance):
    return drv.get_info(instance).state


def _usage(drv):
    res = drv.get_available_resource(drv.get_available_nodes()[0])
    return res['vcpus_used'], res['memory_mb_used'], res['local_gb_used'], res['running_vms']


def _conflict(call, *args):
    """An action in the wrong state is a 4xx NovaException, never a crash or a no-op."""
    with pytest.raises(exception.NovaException) as info:
        call(*args)
    assert 400 <= info.value.code < 500
    return info.value


# --- host resources ---

def test_available_resource_keys_and_types(drv):
    nodes = drv.get_available_nodes()
    assert nodes and all(isinstance(node, str) for node in nodes)
    res = drv.get_available_resource(nodes[0])
    assert RESOURCE_KEYS <= set(res)
    assert res['hypervisor_hostname'] == nodes[0]
    assert isinstance(res['hypervisor_version'], int)
    assert isinstance(json.loads(res['cpu_info']), dict)
    for key in ('vcpus', 'memory_mb', 'local_gb'):
        assert res[key] > 0 and 0 <= res[key + '_used'] <= res[key]
    assert res['disk_available_least'] <= res['local_gb'] - res['local_gb_used']


def test_spawn_consumes_and_destroy_returns_resources(drv):
    before = _usage(drv)
    instance = _spawn(drv, vcpus=2, memory_mb=1024, root_gb=5, ephemeral_gb=3)
    assert _usage(drv) == (before[0] + 2, before[1] + 1024, before[2] + 8, before[3] + 1)
    drv.destroy(None, instance)
    assert _usage(drv) == before


def test_host_uptime_is_text(drv):
    try:
        uptime = drv.get_host_uptime()
    except exception.NotSupportedByDriver:
        return
    assert ' up ' in uptime


def test_instance_stats_of_the_guests_here(drv):
    """What the instance monitor samples: counters of the guests asked that run here,
    in one call; a guest the host does not have is left out, never an error."""
    running = _spawn(drv, vcpus=2)
    stopped = _spawn(drv)
    drv.power_off(stopped)
    elsewhere = make_instance(host=drv.host)  # never spawned here
    got = drv.get_instance_stats([running, stopped, elsewhere])
    assert running.uuid in got and elsewhere.uuid not in got
    stats = got[running.uuid]
    assert isinstance(stats, virt_driver.InstanceStats)
    assert stats.read_at > 0 and stats.vcpus == 2
    counters = dataclasses.asdict(stats)
    assert all(counters[name] >= 0 for name in ('cpu_time_ns', 'disk_read_bytes',
                                                  'disk_read_requests', 'disk_write_bytes',
                                                  'disk_write_requests'))
    assert virt_driver.InstanceStats.from_dict(stats.to_dict()) == stats  # an RPC reply
    assert drv.get_instance_stats([]) == {}


# --- lifecycle ---

def test_spawn_runs_and_lists(drv):
    instance = _spawn(drv)
    info = drv.get_info(instance)
    assert info.state == power_state.RUNNING
    assert info.num_cpu == instance.vcpus and info.max_mem_kb == instance.memory_mb * 1024
    assert instance.name in drv.list_instances()
    assert instance.uuid in drv.list_instance_uuids()
    assert drv.instance_exists(instance)


def test_spawn_twice_is_refused(drv):
    instance = _spawn(drv)
    with pytest.raises(exception.InstanceExists):
        drv.spawn(None, instance, {})


def test_destroy_removes_and_missing_is_noop(drv):
    instance = _spawn(drv)
    drv.destroy(None, instance)
    assert not drv.instance_exists(instance)
    assert instance.uuid not in drv.list_instance_uuids()
    drv.destroy(None, instance)  # as in Nova: deleting what is gone succeeds
    drv.destroy(None, make_instance(host=drv.host))


def test_unknown_instance_is_not_found(drv):
    ghost = make_instance(host=drv.host)
    for call, args in ((drv.get_info, (ghost,)),
                       (drv.reboot, (None, ghost, None, 'HARD')),
                       (drv.power_off, (ghost,)),
                       (drv.power_on, (None, ghost))):
        with pytest.raises(exception.InstanceNotFound):
            call(*args)
    assert not drv.instance_exists(ghost)


@pytest.mark.parametrize('reboot_type', virt_driver.REBOOT_TYPES)
def test_reboot_keeps_running(drv, reboot_type):
    instance = _spawn(drv)
    drv.reboot(None, instance, [], reboot_type)
    assert _state(drv, instance) == power_state.RUNNING


def test_reboot_type_is_checked(drv):
    instance = _spawn(drv)
    _conflict(drv.reboot, None, instance, [], 'GENTLE')


def test_hard_reboot_starts_a_stopped_instance(drv):
    instance = _spawn(drv)
    drv.power_off(instance)
    drv.reboot(None, instance, [], 'HARD')
    assert _state(drv, instance) == power_state.RUNNING


def test_power_off_and_on(drv):
    instance = _spawn(drv)
    drv.power_off(instance, timeout=0, retry_interval=0)
    assert _state(drv, instance) == power_state.SHUTDOWN
    assert drv.instance_exists(instance)  # stopped, not gone
    drv.power_on(None, instance, [])
    assert _state(drv, instance) == power_state.RUNNING


def test_stopped_instance_keeps_its_resources(drv):
    before = _usage(drv)
    instance = _spawn(drv, memory_mb=2048)
    drv.power_off(instance)
    assert _usage(drv)[1] == before[1] + 2048


def test_pause_and_unpause(drv):
    _needs(drv, 'supports_pause')
    instance = _spawn(drv)
    drv.pause(instance)
    assert _state(drv, instance) == power_state.PAUSED
    _conflict(drv.pause, instance)
    drv.unpause(instance)
    assert _state(drv, instance) == power_state.RUNNING
    _conflict(drv.unpause, instance)


def test_pause_a_stopped_instance_is_refused(drv):
    _needs(drv, 'supports_pause')
    instance = _spawn(drv)
    drv.power_off(instance)
    _conflict(drv.pause, instance)
    assert _state(drv, instance) == power_state.SHUTDOWN


def test_suspend_and_resume(drv):
    _needs(drv, 'supports_suspend')
    instance = _spawn(drv)
    drv.suspend(None, instance)
    assert _state(drv, instance) == power_state.SUSPENDED
    _conflict(drv.suspend, None, instance)
    drv.resume(None, instance, [])
    assert _state(drv, instance) == power_state.RUNNING
    _conflict(drv.resume, None, instance)


def test_rescue_and_unrescue(drv):
    _needs(drv, 'supports_rescue')
    instance = _spawn(drv)
    drv.rescue(None, instance, [], {'id': 'rescue-image'}, 'secret')
    assert _state(drv, instance) == power_state.RUNNING
    _conflict(drv.rescue, None, instance, [], {}, 'again')
    drv.unrescue(None, instance)
    assert _state(drv, instance) == power_state.RUNNING
    _conflict(drv.unrescue, None, instance)


def test_snapshot_uploads_bytes(drv):
    _needs(drv, 'supports_snapshot')
    instance = _spawn(drv)
    uploads = []
    drv.snapshot(None, instance, 'image-1',
                 lambda chunks, disk_format: uploads.append((b''.join(chunks), disk_format)))
    [(data, disk_format)] = uploads
    assert data and disk_format in ('raw', 'qcow2', 'vhd', 'vmdk')


# --- resize ---

def _resize(drv, instance, flavor):
    disk_info = drv.migrate_disk_and_power_off(None, instance, drv.host, flavor, [])
    assert isinstance(disk_info, str)
    apply_flavor(instance, flavor)
    drv.finish_migration(None, {}, instance, disk_info, [], {}, True, power_on=True)


def test_resize_and_confirm(drv):
    _needs(drv, 'supports_resize')
    before = _usage(drv)
    instance = _spawn(drv, vcpus=1, memory_mb=512, root_gb=1)
    _resize(drv, instance, make_flavor(vcpus=2, memory_mb=2048, root_gb=20))
    assert _state(drv, instance) == power_state.RUNNING
    assert drv.get_info(instance).num_cpu == 2
    # until confirmed, the old disks are kept too
    assert _usage(drv)[:3] == (before[0] + 3, before[1] + 2560, before[2] + 21)
    drv.confirm_migration(None, {}, instance, [])
    assert _usage(drv) == (before[0] + 2, before[1] + 2048, before[2] + 20, before[3] + 1)
    drv.destroy(None, instance)
    assert _usage(drv) == before


def test_resize_and_revert(drv):
    _needs(drv, 'supports_resize')
    before = _usage(drv)
    old = make_flavor(vcpus=1, memory_mb=512, root_gb=1)
    instance = _spawn(drv, vcpus=1, memory_mb=512, root_gb=1)
    _resize(drv, instance, make_flavor(vcpus=4, memory_mb=4096, root_gb=40))
    drv.destroy(None, instance)  # the destination drops its copy first
    apply_flavor(instance, old)
    drv.finish_revert_migration(None, instance, [], {}, power_on=True)
    assert _state(drv, instance) == power_state.RUNNING
    assert drv.get_info(instance).num_cpu == 1
    assert _usage(drv) == (before[0] + 1, before[1] + 512, before[2] + 1, before[3] + 1)


def test_resize_of_a_stopped_instance_can_stay_stopped(drv):
    _needs(drv, 'supports_resize')
    instance = _spawn(drv)
    drv.power_off(instance)
    disk_info = drv.migrate_disk_and_power_off(None, instance, drv.host, make_flavor(), [])
    apply_flavor(instance, make_flavor())
    drv.finish_migration(None, {}, instance, disk_info, [], {}, True, power_on=False)
    assert _state(drv, instance) == power_state.SHUTDOWN


# --- live migration ---

def test_live_migration_moves_the_instance(factory, drv):
    _needs(drv, 'supports_live_migration')
    if not factory.shares_process:
        pytest.skip('%s hosts cannot live in one test process' % factory.name)
    dest = factory.make('host2')
    instance = _spawn(drv, memory_mb=1024)
    data = dest.check_can_live_migrate_destination(None, instance)
    data = drv.check_can_live_migrate_source(None, instance, data)
    calls = []
    drv.live_migration(None, instance, 'host2', lambda *a: calls.append(('post',) + a),
                       lambda *a: calls.append(('recover',) + a), migrate_data=data)
    assert calls == [('post', None, instance, 'host2')]
    assert not drv.instance_exists(instance) and dest.instance_exists(instance)
    assert _state(dest, instance) == power_state.RUNNING
    assert _usage(drv)[1] == 0 and _usage(dest)[1] == 1024


def test_live_migration_failure_calls_recover_and_raises(factory, drv):
    _needs(drv, 'supports_live_migration')
    instance = _spawn(drv)
    calls = []
    with pytest.raises(exception.NovaException):
        drv.live_migration(None, instance, 'no-such-host', lambda *a: calls.append('post'),
                           lambda *a: calls.append(('recover',) + a))
    assert calls == [('recover', None, instance, 'no-such-host')]
    assert drv.instance_exists(instance)
    assert _state(drv, instance) == power_state.RUNNING


def test_live_migration_source_check_refuses_a_stopped_instance(drv):
    _needs(drv, 'supports_live_migration')
    instance = _spawn(drv)
    drv.power_off(instance)
    _conflict(drv.check_can_live_migrate_source, None, instance, {})


# --- inspection ---

def test_console_output_names_the_guest_and_grows_on_reboot(drv):
    _needs(drv, 'supports_console_output')
    instance = _spawn(drv)
    first = drv.get_console_output(None, instance)
    assert isinstance(first, str) and first.strip()
    assert instance.hostname in first
    drv.reboot(None, instance, [], 'SOFT')
    second = drv.get_console_output(None, instance)
    assert len(second) > len(first) and second.startswith(first.rstrip('\n'))


def test_diagnostics_counters(drv):
    _needs(drv, 'supports_diagnostics')
    instance = _spawn(drv, vcpus=2)
    diag = drv.get_diagnostics(instance)
    assert {'cpu0_time', 'cpu1_time', 'memory', 'vda_read', 'vda_write'} <= set(diag)
    assert diag['memory'] == instance.memory_mb * 1024


# --- devices ---

def test_attach_and_detach_volume(drv):
    _needs(drv, 'supports_attach_volume')
    instance = _spawn(drv)
    connector = drv.get_volume_connector(instance)
    assert connector['host'] == drv.host and connector['initiator']
    # as nova-volume's initialize_connection answers (nova/volume/targets)
    info = {'driver_volume_type': 'iscsi', 'data': {
        'volume_id': 'vol-1', 'target_portal': '127.0.0.1:3260',
        'target_iqn': 'iqn.2010-10.org.openstack:volume-vol-1', 'target_lun': 1,
        'auth_method': 'CHAP', 'auth_username': 'user', 'auth_password': 'pass'}}
    drv.attach_volume(None, info, instance, '/dev/vdb')
    _conflict(drv.attach_volume, None, info, instance, '/dev/vdb')
    assert 'vdb_read' in drv.get_diagnostics(instance)
    drv.detach_volume(None, info, instance, '/dev/vdb')
    _conflict(drv.detach_volume, None, info, instance, '/dev/vdb')


def _iscsi_info(volume_id, lun=1):
    return {'driver_volume_type': 'iscsi', 'data': {
        'volume_id': volume_id, 'target_portal': '127.0.0.1:3260',
        'target_iqn': 'iqn.2010-10.org.openstack:volume-' + volume_id, 'target_lun': lun,
        'auth_method': 'CHAP', 'auth_username': 'u-' + volume_id, 'auth_password': 'pass'}}


def test_swap_volume_keeps_the_device_and_is_refused_where_it_cannot_be(drv):
    """After a swap the device is the new volume's: detaching it takes the new
    connection; a swap at a device with nothing attached, or of a stopped guest (a
    live copy needs it running), is a 4xx."""
    _needs(drv, 'supports_swap_volume')
    instance = _spawn(drv)
    old, new = _iscsi_info('vol-old'), _iscsi_info('vol-new')
    drv.attach_volume(None, old, instance, '/dev/vdb')
    drv.swap_volume(None, old, new, instance, '/dev/vdb', 1)
    assert _state(drv, instance) == power_state.RUNNING
    _conflict(drv.swap_volume, None, new, old, instance, '/dev/vdc', 1)
    drv.power_off(instance)
    _conflict(drv.swap_volume, None, new, old, instance, '/dev/vdb', 1)
    drv.power_on(None, instance, [])
    drv.detach_volume(None, new, instance, '/dev/vdb')
    _conflict(drv.detach_volume, None, new, instance, '/dev/vdb')


def test_attach_and_detach_interface(drv):
    _needs(drv, 'supports_attach_interface')
    instance = _spawn(drv)
    vif = {'id': '0123456789abcdef', 'address': 'fa:16:3e:00:00:01'}
    drv.attach_interface(None, instance, {}, vif)
    _conflict(drv.attach_interface, None, instance, {}, vif)
    assert 'tap0123456789a_rx' in drv.get_diagnostics(instance)
    drv.detach_interface(None, instance, vif)
    _conflict(drv.detach_interface, None, instance, vif)


# --- capabilities ---

def _gated_calls():
    for capability, methods in virt_driver.CAPABILITIES.items():
        for method in methods:
            yield capability, method


@pytest.mark.parametrize('capability,method', list(_gated_calls()))
def test_a_capability_turned_off_refuses_its_methods(factory, capability, method):
    cls = type(factory.make('host1'))
    limited_cls = type('Limited' + cls.__name__, (cls,),
                       {'capabilities': dict(cls.capabilities, **{capability: False})})
    limited = limited_cls('host1')
    instance = _spawn(limited)
    params = list(inspect.signature(getattr(limited, method)).parameters.values())
    args = [instance if p.name == 'instance' else None
            for p in params if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    with pytest.raises(exception.NotSupportedByDriver) as info:
        getattr(limited, method)(*args)
    assert info.value.code == 409
    assert method in str(info.value) and limited_cls.__name__ in str(info.value)
    with pytest.raises(exception.NotSupportedByDriver):
        limited_cls.require(capability, method)


# --- steering a live migration, crash dumps ---

def test_live_migration_can_be_aborted_or_forced_only_while_copying(factory, drv):
    _needs(drv, 'supports_live_migration_control')
    instance = _spawn(drv)
    _conflict(drv.live_migration_abort, instance)  # nothing is being copied
    _conflict(drv.live_migration_force_complete, instance)


def test_trigger_crash_dump_needs_a_running_guest(drv):
    _needs(drv, 'supports_trigger_crash_dump')
    instance = _spawn(drv)
    drv.trigger_crash_dump(instance)
    assert drv.get_info(instance).state == power_state.RUNNING
    drv.power_off(instance)
    _conflict(drv.trigger_crash_dump, instance)
