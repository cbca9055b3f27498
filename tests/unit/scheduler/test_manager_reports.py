"""The scheduler manager learns a compute host's service from its reports: one
that started, or restarted after being seen down, is placed on again at once,
not after the next periodic refresh."""
import types

from nova import utils
from nova.scheduler import manager as scheduler_manager
from tests.unit.scheduler import fakes


def _service_row(host, last_seen_up):
    row = {'host': host, 'binary': 'nova-compute', 'topic': 'compute', 'disabled': False,
           'forced_down': False, 'stopped_at': None, 'last_seen_up': last_seen_up}
    return types.SimpleNamespace(to_dict=lambda: dict(row), **row)


def test_a_restarted_compute_is_placed_on_at_its_first_report(monkeypatch):
    rows = {'h1': _service_row('h1', fakes.ago(3600))}  # stopped an hour ago
    reads = []

    def service_get_by_host_and_binary(context, host, binary):
        reads.append((host, binary))
        return rows[host]

    monkeypatch.setattr(scheduler_manager.db, 'service_get_by_host_and_binary',
                        service_get_by_host_and_binary)
    manager = scheduler_manager.SchedulerManager(host='sched')
    manager.update_host_state(None, fakes.compute_node('h1', updated_at=fakes.ago(3600)))
    [state] = manager.host_manager.get_all_host_states()
    assert not state.service_ok and reads == [('h1', 'nova-compute')]  # seen down

    rows['h1'] = _service_row('h1', utils.utcnow())  # it restarted and heartbeats
    manager.update_host_state(None, fakes.compute_node('h1'))
    assert state.service_ok and len(reads) == 2
    manager.update_host_state(None, fakes.compute_node('h1'))
    assert len(reads) == 2  # a host seen up costs no read per report
