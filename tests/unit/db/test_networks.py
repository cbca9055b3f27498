"""nova-network's tables on SQLite: networks with their fixed IPs, allocation,
deallocation, floating IPs, and the rows network_info is built from."""
import pytest

from nova import exception
from nova.db import api as db
from nova.network import ranges
from tests.unit.db.compute_helpers import count_statements, instance_values, queries


def _network(ctx, cidr='10.1.0.0/29', **values):
    layout, addresses = ranges.network_layout(cidr)
    values = dict(layout, label=values.pop('label', 'net-' + cidr), bridge='br100', **values)
    return db.network_create_safe(ctx, values, addresses)


def _alloc(ctx, network, *uuids, address=None):
    return db.fixed_ips_allocate(ctx, [
        {'instance_uuid': u, 'network_id': network.id, 'label': network.label,
         'address': address} for u in uuids], host='h1')


def test_a_network_has_a_row_per_address_with_the_specials_reserved(db_ctx):
    network = _network(db_ctx)
    rows = db.fixed_ip_get_all(db_ctx, network_id=network.id)
    assert [r.address for r in rows] == ['10.1.0.%d' % i for i in range(8)]
    assert [r.address for r in rows if r.reserved] == ['10.1.0.0', '10.1.0.1', '10.1.0.7']
    assert network.gateway == '10.1.0.1' and network.dhcp_start == '10.1.0.2'


def test_overlapping_or_duplicate_networks_are_refused(db_ctx):
    _network(db_ctx, '10.1.1.0/24')
    with pytest.raises(exception.CidrConflict, match='10.1.1.0/24'):
        _network(db_ctx, '10.1.1.128/25')
    with pytest.raises(exception.CidrConflict):
        _network(db_ctx, '10.1.0.0/16')
    _network(db_ctx, '10.2.0.0/24', vlan=100)
    with pytest.raises(exception.NetworkExists, match='segment 100'):
        _network(db_ctx, '10.3.0.0/24', vlan=100)
    assert len(db.network_get_all(db_ctx)) == 2


def test_allocation_gives_distinct_addresses_and_macs_in_few_statements(db_ctx):
    network = _network(db_ctx, '10.1.0.0/24')
    uuids = ['inst-%d' % i for i in range(50)]
    with count_statements() as statements:
        allocated = _alloc(db_ctx, network, *uuids)
    assert len(queries(statements)) == 3  # claim, insert interfaces, update addresses
    addresses = [a for _, _, a in allocated]
    assert len(set(addresses)) == 50 and '10.1.0.1' not in addresses
    assert len({mac for _, mac, _ in allocated}) == 50
    assert all(mac.startswith('fa:16:3e:') for _, mac, _ in allocated)
    rows = db.fixed_ip_get_all(db_ctx, instance_uuids=uuids)
    assert {r.instance_uuid for r in rows} == set(uuids)
    assert all(r.allocated and r.host == 'h1' and r.virtual_interface_id for r in rows)


def test_an_exhausted_network_allocates_nothing(db_ctx):
    network = _network(db_ctx)  # 5 usable addresses
    _alloc(db_ctx, network, 'a', 'b', 'c')
    with pytest.raises(exception.NoMoreFixedIps, match='net-10.1.0.0/29'):
        _alloc(db_ctx, network, 'd', 'e', 'f')
    assert db.fixed_ip_get_all(db_ctx, instance_uuids=['d', 'e', 'f']) == []
    assert db.virtual_interface_get_by_instance(db_ctx, 'd') == []
    _alloc(db_ctx, network, 'd', 'e')  # what is left still works


def test_a_named_address_is_given_once(db_ctx):
    network = _network(db_ctx)
    assert _alloc(db_ctx, network, 'a', address='10.1.0.5')[0][2] == '10.1.0.5'
    with pytest.raises(exception.FixedIpAlreadyInUse, match='10.1.0.5'):
        _alloc(db_ctx, network, 'b', address='10.1.0.5')
    with pytest.raises(exception.FixedIpAlreadyInUse):
        _alloc(db_ctx, network, 'b', address='10.1.0.1')  # the gateway is reserved
    with pytest.raises(exception.FixedIpInvalid):
        _alloc(db_ctx, network, 'b', address='10.9.9.9')


def test_deallocation_frees_addresses_and_drops_interfaces(db_ctx):
    network = _network(db_ctx)
    address = _alloc(db_ctx, network, 'a')[0][2]
    freed = db.fixed_ips_deallocate_by_instance(db_ctx, 'a')
    assert freed == {'fixed': [(address, network.id)], 'floating': []}
    assert db.virtual_interface_get_by_instance(db_ctx, 'a') == []
    row = db.fixed_ip_get_by_address(db_ctx, address)
    assert row.instance_uuid is None and not row.allocated
    assert _alloc(db_ctx, network, 'b')[0][2] == address  # back in the pool


