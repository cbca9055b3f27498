"""Booting with nova-network (FlatManager): nova-compute allocates through the
network API, the fake driver is handed the network_info, delete gives it back,
an exhausted network fails the boot cleanly."""
import eventlet
import pytest

from nova import exception
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.network import model
from nova.virt import fake


@pytest.fixture
def net(cloud):
    cloud.start('nova-network', 'nethost')
    api = network_api.API()
    return api, api.create_network(cloud.admin, '10.8.0.0/28', label='private')


def _guest_vifs(instance):
    guest = fake._host(instance.host).guests[instance.uuid]
    return list(guest.vifs.values())


def test_servers_get_distinct_addresses_and_the_driver_gets_network_info(cloud, net):
    api, network = net
    instances = cloud.boot(5)
    rows = cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    infos = api.get_instances_nw_info(cloud.admin, [r.uuid for r in rows])
    addresses = [model.fixed_ips(infos[r.uuid])[0] for r in rows]
    assert len(set(addresses)) == 5
    assert all(a.startswith('10.8.0.') and a not in ('10.8.0.0', '10.8.0.1') for a in addresses)
    for row in rows:
        vifs = _guest_vifs(row)
        assert vifs == infos[row.uuid]  # what the driver plugged is what the DB says
        assert vifs[0]['network']['bridge'] == 'br100'
        assert vifs[0]['network']['subnets'][0]['gateway'] == '10.8.0.1'
        assert model.addresses(vifs)['private'][0]['OS-EXT-IPS-MAC:mac_addr'] == \
            vifs[0]['address']


def test_delete_returns_the_addresses(cloud, net):
    api, network = net
    instances = cloud.boot(3)
    uuids = [i.uuid for i in instances]
    cloud.wait(uuids, vm_states.ACTIVE)
    for instance in instances:
        cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid))
    cloud.wait_gone(uuids)
    assert db.fixed_ip_get_all(cloud.admin, instance_uuids=uuids) == []
    assert all(db.virtual_interface_get_by_instance(cloud.admin, u) == [] for u in uuids)


def test_an_exhausted_network_fails_the_boot_with_a_fault_and_leaks_nothing(cloud, net):
    api, network = net  # a /28: 13 addresses for instances
    CONF.set_override('quota_instances', -1)
    first = cloud.boot(12)
    cloud.wait([i.uuid for i in first], vm_states.ACTIVE)
    more = cloud.boot(3)
    deadline = eventlet.hubs.get_hub().clock() + 30
    while True:
        rows = [db.instance_get_by_uuid(cloud.admin, i.uuid) for i in more]
        if all(r.task_state is None for r in rows):
            break
        assert eventlet.hubs.get_hub().clock() < deadline, rows
        eventlet.sleep(0.02)
    states = sorted(r.vm_state for r in rows)
    assert states == [vm_states.ACTIVE, vm_states.ERROR, vm_states.ERROR]
    failed = [r for r in rows if r.vm_state == vm_states.ERROR]
    faults = db.instance_fault_get_by_instance_uuids(cloud.admin, [r.uuid for r in failed])
    assert all('No fixed IP addresses available for network private' in faults[r.uuid][0].message
               for r in failed)
    assert db.fixed_ip_get_all(cloud.admin, instance_uuids=[r.uuid for r in failed]) == []
    assert all(r.uuid not in fake._host(h).guests for r in failed for h in ('h1', 'h2', 'h3'))
    # deleting the failed ones and one active one makes room again
    for row in failed + [first[0]]:
        cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, row.uuid))
    cloud.wait_gone([r.uuid for r in failed] + [first[0].uuid])
    cloud.wait([i.uuid for i in cloud.boot(1)], vm_states.ACTIVE)


def test_networks_none_and_a_requested_fixed_ip(cloud, net):
    api, network = net
    none = cloud.boot(1, requested_networks='none')[0]
    pinned = cloud.boot(1, requested_networks=[{'uuid': network.uuid,
                                                'fixed_ip': '10.8.0.9'}])[0]
    cloud.wait([none.uuid, pinned.uuid], vm_states.ACTIVE)
    infos = api.get_instances_nw_info(cloud.admin, [none.uuid, pinned.uuid])
    assert infos[none.uuid] == []
    assert model.fixed_ips(infos[pinned.uuid]) == ['10.8.0.9']
    with pytest.raises(exception.FixedIpAlreadyInUse):
        cloud.boot(1, requested_networks=[{'uuid': network.uuid, 'fixed_ip': '10.8.0.9'}])
    with pytest.raises(exception.InvalidInput, match='more than one instance'):
        cloud.boot(2, requested_networks=[{'uuid': network.uuid, 'fixed_ip': '10.8.0.10'}])
    with pytest.raises(exception.NetworkNotFound):
        cloud.boot(1, requested_networks=[{'uuid': 'no-such-network'}])


def test_another_projects_network_is_not_usable(cloud, net):
    api, _ = net
    theirs = api.create_network(cloud.admin, '10.9.0.0/29', project_id='proj-b')
    with pytest.raises(exception.NetworkNotFound):
        cloud.boot(1, requested_networks=[{'uuid': theirs.uuid}])
    instance = cloud.boot(1)[0]  # auto: the shared network only
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    info = api.get_instance_nw_info(cloud.admin, instance)
    assert [vif['network']['label'] for vif in info] == ['private']


