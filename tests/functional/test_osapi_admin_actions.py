"""Administrators' server actions, os-hosts, the usage audit log, quota classes,
/extensions, the server password and external events, through the compute API
app in-process on a cloud of three fake hosts: shapes, effects, errors, policy."""
import datetime

import pytest

from nova import context as nova_context
from nova.compute import usage_audit, vm_states
from nova.db import api as db
from nova.virt import fake
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(cloud):  # noqa: F811 -- the imported fixture
    return fakes.build_app()


def _boot(client, cloud, **server):  # noqa: F811
    response = client.post('/servers', {'server': dict(
        {'name': 'vm', 'imageRef': cloud.image['id'], 'flavorRef': '1'}, **server)})
    assert response.status_int == 202, response.body
    uuid = response.json['server']['id']
    cloud.wait([uuid], vm_states.ACTIVE)
    return uuid, response.json['server']['adminPass']


def _guest(cloud, uuid):  # noqa: F811
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    return fake._host(host).guests[uuid]


def _message(response):
    [fault] = response.json.values()
    return fault['message']


# ------------------------------------------------------------------ actions

def test_reset_state_is_for_admins_and_clears_the_task(alice, admin, cloud):  # noqa: F811
    uuid, _ = _boot(alice, cloud)
    body = {'os-resetState': {'state': 'error'}}
    assert alice.post('/servers/%s/action' % uuid, body).status_int == 403
    db.instance_update(cloud.admin, uuid, {'task_state': 'rebooting'})  # stuck
    assert admin.post('/servers/%s/action' % uuid, body).status_int == 202
    server = admin.get('/servers/' + uuid, version='2.1').json['server']
    assert server['status'] == 'ERROR' and server['OS-EXT-STS:task_state'] is None
    assert admin.post('/servers/%s/action' % uuid,
                      {'os-resetState': {'state': 'active'}}).status_int == 202
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'ACTIVE'
    actions = [a['action'] for a in alice.get(
        '/servers/%s/os-instance-actions' % uuid).json['instanceActions']]
    assert actions.count('resetState') == 2
    bad = admin.post('/servers/%s/action' % uuid, {'os-resetState': {'state': 'paused'}})
    assert bad.status_int == 400 and 'state' in _message(bad)
    missing = admin.post('/servers/%s/action' % ('0' * 32), body)
    assert missing.status_int == 404


def test_network_actions_reach_the_guest(alice, admin, cloud):  # noqa: F811
    uuid, _ = _boot(alice, cloud)
    for action, seen in (('injectNetworkInfo', 'network configuration injected'),
                         ('resetNetwork', 'network configuration reset')):
        assert alice.post('/servers/%s/action' % uuid, {action: None}).status_int == 403
        assert admin.post('/servers/%s/action' % uuid, {action: None}).status_int == 202
        cloud.wait([uuid], vm_states.ACTIVE)
        console = alice.post('/servers/%s/action' % uuid,
                             {'os-getConsoleOutput': {}}).json['output']
        assert seen in console


def test_admin_password_reaches_the_guest_on_create_rebuild_and_change(alice, cloud):  # noqa
    uuid, generated = _boot(alice, cloud)
    assert _guest(cloud, uuid).admin_password == generated  # the spawn got adminPass
    chosen, _ = _boot(alice, cloud, adminPass='my-Secret-1')
    assert _guest(cloud, chosen).admin_password == 'my-Secret-1'
    rebuilt = alice.post('/servers/%s/action' % uuid, {'rebuild': {
        'imageRef': cloud.image['id'], 'adminPass': 'rebuilt-Pass-2'}})
    assert rebuilt.json['server']['adminPass'] == 'rebuilt-Pass-2'
    cloud.wait([uuid], vm_states.ACTIVE)
    assert _guest(cloud, uuid).admin_password == 'rebuilt-Pass-2'
    changed = alice.post('/servers/%s/action' % uuid, {'changePassword': {
        'adminPass': 'changed-Pass-3'}})
    assert changed.status_int == 202
    assert _guest(cloud, uuid).admin_password == 'changed-Pass-3'
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'ACTIVE'
    alice.post('/servers/%s/action' % uuid, {'os-stop': None})
    cloud.wait([uuid], vm_states.STOPPED)
    refused = alice.post('/servers/%s/action' % uuid, {'changePassword': {'adminPass': 'x'}})
    assert refused.status_int == 409  # only a running guest's agent can set it


