"""A page of servers costs the same number of SQL statements for 2 servers as for 200,
through the whole request: auth context, policy, DB list, faults, zones, host states."""
import eventlet
import eventlet.event
import pytest

from nova.api.openstack.compute import server_lists
from nova.api.openstack.compute.views import servers as server_views
from nova.compute import api as compute_api
from nova.db import api as db
from tests.unit.db.compute_helpers import count_statements, instance_values, queries

FLAVOR = {'cur': {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
                  'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {}}}


@pytest.fixture(autouse=True)
def zones_cached_through_the_test(monkeypatch):
    """The zone cache expires after 5 s: a slow request between the warm-up and the
    counted one would count its refresh (6 statements against 7 on a loaded machine)."""
    monkeypatch.setattr(server_views, 'ZONE_CACHE_SECONDS', 3600)


def _servers(cloud, count):
    """count servers of alice's project on the compute hosts, a third of them in ERROR."""
    rows = db.instance_create_many(cloud.admin, [instance_values(
        project_id='proj-a', user_id='alice', display_name='vm-%d' % i, host='h%d' % (i % 3 + 1),
        node='h%d' % (i % 3 + 1), vm_state='error' if i % 3 == 0 else 'active',
        task_state=None, flavor=FLAVOR, metadata={'n': str(i)}, tags=['t'])
        for i in range(count)])
    for row in rows[::3]:
        db.instance_fault_create(cloud.admin, {'instance_uuid': row.uuid, 'code': 500,
                                               'message': 'boom', 'details': 'trace'})
    return rows


def _statements(client, path, version='2.96'):
    client.get(path, version=version)  # warm: the zone cache, the policy file
    with count_statements() as statements:
        response = client.get(path, version=version)
    assert response.status_int == 200, response.body
    return len(queries(statements)), response.json['servers']


@pytest.mark.parametrize('path', ['/servers/detail', '/servers', '/servers/detail?all_tenants=1'])
def test_statements_do_not_grow_with_the_page(cloud, alice, admin, path):
    client = admin if 'all_tenants' in path else alice
    _servers(cloud, 2)
    few, servers = _statements(client, path)
    assert len(servers) == 2
    _servers(cloud, 198)
    many, servers = _statements(client, path)
    assert len(servers) == 200
    assert many == few
    # a detail page whose views are not all kept (ERROR servers' never are: their
    # fault is read per request) reads their other columns in one more statement
    assert few <= 7, few


def test_detail_shows_metadata_tags_and_faults(cloud, alice):
    rows = _servers(cloud, 6)
    _count, servers = _statements(alice, '/servers/detail')
    by_id = {s['id']: s for s in servers}
    for index, row in enumerate(rows):
        server = by_id[row.uuid]
        assert server['metadata'] == {'n': str(index)}
        assert server['tags'] == ['t']
        assert server['flavor']['original_name'] == 'm1.tiny'
        if index % 3 == 0:
            assert server['status'] == 'ERROR'
            assert server['fault']['message'] == 'boom'
            assert 'details' not in server['fault']  # a 500's details are for admins
        else:
            assert server['status'] == 'ACTIVE' and 'fault' not in server


def test_large_pages_are_built_a_few_at_a_time(cloud, alice, monkeypatch):
    """Each page of 1,000 servers in flight holds its records and views: a process
    builds PAGES_AT_ONCE large pages at a time; the others wait, small ones do not."""
    _servers(cloud, 3)
    reading, most, go = [0], [0], eventlet.event.Event()
    real_get_all = compute_api.API.get_all

    def get_all(self, *args, **kwargs):  # a page waiting for its database
        reading[0] += 1
        most[0] = max(most[0], reading[0])
        go.wait()
        reading[0] -= 1
        return real_get_all(self, *args, **kwargs)
    monkeypatch.setattr(compute_api.API, 'get_all', get_all)
    large = [eventlet.spawn(alice.get, '/servers/detail') for _ in range(4)]
    large.append(eventlet.spawn(alice.get, '/servers?limit=1000'))
    eventlet.sleep(0.1)
    assert reading[0] == server_lists.PAGES_AT_ONCE
    small = eventlet.spawn(alice.get, '/servers/detail?limit=%d' % server_lists.LARGE_PAGE)
    eventlet.sleep(0.1)
    assert reading[0] == server_lists.PAGES_AT_ONCE + 1  # not behind the large ones
    go.send()
    for response in [thread.wait() for thread in large + [small]]:
        assert response.status_int == 200, response.body
        assert len(response.json['servers']) == 3
    assert most[0] == server_lists.PAGES_AT_ONCE + 1