def test_rebuild_and_reboot_keep_the_addresses_and_hand_them_to_the_driver(cloud, net):
    api, _network = net
    [instance] = cloud.boot(1)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    before = api.get_instance_nw_info(cloud.admin, instance)
    cloud.api.rebuild(cloud.ctx, cloud.api.get(cloud.ctx, instance.uuid),
                      cloud.image['id'])
    [rebuilt] = cloud.wait([instance.uuid], vm_states.ACTIVE)
    assert _guest_vifs(rebuilt) == before  # the new guest is plugged as the old one was
    cloud.api.reboot(cloud.ctx, rebuilt, 'HARD')
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    assert api.get_instance_nw_info(cloud.admin, instance) == before


def test_inject_network_info_gives_the_guest_its_network_info(cloud, net):
    api, _ = net
    [instance] = cloud.boot(1)
    [row] = cloud.wait([instance.uuid], vm_states.ACTIVE)
    info = api.get_instance_nw_info(cloud.admin, row)
    guest = fake._host(row.host).guests[row.uuid]
    guest.vifs = {}  # forgotten by the guest: injecting gives it back
    cloud.api.inject_network_info(cloud.admin, row)
    for _ in range(1000):
        if guest.vifs:
            break
        eventlet.sleep(0.01)
    assert list(guest.vifs.values()) == info


def _settled(cloud, uuids, timeout=30):
    """The instances once no task runs on them."""
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        rows = [db.instance_get_by_uuid(cloud.admin, u) for u in uuids]
        if all(r.task_state is None for r in rows):
            return rows
        assert eventlet.hubs.get_hub().clock() < deadline, rows
        eventlet.sleep(0.02)


def test_auto_assigned_floating_ips_come_with_the_boot_and_go_with_the_delete(cloud, net):
    api, _network = net
    CONF.set_override('auto_assign_floating_ip', True)
    CONF.set_override('quota_floating_ips', 1)  # auto-assigned ones are not counted
    api.create_floating_ips(cloud.admin, '172.24.9.0/30')  # .1 and .2
    instances = cloud.boot(2)
    rows = cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    infos = api.get_instances_nw_info(cloud.admin, [r.uuid for r in rows])
    floating = sorted(model.floating_ips(infos[r.uuid])[0] for r in rows)
    assert floating == ['172.24.9.1', '172.24.9.2']
    assert all(_guest_vifs(r) == infos[r.uuid] for r in rows)  # the driver saw them too
    mine = api.get_floating_ips_by_project(cloud.ctx)
    assert all(f['auto_assigned'] and f['instance_uuid'] for f in mine)
    assert db.quota_usage_get_all_by_project(cloud.admin, 'proj-a').get('floating_ips',
                                                                        0) == 0
    # they go with their instance: users can neither release nor disassociate them
    with pytest.raises(exception.CannotDisassociateAutoAssignedFloatingIp):
        api.release_floating_ip(cloud.ctx, floating[0], disassociate=True)
    with pytest.raises(exception.CannotDisassociateAutoAssignedFloatingIp):
        api.disassociate_floating_ip(cloud.ctx, floating[0])
    # the pool is empty: a third boot fails with a fault and holds no fixed IP either
    [third] = cloud.boot(1)
    [row] = _settled(cloud, [third.uuid])
    assert row.vm_state == vm_states.ERROR
    [fault] = db.instance_fault_get_by_instance_uuids(cloud.admin, [third.uuid])[third.uuid]
    assert 'Zero floating IPs available in pool nova' in fault.message
    assert db.fixed_ip_get_all(cloud.admin, instance_uuids=[third.uuid]) == []
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, rows[0].uuid))
    cloud.wait_gone([rows[0].uuid])
    free = [f for f in api.get_all_floating_ips(cloud.admin) if f['project_id'] is None]
    assert len(free) == 1 and free[0]['fixed_ip'] is None
    # and one the user allocated is counted as ever
    api.allocate_floating_ip(cloud.ctx)
    assert db.quota_usage_get_all_by_project(cloud.admin, 'proj-a')['floating_ips'] == 1


def test_the_fixed_ips_quota_fails_the_boots_beyond_it(cloud, net):
    api, _network = net
    CONF.set_override('quota_fixed_ips', 2)
    first = cloud.boot(2)
    cloud.wait([i.uuid for i in first], vm_states.ACTIVE)
    [third] = cloud.boot(1)
    [row] = _settled(cloud, [third.uuid])
    assert row.vm_state == vm_states.ERROR
    [fault] = db.instance_fault_get_by_instance_uuids(cloud.admin, [third.uuid])[third.uuid]
    assert 'fixed_ips' in fault.message
    usage = db.quota_usage_get_all_by_project(cloud.admin, 'proj-a')
    assert usage['fixed_ips'] == 2
    cloud.api.delete(cloud.ctx, cloud.api.get(cloud.ctx, first[0].uuid))
    cloud.wait_gone([first[0].uuid])
    assert db.quota_usage_get_all_by_project(cloud.admin, 'proj-a')['fixed_ips'] == 1
    cloud.wait([i.uuid for i in cloud.boot(1)], vm_states.ACTIVE)