# -------------------------------------------------------------------- hosts

def test_hosts_list_show_update_and_power(alice, admin, cloud):  # noqa: F811
    assert alice.get('/os-hosts').status_int == 403
    hosts = admin.get('/os-hosts').json['hosts']
    assert {'host_name': 'h1', 'service': 'compute', 'zone': 'nova'} in hosts
    assert {'host_name': 'controller', 'service': 'scheduler', 'zone': 'internal'} in hosts
    assert [h['host_name'] for h in admin.get('/os-hosts?zone=internal').json['hosts']] == [
        'controller']
    assert admin.get('/os-hosts?zone=nowhere').json['hosts'] == []
    assert admin.get('/os-hosts', version='2.43').status_int == 404

    uuid, _ = _boot(alice, cloud)
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    cloud.nodes()
    rows = {r['resource']['project']: r['resource']
            for r in admin.get('/os-hosts/' + host).json['host']}
    assert rows['(total)']['cpu'] == 16 and rows['(used_max)']['memory_mb'] == 512
    assert rows['proj-a'] == {'host': host, 'project': 'proj-a', 'cpu': 1,
                              'memory_mb': 512, 'disk_gb': 1}
    assert admin.get('/os-hosts/nowhere').status_int == 404

    disabled = admin.put('/os-hosts/h2', {'status': 'disable'})
    assert disabled.json == {'host': 'h2', 'status': 'disabled'}
    assert db.service_get_by_host_and_binary(cloud.admin, 'h2', 'nova-compute').disabled
    both = admin.put('/os-hosts/h2', {'status': 'enable', 'maintenance_mode': 'enable'})
    assert both.json == {'host': 'h2', 'status': 'enabled', 'maintenance_mode': 'on_maintenance'}
    assert fake._host('h2').maintenance
    assert admin.put('/os-hosts/h2', {'status': 'sideways'}).status_int == 400
    assert admin.put('/os-hosts/h2', {}).status_int == 400
    assert admin.put('/os-hosts/nowhere', {'status': 'enable'}).status_int == 404
    assert alice.put('/os-hosts/h2', {'status': 'enable'}).status_int == 403

    assert admin.get('/os-hosts/%s/shutdown' % host).json == {
        'host': host, 'power_action': 'shutdown'}
    assert _guest(cloud, uuid).power_state == fake.SHUTDOWN  # the host went down with it
    assert admin.get('/os-hosts/%s/startup' % host).json['power_action'] == 'startup'
    assert admin.get('/os-hosts/nowhere/reboot').status_int == 404
    assert alice.get('/os-hosts/%s/reboot' % host).status_int == 403


# -------------------------------------------------------- audit and classes

def test_instance_usage_audit_log(alice, admin, cloud):  # noqa: F811
    assert alice.get('/os-instance_usage_audit_log').status_int == 403
    before = admin.get('/os-instance_usage_audit_log').json['instance_usage_audit_logs']
    assert before['num_hosts'] == 3 and before['overall_status'] == '0 of 3 hosts done. 0 errors.'
    assert before['hosts_not_run'] == ['h1', 'h2', 'h3']

    # an instance that lived through last period, then each host's periodic audit
    begin, end = usage_audit.last_completed_period()
    uuid, _ = _boot(alice, cloud)
    db.instance_update(cloud.admin, uuid, {'launched_at': begin})
    ctxt = nova_context.get_admin_context()
    for host in ('h1', 'h2', 'h3'):
        cloud.services[host].manager.instance_usage_audit(ctxt)
        cloud.services[host].manager.instance_usage_audit(ctxt)  # once per period
    log = admin.get('/os-instance_usage_audit_log').json['instance_usage_audit_logs']
    assert log['overall_status'] == 'ALL hosts done. 0 errors.'
    assert log['total_instances'] == 1 and log['num_hosts_done'] == 3
    assert log['period_beginning'] == str(begin) and log['period_ending'] == str(end)
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    assert log['log'][host]['instances'] == 1 and log['log'][host]['state'] == 'DONE'

    later = (end + datetime.timedelta(days=40)).strftime('%Y-%m-%d %H:%M:%S')
    shown = admin.get('/os-instance_usage_audit_log/' + later)  # as the router decodes it
    assert shown.status_int == 200, shown.body
    assert shown.json['instance_usage_audit_log']['period_ending'] > str(end)
    assert shown.json['instance_usage_audit_log']['num_hosts_not_run'] == 3
    bad = admin.get('/os-instance_usage_audit_log/yesterday')
    assert bad.status_int == 400 and 'Invalid timestamp' in _message(bad)


