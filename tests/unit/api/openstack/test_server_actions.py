"""POST /servers/{id}/action: each action reaches the compute API with its status code."""
import pytest

from nova.compute import api as compute_api
from nova.compute import vm_states
from nova.conf import CONF


def _needs(method):
    return pytest.mark.skipif(not hasattr(compute_api.API, method),
                              reason='compute API has no %s yet' % method)


def test_stop_start_and_wrong_state(alice, boot, cloud):
    [uuid] = boot()
    assert alice.action(uuid, 'os-stop').status_int == 202
    cloud.wait([uuid], vm_states.STOPPED)
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'SHUTOFF'
    response = alice.action(uuid, 'os-stop')
    assert response.status_int == 409
    assert response.json['conflictingRequest']['message'] == (
        "Cannot 'stop' instance %s while it is in vm_state stopped" % uuid)
    assert alice.action(uuid, 'os-start').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


@pytest.mark.parametrize('first, second, state', [
    ('pause', 'unpause', vm_states.PAUSED), ('suspend', 'resume', vm_states.SUSPENDED)])
def test_pause_and_suspend(alice, boot, cloud, first, second, state):
    [uuid] = boot()
    assert alice.action(uuid, first).status_int == 202
    cloud.wait([uuid], state)
    assert alice.action(uuid, second).status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


def test_reboot_type_is_validated(alice, boot, cloud):
    [uuid] = boot()
    bad = alice.action(uuid, 'reboot', {'type': 'gentle'})
    assert bad.status_int == 400 and 'type' in bad.json['badRequest']['message']
    assert alice.action(uuid, 'reboot', {'type': 'hard'}).status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


def test_rescue_returns_password(alice, boot, cloud):
    [uuid] = boot()
    response = alice.action(uuid, 'rescue', {'adminPass': 's3cret'})
    assert response.status_int == 200 and response.json == {'adminPass': 's3cret'}
    cloud.wait([uuid], vm_states.RESCUED)
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'RESCUE'
    assert alice.action(uuid, 'unrescue').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


def test_lock_with_reason_blocks_owner(alice, admin, boot):
    [uuid] = boot()
    assert alice.action(uuid, 'lock', {'locked_reason': 'maintenance'},
                        version='2.73').status_int == 202
    server = alice.get('/servers/' + uuid, version='2.73').json['server']
    assert server['locked'] is True and server['locked_reason'] == 'maintenance'
    assert alice.action(uuid, 'os-stop').status_int == 409
    assert alice.delete('/servers/' + uuid).status_int == 409
    assert alice.action(uuid, 'unlock').status_int == 202
    assert alice.get('/servers?locked=false', version='2.73').json['servers'] != []


def test_console_output(alice, boot):
    [uuid] = boot()
    response = alice.action(uuid, 'os-getConsoleOutput', {'length': 5})
    assert response.status_int == 200 and isinstance(response.json['output'], str)
    assert alice.action(uuid, 'os-getConsoleOutput', {'length': 'x'}).status_int == 400


def test_soft_delete_restore_and_force_delete(alice, boot, cloud):
    CONF.set_override('reclaim_instance_interval', 3600)
    [uuid] = boot()
    assert alice.delete('/servers/' + uuid).status_int == 204
    cloud.wait([uuid], vm_states.SOFT_DELETED)
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'SOFT_DELETED'
    assert alice.action(uuid, 'restore').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)
    alice.delete('/servers/' + uuid)
    cloud.wait([uuid], vm_states.SOFT_DELETED)
    assert alice.action(uuid, 'forceDelete').status_int == 202
    cloud.wait_gone([uuid])


def test_admin_only_actions_are_403_for_members(alice, boot):
    [uuid] = boot()
    response = alice.action(uuid, 'os-migrateLive', {'host': None, 'block_migration': 'auto'},
                            version='2.25')
    assert response.status_int == 403
    assert alice.action(uuid, 'migrate').status_int == 403


def test_unknown_and_malformed_actions(alice, boot):
    [uuid] = boot()
    assert alice.action(uuid, 'explode').status_int == 400
    assert alice.post('/servers/%s/action' % uuid, {'pause': None, 'os-stop': None}
                      ).status_int == 400
    assert alice.action(uuid, 'os-migrateLive', {'host': None, 'block_migration': 'auto'}
                        ).status_int == 400  # 'auto' only from 2.25


