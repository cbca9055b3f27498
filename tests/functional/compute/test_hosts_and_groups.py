"""Aggregates and zones steer placement; server groups place together or
apart; disabled services get nothing; hypervisor statistics add up."""
import pytest

from nova import exception
from nova.compute import aggregates, hosts, server_groups, vm_states
from nova.db import api as db


@pytest.fixture
def agg_api():
    return aggregates.AggregateAPI()


def test_zone_aggregate_steers_boot(cloud, agg_api):
    agg = agg_api.create_aggregate(cloud.admin, 'rack1', availability_zone='az1')
    agg_api.add_host_to_aggregate(cloud.admin, agg.id, 'h1')
    instances = cloud.boot(3, availability_zone='az1')
    rows = cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    assert {r.host for r in rows} == {'h1'}
    assert all(r.availability_zone == 'az1' for r in rows)
    zones = hosts.HostAPI().availability_zones(cloud.admin)
    assert set(zones['az1']) == {'h1'} and set(zones['nova']) == {'h2', 'h3'}
    with pytest.raises(exception.InvalidInput, match='not available'):
        cloud.boot(1, availability_zone='nowhere')


def test_host_is_in_one_zone_and_busy_aggregate_stays(cloud, agg_api):
    a = agg_api.create_aggregate(cloud.admin, 'a', availability_zone='az1')
    b = agg_api.create_aggregate(cloud.admin, 'b', availability_zone='az2')
    agg_api.add_host_to_aggregate(cloud.admin, a.id, 'h1')
    with pytest.raises(exception.InvalidAggregateAction, match='already in availability zone'):
        agg_api.add_host_to_aggregate(cloud.admin, b.id, 'h1')
    with pytest.raises(exception.InvalidAggregateAction, match='still has hosts'):
        agg_api.delete_aggregate(cloud.admin, a.id)
    with pytest.raises(exception.HostBinaryNotFound):
        agg_api.add_host_to_aggregate(cloud.admin, b.id, 'no-such-host')
    agg_api.remove_host_from_aggregate(cloud.admin, a.id, 'h1')
    agg_api.delete_aggregate(cloud.admin, a.id)


def test_anti_affinity_group_spreads_then_refuses(cloud):
    group = server_groups.InstanceGroupAPI().create(cloud.ctx, 'apart', 'anti-affinity')
    instances = cloud.boot(3, scheduler_hints={'group': group.uuid})
    rows = cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    assert sorted(r.host for r in rows) == ['h1', 'h2', 'h3']
    [fourth] = cloud.boot(1, scheduler_hints={'group': group.uuid})
    cloud.wait([fourth.uuid], vm_states.ERROR)
    fault = db.instance_fault_get_by_instance_uuids(cloud.admin, [fourth.uuid])[fourth.uuid][0]
    assert 'ServerGroupAntiAffinityFilter removed 3' in fault.message


def test_affinity_group_packs(cloud):
    group = server_groups.InstanceGroupAPI().create(cloud.ctx, 'together', 'affinity')
    first = cloud.boot(2, scheduler_hints={'group': group.uuid})
    cloud.wait([i.uuid for i in first], vm_states.ACTIVE)
    second = cloud.boot(2, scheduler_hints={'group': group.uuid})
    rows = cloud.wait([i.uuid for i in first + second], vm_states.ACTIVE)
    assert len({r.host for r in rows}) == 1
    other = server_groups.InstanceGroupAPI()
    from nova import context as nova_context
    bob = nova_context.RequestContext(user_id='bob', project_id='proj-b', overwrite=False)
    with pytest.raises(exception.InstanceGroupNotFound):
        other.get(bob, group.uuid)


def test_disabled_services_get_no_instances(cloud):
    api = hosts.HostAPI()
    for host in ('h2', 'h3'):
        api.service_update(cloud.admin, host, 'nova-compute', disabled=True,
                           disabled_reason='maintenance')
    cloud.services['nova-scheduler'].manager.refresh_host_states(cloud.admin)
    rows = cloud.wait([i.uuid for i in cloud.boot(4)], vm_states.ACTIVE)
    assert {r.host for r in rows} == {'h1'}
    listed = {(s.host, s.binary): (zone, up) for s, zone, up in api.service_get_all(cloud.admin)}
    assert listed[('h2', 'nova-compute')] == ('nova', True)
    assert listed[('controller', 'nova-scheduler')] == ('internal', True)


def test_hypervisor_statistics(cloud):
    rows = cloud.wait([i.uuid for i in cloud.boot(2)], vm_states.ACTIVE)
    assert len(rows) == 2
    cloud.nodes()
    stats = hosts.HostAPI().hypervisor_statistics(cloud.admin)
    assert stats['count'] == 3 and stats['running_vms'] == 2
    assert stats['memory_mb_used'] == 2 * 512
    assert len(hosts.HostAPI().hypervisors(cloud.admin, 'h1')) == 1