def test_quota_class_default_sets_every_projects_defaults(alice, admin):
    shown = admin.get('/os-quota-class-sets/default').json['quota_class_set']
    assert shown['id'] == 'default' and shown['instances'] == 10
    assert 'server_groups' not in shown and 'floating_ips' in shown  # before 2.50
    assert 'floating_ips' not in admin.get('/os-quota-class-sets/default',
                                           version='2.50').json['quota_class_set']
    updated = admin.put('/os-quota-class-sets/default',
                        {'quota_class_set': {'instances': 25, 'cores': 50}}, version='2.57')
    assert updated.status_int == 200
    assert updated.json['quota_class_set']['instances'] == 25
    assert 'injected_files' not in updated.json['quota_class_set']
    defaults = alice.get('/os-quota-sets/proj-a/defaults').json['quota_set']
    assert defaults['instances'] == 25 and defaults['cores'] == 50
    assert alice.get('/limits').json['limits']['absolute']['maxTotalInstances'] == 25
    assert admin.put('/os-quota-class-sets/default',
                     {'quota_class_set': {'instances': -2}}).status_int == 400
    assert admin.put('/os-quota-class-sets/default',
                     {'quota_class_set': {'gpus': 1}}).status_int == 400
    assert alice.put('/os-quota-class-sets/default',
                     {'quota_class_set': {'instances': 1}}).status_int == 403
    assert alice.get('/os-quota-class-sets/default').status_int == 403


def test_extensions(alice):
    listed = alice.get('/extensions').json['extensions']
    assert 'Hosts' in [e['name'] for e in listed]
    shown = alice.get('/extensions/os-consoles').json['extension']
    assert shown['alias'] == 'os-consoles' and shown['links'] == []
    assert alice.get('/extensions/os-nothing').status_int == 404


# --------------------------------------------------- password and events

def test_server_password_get_and_clear(alice, bob, cloud):  # noqa: F811
    uuid, _ = _boot(alice, cloud)
    assert alice.get('/servers/%s/os-server-password' % uuid).json == {'password': ''}
    instance = db.instance_get_by_uuid(cloud.admin, uuid)
    posted = 'x' * 300  # encrypted passwords are long: kept in four chunks
    cloud.api.set_password(cloud.admin, instance, posted)
    assert alice.get('/servers/%s/os-server-password' % uuid).json == {'password': posted}
    assert bob.get('/servers/%s/os-server-password' % uuid).status_int == 404
    assert alice.delete('/servers/%s/os-server-password' % uuid).status_int == 204
    assert alice.get('/servers/%s/os-server-password' % uuid).json == {'password': ''}


def test_external_events(alice, admin, cloud):  # noqa: F811
    uuid, _ = _boot(alice, cloud)
    host = db.instance_get_by_uuid(cloud.admin, uuid).host
    waiter = cloud.services[host].manager.instance_events.prepare(
        uuid, 'network-vif-plugged', 'port-1')
    event = {'server_uuid': uuid, 'name': 'network-vif-plugged', 'tag': 'port-1'}
    assert alice.post('/os-server-external-events', {'events': [event]}).status_int == 403
    done = admin.post('/os-server-external-events', {'events': [event]})
    assert done.status_int == 200
    assert done.json['events'] == [dict(event, status='completed', code=200)]
    assert waiter.wait() == 'completed'  # the host's waiter woke up

    unknown = {'server_uuid': '00000000-0000-0000-0000-000000000000',
               'name': 'network-changed'}
    partial = admin.post('/os-server-external-events', {'events': [event, unknown]})
    assert partial.status_int == 207
    assert [e['code'] for e in partial.json['events']] == [200, 404]
    none = admin.post('/os-server-external-events', {'events': [unknown]})
    assert none.status_int == 404
    too_new = {'server_uuid': uuid, 'name': 'volume-extended'}
    assert admin.post('/os-server-external-events',
                      {'events': [too_new]}).status_int == 400  # before 2.51
    assert admin.post('/os-server-external-events', {'events': [too_new]},
                      version='2.51').status_int == 200
