"""The API asks each host what its driver can do (its report), not its own --compute_driver:
a host whose driver cannot pause, live-migrate or write config drives gets none of
them, the others get all."""
import pytest

from nova import exception
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake
from tests.functional.compute import moves


class LimitedFakeDriver(fake.FakeDriver):
    """A fake hypervisor that cannot pause, live-migrate or write config drives."""

    capabilities = dict(fake.FakeDriver.capabilities, supports_pause=False,
                        supports_live_migration=False, supports_config_drive=False)


@pytest.fixture
def mixed(cloud):
    """h3 runs LimitedFakeDriver; the API process's own flag names a driver that
    can do nothing, and must not matter."""
    cloud.services['h3'].stop(graceful=False)
    CONF.set_override('compute_driver', __name__ + '.LimitedFakeDriver')
    cloud.start('nova-compute', 'h3')
    CONF.set_override('compute_driver', 'tests.unit.virt.test_driver.MinimalDriver')
    return cloud


def boot_on(cloud, host):
    return db.instance_get_by_uuid(cloud.admin, moves.boot_on(cloud, host))


def test_each_host_reports_its_driver_capabilities(mixed):
    nodes = {n.host: n for n in db.compute_node_get_all(mixed.admin)}
    assert nodes['h1'].capabilities['supports_pause'] is True
    assert nodes['h3'].capabilities['supports_pause'] is False
    assert nodes['h3'].capabilities['supports_snapshot'] is True


def test_the_api_checks_the_instance_host(mixed):
    on_h1, on_h3 = boot_on(mixed, 'h1'), boot_on(mixed, 'h3')
    mixed.api.pause(mixed.admin, on_h1)
    mixed.wait([on_h1.uuid], vm_states.PAUSED)
    with pytest.raises(exception.NotSupportedByDriver) as refused:
        mixed.api.pause(mixed.admin, on_h3)
    assert refused.value.code == 409 and 'pause' in str(refused.value)
    [row] = mixed.wait([on_h3.uuid], vm_states.ACTIVE)  # refused before any task began
    mixed.api.suspend(mixed.admin, row)                  # what h3 can do, it does
    mixed.wait([on_h3.uuid], vm_states.SUSPENDED)


def test_moves_go_only_to_hosts_that_reported_the_capability(mixed):
    instance = boot_on(mixed, 'h1')
    for _ in range(2):  # the scheduler's choice: h2 every time, never h3
        mixed.api.live_migrate(mixed.admin, db.instance_get_by_uuid(mixed.admin, instance.uuid))
        [row] = mixed.wait([instance.uuid], vm_states.ACTIVE)
        assert row.host == 'h2'
        mixed.api.live_migrate(mixed.admin, row, host='h1')
        [row] = mixed.wait([instance.uuid], vm_states.ACTIVE)
        assert row.host == 'h1'
    with pytest.raises(exception.NoValidHost) as refused:  # an admin's choice too
        mixed.api.live_migrate(mixed.admin, row, host='h3')
    assert 'required_capabilities removed 1' in str(refused.value)
    [row] = mixed.wait([instance.uuid], vm_states.ACTIVE)
    assert row.host == 'h1'


def test_servers_with_a_config_drive_go_only_to_hosts_that_write_them(mixed):
    instances = mixed.boot(4, config_drive=True)
    rows = mixed.wait([i.uuid for i in instances], vm_states.ACTIVE)
    assert {r.host for r in rows} == {'h1', 'h2'}
    # placed there at once, not refused by h3 and rescheduled (which leaves a fault)
    faults = db.instance_fault_get_by_instance_uuids(mixed.admin, [r.uuid for r in rows])
    assert not any(faults.values())
    plain = mixed.wait([i.uuid for i in mixed.boot(4)], vm_states.ACTIVE)
    assert 'h3' in {r.host for r in plain}  # h3 is chosen when no drive is asked for
