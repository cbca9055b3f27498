"""Metadata, tags, ips, instance actions, diagnostics and topology of a server."""
import pytest

from nova import policy
from nova.conf import CONF


def test_metadata_merge_replace_item(alice, boot):
    [uuid] = boot(metadata={'a': '1'})
    base = '/servers/%s/metadata' % uuid
    assert alice.get(base).json == {'metadata': {'a': '1'}}
    assert alice.post(base, {'metadata': {'b': '2'}}).json == {'metadata': {'a': '1', 'b': '2'}}
    assert alice.put(base, {'metadata': {'c': '3'}}).json == {'metadata': {'c': '3'}}
    assert alice.get(base + '/c').json == {'meta': {'c': '3'}}
    assert alice.put(base + '/d', {'meta': {'d': '4'}}).json == {'meta': {'d': '4'}}
    mismatch = alice.put(base + '/d', {'meta': {'e': '5'}})
    assert mismatch.json['badRequest']['message'] == 'Request body and URI mismatch'
    assert alice.put(base + '/d', {'meta': {'d': '4', 'e': '5'}}).status_int == 400
    assert alice.delete(base + '/c').status_int == 204
    assert alice.get(base + '/c').status_int == 404
    assert alice.delete(base + '/c').status_int == 404
    assert alice.get(base).json == {'metadata': {'d': '4'}}


def test_metadata_quota_is_403(alice, boot):
    CONF.set_override('quota_metadata_items', 2)
    [uuid] = boot()
    response = alice.post('/servers/%s/metadata' % uuid,
                          {'metadata': {'a': '1', 'b': '2', 'c': '3'}})
    assert response.status_int == 403


def test_tags(alice, boot):
    [uuid] = boot()
    base = '/servers/%s/tags' % uuid
    assert alice.get(base).status_int == 404  # tags came with 2.26
    v = '2.26'
    assert alice.put(base, {'tags': ['b', 'a']}, version=v).json == {'tags': ['a', 'b']}
    added = alice.put(base + '/c', version=v)
    assert added.status_int == 201 and added.headers['Location'].endswith(base + '/c')
    assert alice.put(base + '/c', version=v).status_int == 204
    assert alice.get(base + '/c', version=v).status_int == 204
    assert alice.get(base + '/zz', version=v).status_int == 404
    assert alice.get(base, version=v).json == {'tags': ['a', 'b', 'c']}
    assert alice.delete(base + '/a', version=v).status_int == 204
    assert alice.delete(base + '/a', version=v).status_int == 404
    assert alice.put(base, {'tags': ['x/y']}, version=v).status_int == 400
    assert alice.delete(base, version=v).status_int == 204
    assert alice.get(base, version=v).json == {'tags': []}


def test_ips_are_empty(alice, boot):
    [uuid] = boot()
    assert alice.get('/servers/%s/ips' % uuid).json == {'addresses': {}}
    assert alice.get('/servers/%s/ips/private' % uuid).status_int == 404


def test_instance_actions(alice, admin, boot, cloud):
    [uuid] = boot()
    alice.action(uuid, 'os-stop')
    actions = alice.get('/servers/%s/os-instance-actions' % uuid).json['instanceActions']
    assert [a['action'] for a in actions] == ['stop', 'create']
    assert set(actions[0]) == {'action', 'instance_uuid', 'request_id', 'user_id',
                               'project_id', 'start_time', 'message'}
    request_id = actions[1]['request_id']
    shown = alice.get('/servers/%s/os-instance-actions/%s' % (uuid, request_id)).json
    assert 'events' not in shown['instanceAction']  # events: admins before 2.51
    events = alice.get('/servers/%s/os-instance-actions/%s' % (uuid, request_id),
                       version='2.62').json['instanceAction']['events']
    assert events and 'traceback' not in events[0] and 'hostId' in events[0]
    assert 'host' not in events[0]
    admin_events = admin.get('/servers/%s/os-instance-actions/%s' % (uuid, request_id),
                             version='2.84').json['instanceAction']['events']
    assert 'traceback' in admin_events[0] and 'details' in admin_events[0]
    paged = alice.get('/servers/%s/os-instance-actions?limit=1' % uuid, version='2.58').json
    assert len(paged['instanceActions']) == 1 and 'updated_at' in paged['instanceActions'][0]
    assert 'marker=' in paged['links'][0]['href']
    assert alice.get('/servers/%s/os-instance-actions?bogus=1' % uuid,
                     version='2.58').status_int == 400
    assert alice.get('/servers/%s/os-instance-actions/req-nope' % uuid).status_int == 404


def test_instance_actions_of_deleted_server_from_2_21(alice, boot, cloud):
    [uuid] = boot()
    alice.delete('/servers/' + uuid)
    cloud.wait_gone([uuid])
    assert alice.get('/servers/%s/os-instance-actions' % uuid).status_int == 404
    actions = alice.get('/servers/%s/os-instance-actions' % uuid, version='2.21').json
    assert 'delete' in [a['action'] for a in actions['instanceActions']]


def test_diagnostics_for_admins(alice, admin, boot):
    [uuid] = boot()
    assert alice.get('/servers/%s/diagnostics' % uuid).status_int == 403
    blob = admin.get('/servers/%s/diagnostics' % uuid).json
    assert 'cpu0_time' in blob
    standard = admin.get('/servers/%s/diagnostics' % uuid, version='2.48').json
    assert standard['state'] == 'running' and standard['num_cpus'] == 1
    assert standard['driver'] == 'libvirt'  # the counters' format, one of the reference's
    assert standard['disk_details'] and standard['memory_details']['maximum'] == 512
    assert set(standard['memory_details']) == {'maximum', 'used'}  # the reference's names


@pytest.mark.skipif('compute:server:topology:index' not in {
    rule.name for rule in policy.defaults()}, reason='topology policy rule not registered')
def test_topology(alice, boot):
    [uuid] = boot()
    assert alice.get('/servers/%s/topology' % uuid).status_int == 404
    assert alice.get('/servers/%s/topology' % uuid, version='2.78').json == {
        'nodes': [], 'pagesize_kb': None}
