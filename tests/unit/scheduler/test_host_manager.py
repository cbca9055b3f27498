"""HostState and HostManager: reports, services, zones, aggregates, claims and releases."""
import datetime

from nova.conf import CONF
from nova.scheduler.host_state import HostState
from tests.unit.scheduler import fakes


def test_report_sets_resources_and_limits_with_the_flag_ratios():
    state = fakes.host_state(vcpus=8, vcpus_used=2, memory_mb=8192, memory_mb_used=1024,
                             local_gb=100, local_gb_used=10, running_vms=3)
    assert (state.free_ram_mb, state.free_disk_mb) == (7168, 90 * 1024)
    assert (state.vcpus_total, state.vcpus_used, state.num_instances) == (8, 2, 3)
    assert state.ram_limit_mb == 8192 * 1.5 and state.usable_ram_mb == 8192 * 1.5 - 1024
    assert state.vcpu_limit == 128 and state.usable_vcpus == 126
    assert state.disk_limit_mb == 100 * 1024 and state.usable_disk_mb == 90 * 1024


def test_explicit_free_columns_win_over_used_ones():
    state = fakes.host_state(memory_mb=8192, memory_mb_used=0, free_ram_mb=4096,
                             local_gb=100, free_disk_gb=7)
    assert state.free_ram_mb == 4096 and state.free_disk_mb == 7 * 1024


def test_ratio_comes_from_aggregate_then_report_then_flag():
    CONF.set_override('cpu_allocation_ratio', 4.0)
    assert fakes.host_state().cpu_allocation_ratio == 4.0
    assert fakes.host_state(cpu_allocation_ratio=2.0).vcpu_limit == 16
    aggregates = [{'id': 1, 'metadata': {'cpu_allocation_ratio': '3.0'}},
                  {'id': 2, 'metadata': {'cpu_allocation_ratio': '1.0'}},
                  {'id': 3, 'metadata': {'cpu_allocation_ratio': 'lots'}}]
    state = fakes.host_state(aggregates=aggregates, cpu_allocation_ratio=2.0)
    assert state.cpu_allocation_ratio == 1.0 and state.usable_vcpus == 8


def test_hypervisor_capabilities_from_the_report():
    state = fakes.host_state(hypervisor_type='QEMU', cpu_info='{"arch": "amd64", "model": "x"}')
    assert state.supported_instances == (('x86_64', 'qemu', 'hvm'),)
    assert state.capabilities['architecture'] == 'x86_64'
    assert state.capabilities['hypervisor_type'] == 'qemu'
    assert state.capabilities['model'] == 'x'
    reported = fakes.host_state(supported_instances=[['i386', 'xapi', 'pv']])
    assert reported.supported_instances == (('i686', 'xen', 'xen'),)
    assert fakes.host_state(cpu_info='not json').cpu_info == {}


def test_service_flags():
    assert fakes.host_state().service_ok
    for values in ({'is_up': False}, {'disabled': True}, {'forced_down': True}):
        assert not fakes.host_state(service_values=values).service_ok
    assert not HostState('lonely').service_ok  # no service record: never chosen


def test_zone_from_aggregates_else_service_else_flag():
    CONF.set_override('default_availability_zone', 'dflt')
    assert fakes.host_state().availability_zone == 'dflt'
    assert fakes.host_state(service_values={'availability_zone': 'svc'}).availability_zone \
        == 'svc'
    aggregates = [{'id': 1, 'metadata': {'availability_zone': 'z2'}},
                  {'id': 2, 'metadata': {'availability_zone': 'z1'}}]
    state = fakes.host_state(aggregates=aggregates, service_values={'availability_zone': 's'})
    assert state.availability_zones == {'z1', 'z2'} and state.availability_zone == 'z1,z2'
    assert state.aggregate_metadata == {'availability_zone': {'z1', 'z2'}}


def test_consume_claims_and_an_older_report_does_not_undo_it():
    state = fakes.host_state(updated_at=fakes.ago(60))
    spec = fakes.spec(memory_mb=1024, vcpus=2, root_gb=10, swap=512)
    state.consume(spec, 'i1')
    assert state.free_ram_mb == 7168 and state.vcpus_used == 2
    assert state.free_disk_mb == 100 * 1024 - 10 * 1024 - 512 and state.num_instances == 1
    assert 'i1' in state.instances
    # written before the claim: the compute did not know of i1 yet
    assert state.update_from_compute_node(fakes.compute_node('host1', updated_at=fakes.ago(30)))
    assert state.free_ram_mb == 7168 and state.vcpus_used == 2
    # written after the claim: the report counts i1 itself
    assert state.update_from_compute_node(fakes.compute_node(
        'host1', memory_mb_used=1024, vcpus_used=2, updated_at=fakes.ago(-1)))
    assert state.free_ram_mb == 7168 and state.vcpus_used == 2
    assert state.pending_instances() == set()


def test_a_report_older_than_the_applied_one_is_ignored():
    state = fakes.host_state(memory_mb_used=2048, updated_at=fakes.ago(10))
    stale = fakes.compute_node('host1', memory_mb_used=0, updated_at=fakes.ago(20))
    assert state.update_from_compute_node(stale) is False
    assert state.free_ram_mb == 6144