@_needs('resize')
def test_resize_and_confirm(alice, boot, cloud):
    [uuid] = boot()
    assert alice.action(uuid, 'resize', {'flavorRef': '999'}).status_int == 400
    assert alice.action(uuid, 'resize', {'flavorRef': '2'}).status_int == 202
    cloud.wait([uuid], vm_states.RESIZED)
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'VERIFY_RESIZE'
    assert alice.action(uuid, 'confirmResize').status_int == 204
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('revert_resize')
def test_resize_and_revert(alice, boot, cloud):
    [uuid] = boot()
    assert alice.action(uuid, 'resize', {'flavorRef': '2'}).status_int == 202
    cloud.wait([uuid], vm_states.RESIZED)
    assert alice.action(uuid, 'revertResize').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('rebuild')
def test_rebuild_answers_the_server(alice, boot, cloud):
    [uuid] = boot()
    response = alice.action(uuid, 'rebuild', {'imageRef': cloud.image['id'], 'name': 'again'},
                            version='2.75')
    assert response.status_int == 202
    server = response.json['server']
    assert server['name'] == 'again' and server['adminPass']
    assert 'OS-EXT-STS:vm_state' in server
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('rebuild')
def test_admin_rebuild_at_2_75_answers_user_data_not_the_extended_attribute(admin, boot,
                                                                             cloud):
    [uuid] = boot(user_data='aGk=')
    server = admin.action(uuid, 'rebuild', {'imageRef': cloud.image['id']},
                          version='2.75').json['server']
    assert server['user_data'] == 'aGk=' and 'OS-EXT-SRV-ATTR:host' in server
    assert 'OS-EXT-SRV-ATTR:user_data' not in server  # the reference leaves it out
    assert 'OS-EXT-SRV-ATTR:user_data' in admin.get('/servers/' + uuid,
                                                    version='2.75').json['server']
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('snapshot')
def test_create_image_location_then_image_id(alice, boot, cloud):
    [uuid] = boot()
    old = alice.action(uuid, 'createImage', {'name': 'snap'})
    assert old.status_int == 202 and '/images/' in old.headers['Location']
    cloud.wait([uuid], vm_states.ACTIVE)
    new = alice.action(uuid, 'createImage', {'name': 'snap2'}, version='2.45')
    assert new.status_int == 202 and new.json['image_id']


@_needs('backup')
def test_create_backup(alice, boot):
    [uuid] = boot()
    response = alice.action(uuid, 'createBackup', {'name': 'b', 'backup_type': 'daily',
                                                   'rotation': 1}, version='2.45')
    assert response.status_int == 202 and response.json['image_id']


@_needs('shelve')
def test_shelve_offload_unshelve(alice, admin, boot, cloud):
    [uuid] = boot()
    assert alice.action(uuid, 'shelve').status_int == 202
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    assert alice.get('/servers/' + uuid).json['server']['status'] == 'SHELVED_OFFLOADED'
    assert alice.action(uuid, 'unshelve').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('live_migrate')
def test_admin_live_migrates(admin, boot, cloud):
    [uuid] = boot()
    response = admin.action(uuid, 'os-migrateLive', {'host': None, 'block_migration': 'auto'},
                            version='2.25')
    assert response.status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


@_needs('migrate')
def test_admin_cold_migrates(admin, boot, cloud):
    [uuid] = boot()
    assert admin.action(uuid, 'migrate').status_int == 202
    cloud.wait([uuid], vm_states.RESIZED)


def _disk_config(client, uuid):
    return client.get('/servers/' + uuid).json['server']['OS-DCF:diskConfig']