def test_a_leased_address_waits_for_its_release(db_ctx):
    network = _network(db_ctx)
    _vif, mac, address = _alloc(db_ctx, network, 'a')[0]
    assert db.fixed_ip_set_leased(db_ctx, address, 'ff:ff:ff:00:00:00', True) is None
    assert db.fixed_ip_set_leased(db_ctx, address, mac, True).leased
    db.fixed_ips_deallocate_by_instance(db_ctx, 'a', keep_leased=True)
    row = db.fixed_ip_get_by_address(db_ctx, address)
    assert row.instance_uuid == 'a' and not row.allocated and row.leased
    db.fixed_ip_set_leased(db_ctx, address, mac, False)
    assert db.fixed_ip_get_by_address(db_ctx, address).instance_uuid is None


def test_a_network_in_use_is_not_deleted(db_ctx):
    network = _network(db_ctx)
    _alloc(db_ctx, network, 'a')
    with pytest.raises(exception.NetworkInUse, match='1 fixed IP'):
        db.network_delete_safe(db_ctx, network.uuid)
    db.fixed_ips_deallocate_by_instance(db_ctx, 'a')
    db.network_delete_safe(db_ctx, network.uuid)
    assert db.network_get_all(db_ctx) == []
    assert db.fixed_ip_get_all(db_ctx, network_id=network.id) == []
    _network(db_ctx)  # the range is free again


def test_multi_host_flags_say_whether_and_where_networks_are_served(db_ctx):
    """What a host reads before each batch it builds: none, then one flag per live
    network (a deleted one is gone from them)."""
    assert db.network_multi_host_flags(db_ctx) == []
    single = _network(db_ctx)
    _network(db_ctx, '10.2.0.0/29', multi_host=True)
    assert db.network_multi_host_flags(db_ctx) == [False, True]
    db.network_delete_safe(db_ctx, single.uuid)
    assert db.network_multi_host_flags(db_ctx) == [True]


def _floating(ctx, *addresses, pool='nova'):
    db.floating_ip_bulk_create(ctx, [{'address': a, 'pool': pool} for a in addresses])


def test_floating_ips_allocate_within_the_pool_and_the_quota(db_ctx):
    _floating(db_ctx, '172.24.4.1', '172.24.4.2', '172.24.4.3')
    with pytest.raises(exception.FloatingIpExists):
        _floating(db_ctx, '172.24.4.3')
    with pytest.raises(exception.FloatingIpPoolNotFound):
        db.floating_ip_allocate(db_ctx, 'p1', 'nopool', -1)
    first = db.floating_ip_allocate(db_ctx, 'p1', 'nova', 2)
    db.floating_ip_allocate(db_ctx, 'p1', 'nova', 2)
    with pytest.raises(exception.OverQuota):
        db.floating_ip_allocate(db_ctx, 'p1', 'nova', 2)
    db.floating_ip_allocate(db_ctx, 'p2', 'nova', 2)
    with pytest.raises(exception.NoMoreFloatingIps):
        db.floating_ip_allocate(db_ctx, 'p2', 'nova', 2)
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['floating_ips'] == 2
    db.floating_ip_deallocate(db_ctx, first.address, 'p1')
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['floating_ips'] == 1
    assert db.floating_ip_pools(db_ctx) == ['nova']


def test_floating_ip_association_rules(db_ctx):
    network = _network(db_ctx)
    fixed = _alloc(db_ctx, network, 'a')[0][2]
    _floating(db_ctx, '172.24.4.1')
    floating = db.floating_ip_allocate(db_ctx, 'p1', 'nova', -1).address
    with pytest.raises(exception.Forbidden):
        db.floating_ip_associate(db_ctx, floating, fixed, 'h1', 'p2')
    with pytest.raises(exception.FixedIpNotFoundForAddress):
        db.floating_ip_associate(db_ctx, floating, '10.1.0.6', 'h1', 'p1')  # free
    db.floating_ip_associate(db_ctx, floating, fixed, 'h1', 'p1')
    with pytest.raises(exception.FloatingIpAssociated, match=fixed):
        db.floating_ip_associate(db_ctx, floating, fixed, 'h1', 'p1')
    with pytest.raises(exception.FloatingIpAssociated):
        db.floating_ip_deallocate(db_ctx, floating, 'p1')
    assert db.floating_ip_get_by_host(db_ctx, 'h1') == [(floating, fixed, None)]
    rows = db.network_rows_by_instances(db_ctx, ['a'])['a']
    assert rows[0][2] == [fixed] and rows[0][3] == {fixed: [floating]}
    before, was = db.floating_ip_disassociate(db_ctx, floating, 'p1')
    assert was == fixed and before['fixed_ip_id'] is not None
    with pytest.raises(exception.FloatingIpNotAssociated):
        db.floating_ip_disassociate(db_ctx, floating, 'p1')
    db.floating_ip_deallocate(db_ctx, floating, 'p1')