def test_iso_timestamps_and_missing_ones():
    state = fakes.host_state(updated_at='2030-01-01T10:00:00Z')
    assert state.updated == datetime.datetime(2030, 1, 1, 10, 0)
    state.update_from_compute_node(
        fakes.compute_node('host1', updated_at='2030-01-01T12:30:00+02:00'))
    assert state.updated == datetime.datetime(2030, 1, 1, 10, 30)
    assert fakes.host_state(updated_at=None).updated is not None


def test_release_of_a_pending_claim_drops_it():
    state = fakes.host_state()
    state.consume(fakes.spec(memory_mb=1024), 'i1')
    state.consume(fakes.spec(memory_mb=2048), 'i2')
    state.release(fakes.spec(memory_mb=1024), 'i1')
    assert state.free_ram_mb == 8192 - 2048 and state.instances == {'i2'}
    state.release(fakes.spec(memory_mb=2048))  # no uuid: matched by size
    assert state.free_ram_mb == 8192 and state.num_instances == 0


def test_release_after_a_report_gives_back_until_a_newer_report():
    state = fakes.host_state(memory_mb_used=1024, running_vms=1, updated_at=fakes.ago(10),
                             instances=['i1'])
    state.release(fakes.spec(memory_mb=1024), 'i1')
    assert state.free_ram_mb == 8192 and state.num_instances == 0 and state.instances == set()
    # a report from before the release still counts i1: the release stands
    state.update_from_compute_node(fakes.compute_node(
        'host1', memory_mb_used=1024, running_vms=1, updated_at=fakes.ago(5)))
    assert state.free_ram_mb == 8192
    # a report from after it has the final word
    state.update_from_compute_node(fakes.compute_node(
        'host1', memory_mb_used=512, updated_at=fakes.ago(-1)))
    assert state.free_ram_mb == 8192 - 512


def test_sync_builds_states_with_services_aggregates_and_instances():
    aggregates = [{'id': 1, 'name': 'a', 'metadata': {'availability_zone': 'z1'},
                   'hosts': ['h1']}]
    services = [fakes.service('h1'), fakes.service('h2', disabled=True),
                {'host': 'h1', 'binary': 'nova-network', 'topic': 'network', 'is_up': False}]
    hm = fakes.manager(fakes.compute_node('h1', 'n1a'), fakes.compute_node('h1', 'n1b'),
                       fakes.compute_node('h2'), fakes.compute_node('h3'),
                       services=services, aggregates=aggregates, instances={'h1': ['i1']})
    states = {(s.host, s.nodename): s for s in hm.get_all_host_states()}
    assert list(states) == [('h1', 'n1a'), ('h1', 'n1b'), ('h2', 'h2'), ('h3', 'h3')]
    assert states['h1', 'n1a'].service_ok and states['h1', 'n1b'].availability_zone == 'z1'
    assert not states['h2', 'h2'].service_ok and not states['h3', 'h3'].service_ok
    assert states['h1', 'n1a'].instances == {'i1'}
    hm.add_instance('h1', 'i2')
    assert states['h1', 'n1b'].instances == {'i1', 'i2'}  # one set per host
    hm.remove_instance('h1', 'i1')
    assert states['h1', 'n1a'].instances == {'i2'}


def test_sync_drops_gone_nodes_and_keeps_newer_claims():
    hm = fakes.manager(fakes.compute_node('h1', updated_at=fakes.ago(60)),
                       fakes.compute_node('h2'))
    h1 = hm.get_all_host_states()[0]
    h1.consume(fakes.spec(memory_mb=1024), 'new')
    hm.sync([fakes.compute_node('h1', updated_at=fakes.ago(30))], [fakes.service('h1')], [], {})
    assert hm.get_all_host_states() == [h1]
    assert h1.free_ram_mb == 8192 - 1024
    assert h1.instances == {'new'}  # not in the database yet, but placed here


def test_update_from_compute_node_adds_new_nodes():
    hm = fakes.manager(fakes.compute_node('h1'), services=[fakes.service('h1'),
                                                          fakes.service('h2')])
    assert len(hm.get_all_host_states()) == 1
    assert hm.update_from_compute_node(fakes.compute_node('h2', memory_mb_used=100))
    states = hm.get_all_host_states()
    assert [s.host for s in states] == ['h1', 'h2']
    assert states[1].service_ok and states[1].free_ram_mb == 8092
    assert hm.update_from_compute_node(fakes.compute_node('h2', updated_at=fakes.ago(60))) \
        is False


def test_update_service_and_aggregates():
    hm = fakes.manager(fakes.compute_node('h1'))
    [state] = hm.get_all_host_states()
    hm.update_service(fakes.service('h1', disabled=True))
    assert not state.service_ok
    hm.update_service({'host': 'h1', 'binary': 'nova-volume', 'topic': 'volume',
                       'is_up': True})
    assert not state.service_ok
    hm.update_aggregates([{'id': 1, 'metadata': {'availability_zone': 'z9'}, 'hosts': ['h1']}])
    assert state.availability_zone == 'z9'
    hm.update_aggregates([])
    assert state.availability_zone == CONF.default_availability_zone


def test_manager_release():
    hm = fakes.manager(fakes.compute_node('h1', 'n1'))
    [state] = hm.get_all_host_states()
    state.consume(fakes.spec(memory_mb=1024, vcpus=2), 'i1')
    flavor = {'memory_mb': 1024, 'vcpus': 2, 'root_gb': 1}
    assert hm.release('h1', 'n1', flavor, 'i1') is True
    assert state.free_ram_mb == 8192 and state.vcpus_used == 0
    assert hm.release('h1', 'gone', flavor) is False
