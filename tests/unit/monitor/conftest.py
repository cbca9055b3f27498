"""The DB fixtures of tests/unit/db (a migrated SQLite database per test), and
``cloud``: a monitor sampling FakeDriver guests on a fake clock."""
import types

import pytest

from nova.conf import CONF
from nova.db import api as db
from nova.monitor import manager as monitor_manager
from nova.virt import fake
from tests.unit.db.compute_helpers import instance_values
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401

HOST = 'mon-host'


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


class DriverCompute:
    """The compute RPC API answered by a FakeDriver in this process (what
    get_instance_stats does on the host, without the transport)."""

    def __init__(self, driver):
        self.driver = driver
        self.calls = 0

    def get_instance_stats(self, ctxt, host, instance_uuids, timeout=None):
        self.calls += 1
        rows = db.instance_get_all_by_filters(ctxt, {'host': host, 'uuid': instance_uuids})
        return {u: s.to_dict() for u, s in self.driver.get_instance_stats(rows).items()}


@pytest.fixture
def cloud(db_ctx, tmp_path, monkeypatch):  # noqa: F811 -- the imported fixture
    CONF.set_override('monitor_path', str(tmp_path / 'monitor'))
    CONF.set_override('monitoring_instances_step', 60)
    CONF.set_override('fake_load_profile', 'cpu=40,net_in=1000')
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr(fake.time, 'time', clock.time)
    fake.reset()
    driver = fake.FakeDriver(HOST)
    compute = DriverCompute(driver)

    def boot(**extra):
        values = instance_values(host=HOST, vm_state='active', task_state=None, vcpus=2,
                                 **extra)
        db.instance_create_many(db_ctx, [values])
        driver.spawn(db_ctx, types.SimpleNamespace(name='i', **values), {},
                     network_info=[{'id': 'vif-' + values['uuid'][:8]}])
        return values['uuid']

    def monitor():
        mgr = monitor_manager.InstanceMonitorManager(host=HOST)
        mgr.compute_rpcapi = compute
        return mgr

    def sample(mgr, steps):
        """steps samples, a step apart, ending a step before the clock's now."""
        for _ in range(steps):
            mgr.sample_instances(db_ctx)
            clock.now += CONF.monitoring_instances_step

    yield types.SimpleNamespace(ctx=db_ctx, clock=clock, boot=boot, monitor=monitor,
                                compute=compute, sample=sample)
    fake.reset()