def test_disk_config_is_honoured_on_create_update_rebuild_and_resize(alice, boot, cloud):
    [uuid] = boot(**{'OS-DCF:diskConfig': 'AUTO'})
    assert _disk_config(alice, uuid) == 'AUTO'
    console = alice.action(uuid, 'os-getConsoleOutput', {}).json['output']
    assert 'resized filesystem to 1 GB (diskConfig AUTO)' in console  # the host grew vda1

    updated = alice.put('/servers/' + uuid, {'server': {'OS-DCF:diskConfig': 'MANUAL'}})
    assert updated.status_int == 200 and updated.json['server']['OS-DCF:diskConfig'] == 'MANUAL'
    rebuilt = alice.action(uuid, 'rebuild', {'imageRef': cloud.image['id'],
                                             'OS-DCF:diskConfig': 'AUTO'})
    assert rebuilt.status_int == 202 and rebuilt.json['server']['OS-DCF:diskConfig'] == 'AUTO'
    cloud.wait([uuid], vm_states.ACTIVE)
    assert alice.action(uuid, 'resize', {'flavorRef': '2',
                                         'OS-DCF:diskConfig': 'MANUAL'}).status_int == 202
    cloud.wait([uuid], vm_states.RESIZED)
    assert _disk_config(alice, uuid) == 'MANUAL'
    bad = alice.put('/servers/' + uuid, {'server': {'OS-DCF:diskConfig': 'SOMETIMES'}})
    assert bad.status_int == 400 and 'OS-DCF:diskConfig' in bad.json['badRequest']['message']


def test_disk_config_default_comes_from_the_image_which_may_refuse_auto(alice, boot, cloud):
    images = cloud.api.image_api
    for value in ('True', 'disabled'):
        images.update(cloud.admin, cloud.image['id'],
                      {'properties': {'auto_disk_config': value}})
        if value == 'True':
            [uuid] = boot()
            assert _disk_config(alice, uuid) == 'AUTO'
    refused = alice.post('/servers', {'server': {'name': 'vm', 'imageRef': cloud.image['id'],
                                                 'flavorRef': '1',
                                                 'OS-DCF:diskConfig': 'AUTO'}})
    assert refused.status_int == 400
    assert 'has automatic disk resize disabled' in refused.json['badRequest']['message']
    [manual] = boot(**{'OS-DCF:diskConfig': 'MANUAL'})
    assert _disk_config(alice, manual) == 'MANUAL'
    assert alice.put('/servers/' + uuid, {'server': {
        'OS-DCF:diskConfig': 'AUTO'}}).status_int == 200  # booted from the image before


def test_unshelve_to_a_host_or_zone_moves_only_offloaded_instances(alice, admin, boot, cloud):
    """2.91: admins name the host (an unknown one is a 400, members 403); 2.77: a zone.
    A shelved instance still holds its host: 409 (as Nova)."""
    hosts = sorted(s['host'] for s in admin.get('/os-services?binary=nova-compute').json[
        'services'])
    [uuid] = boot()
    assert alice.action(uuid, 'shelve').status_int == 202
    cloud.wait([uuid], vm_states.SHELVED_OFFLOADED)
    assert alice.action(uuid, 'unshelve', {'host': hosts[-1]}, version='2.91').status_int == 403
    response = admin.action(uuid, 'unshelve', {'host': 'no-such-host'}, version='2.91')
    assert response.status_int == 400 and 'no-such-host' in response.json['badRequest'][
        'message']
    assert admin.action(uuid, 'unshelve', {'host': hosts[-1]}, version='2.91').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)
    server = admin.get('/servers/' + uuid, version='2.91').json['server']
    assert server['OS-EXT-SRV-ATTR:host'] == hosts[-1]
    CONF.set_override('shelved_offload_time', -1)
    assert alice.action(uuid, 'shelve').status_int == 202
    cloud.wait([uuid], vm_states.SHELVED)
    response = alice.action(uuid, 'unshelve', {'availability_zone': 'nova'}, version='2.77')
    assert response.status_int == 409
    assert alice.action(uuid, 'unshelve', None, version='2.77').status_int == 202
    cloud.wait([uuid], vm_states.ACTIVE)


def test_live_migration_to_an_unknown_host_is_a_bad_request(admin, boot, cloud):
    [uuid] = boot()
    response = admin.action(uuid, 'os-migrateLive', {'host': 'no-such-host',
                                                     'block_migration': 'auto'}, version='2.30')
    assert response.status_int == 400
    assert 'no-such-host' in response.json['badRequest']['message']