def test_deleting_an_instance_releases_auto_assigned_floating_ips(db_ctx):
    network = _network(db_ctx)
    fixed = _alloc(db_ctx, network, 'a')[0][2]
    _floating(db_ctx, '172.24.4.1', '172.24.4.2')
    auto = db.floating_ip_allocate(db_ctx, 'p1', 'nova', -1, auto_assigned=True).address
    db.floating_ip_associate(db_ctx, auto, fixed, 'h1')
    freed = db.fixed_ips_deallocate_by_instance(db_ctx, 'a')
    assert [f['address'] for f in freed['floating']] == [auto]
    row = db.floating_ip_get_by_address(db_ctx, auto)
    assert row.project_id is None and row.fixed_ip_id is None
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1').get('floating_ips', 0) == 0


def test_auto_assigned_floating_ips_come_associated_and_are_not_counted(db_ctx):
    network = _network(db_ctx)
    fixed = _alloc(db_ctx, network, 'a')[0][2]
    _floating(db_ctx, '172.24.4.1')
    row = db.floating_ip_allocate(db_ctx, 'p1', 'nova', 0, auto_assigned=True,
                                  fixed_address=fixed, host='h1')
    assert row.fixed_ip_id is not None and row.host == 'h1'
    assert db.floating_ip_get_by_host(db_ctx, 'h1') == [('172.24.4.1', fixed, None)]
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1').get('floating_ips', 0) == 0
    with pytest.raises(exception.NoMoreFloatingIps):  # and nothing half-done
        db.floating_ip_allocate(db_ctx, 'p1', 'nova', -1, auto_assigned=True,
                                fixed_address=fixed, host='h1')
    db.fixed_ips_deallocate_by_instance(db_ctx, 'a')
    assert db.floating_ip_get_by_address(db_ctx, '172.24.4.1').project_id is None
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1').get('floating_ips', 0) == 0


def test_fixed_ips_are_counted_per_project_within_its_limit(db_ctx):
    network = _network(db_ctx, '10.1.0.0/28')
    instances = [instance_values('p1') for _ in range(3)]
    db.instance_create_many(db_ctx, instances)

    def alloc(*values, limit=2):
        return db.fixed_ips_allocate(db_ctx, [
            {'instance_uuid': v['uuid'], 'project_id': 'p1', 'network_id': network.id,
             'label': 'net'} for v in values], host='h1', limits={'p1': limit})
    alloc(*instances[:2])
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['fixed_ips'] == 2
    with pytest.raises(exception.OverQuota, match='fixed_ips'):
        alloc(instances[2])
    assert db.fixed_ip_get_all(db_ctx, instance_uuids=[instances[2]['uuid']]) == []
    db.fixed_ips_deallocate_by_instance(db_ctx, instances[0]['uuid'], keep_leased=True)
    db.fixed_ips_deallocate_by_instance(db_ctx, instances[0]['uuid'])  # again: no change
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['fixed_ips'] == 1
    alloc(instances[2])
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['fixed_ips'] == 2


def test_network_rows_of_many_instances_cost_one_query(db_ctx):
    network = _network(db_ctx, '10.1.0.0/24')
    uuids = ['inst-%d' % i for i in range(20)]
    _alloc(db_ctx, network, *uuids)
    with count_statements() as statements:
        rows = db.network_rows_by_instances(db_ctx, uuids + ['none'])
    assert len(queries(statements)) == 1
    assert rows['none'] == [] and all(len(rows[u]) == 1 for u in uuids)
    assert rows[uuids[0]][0][1].uuid == network.uuid


def test_address_rows_of_many_instances_cost_one_query_and_show_network_info(db_ctx):
    from nova.network import model
    network = _network(db_ctx, '10.1.0.0/24', label='private')
    uuids = ['inst-%d' % i for i in range(20)]
    _alloc(db_ctx, network, *uuids)
    _floating(db_ctx, '172.24.4.1')
    fixed = db.fixed_ip_get_all(db_ctx, instance_uuids=[uuids[0]])[0].address
    db.floating_ip_allocate(db_ctx, 'p1', 'nova', -1)
    db.floating_ip_associate(db_ctx, '172.24.4.1', fixed, 'h1', 'p1')
    with count_statements() as statements:
        rows = db.address_rows_by_instances(db_ctx, uuids + ['none'])
    assert len(queries(statements)) == 1 and rows['none'] == []
    network_info = db.network_rows_by_instances(db_ctx, uuids)
    for uuid in uuids:
        assert model.addresses_from_rows(rows[uuid]) == model.addresses(
            model.from_rows(network_info[uuid]))
    assert [e['addr'] for e in model.addresses_from_rows(rows[uuids[0]])['private']] == [
        fixed, '172.24.4.1']
