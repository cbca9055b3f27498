"""os-volume_attachments refusals through the compute API app: each one Nova's status
code with a message, the volume left as it was, no mapping written."""
from nova import context as nova_context
from nova.db import api as db
from nova.volume import api as volume_api


def _volume(project, user):
    """A volume row of the project (no nova-volume runs here: it stays unplaced)."""
    ctx = nova_context.RequestContext(user_id=user, project_id=project, roles=['member'],
                                      overwrite=False)
    return volume_api.API().create(ctx, size=1)


def _attach(client, server, volume_id, **extra):
    return client.post('/servers/%s/os-volume_attachments' % server, {
        'volumeAttachment': dict({'volumeId': volume_id}, **extra)}, version='2.79')


def test_attach_refusals(cloud, alice, bob, boot):
    [server] = boot()
    bobs = _volume('proj-b', 'bob')
    hidden = _attach(alice, server, bobs.uuid)
    assert hidden.status_int == 404 and bobs.uuid in hidden.json['itemNotFound']['message']
    mine = _volume('proj-a', 'alice')  # creating (then error): not available
    busy = _attach(alice, server, mine.uuid)
    assert busy.status_int == 400, busy.body
    assert 'available' in busy.json['badRequest']['message']
    bad = _attach(alice, server, mine.uuid, device='/dev/../etc')
    assert bad.status_int == 400, bad.body
    typo = _attach(alice, server, 'not-a-uuid')
    assert typo.status_int == 400, typo.body
    other = _attach(bob, server, bobs.uuid)
    assert other.status_int == 404, other.body
    detach = alice.delete('/servers/%s/os-volume_attachments/%s' % (server, mine.uuid))
    assert detach.status_int == 404, detach.body
    listed = alice.get('/servers/%s/os-volume_attachments' % server)
    assert listed.status_int == 200 and listed.json == {'volumeAttachments': []}
    assert db.block_device_mapping_get_all_by_instance(cloud.admin, server) == []
    for volume in (mine, bobs):
        assert db.volume_get(cloud.admin, volume.uuid).attachments == []


def test_attach_to_a_shelved_offloaded_server_is_connected_at_unshelve(cloud, alice, boot):
    """From 2.20, as Nova: the volume is attached (in-use) with no host and no
    connection; the host that unshelves the server connects it. Before 2.20: 409."""
    [server] = boot()
    db.instance_update(cloud.admin, server, {'vm_state': 'shelved_offloaded', 'host': None,
                                             'node': None})
    volume = _volume('proj-a', 'alice')
    db.volume_update(cloud.admin, volume.uuid, {'status': 'available', 'host': 'vhost'})
    old = alice.post('/servers/%s/os-volume_attachments' % server, {
        'volumeAttachment': {'volumeId': volume.uuid}}, version='2.19')
    assert old.status_int == 409 and 'shelved_offloaded' in old.body.decode()
    done = _attach(alice, server, volume.uuid)
    assert done.status_int == 200, done.body
    assert done.json['volumeAttachment']['device'] == '/dev/vdb'
    attached = db.volume_get(cloud.admin, volume.uuid)
    [attachment] = attached.attachments
    assert attached.status == 'in-use' and attachment.attached_host is None
    [bdm] = [b for b in db.block_device_mapping_get_all_by_instance(cloud.admin, server)
             if b.volume_id == volume.uuid]
    assert bdm.volume_id == volume.uuid and bdm.connection_info is None
    gone = alice.delete('/servers/%s/os-volume_attachments/%s' % (server, volume.uuid))
    assert gone.status_int == 202, gone.body
    assert db.volume_get(cloud.admin, volume.uuid).status == 'available'
    assert [b for b in db.block_device_mapping_get_all_by_instance(cloud.admin, server)
            if b.volume_id] == []


def test_swap_is_for_admins_and_a_multiattach_volume_needs_2_60(cloud, alice, admin, boot):
    [server] = boot()
    shared, other = _volume('proj-a', 'alice'), _volume('proj-a', 'alice')
    for volume in (shared, other):
        db.volume_update(cloud.admin, volume.uuid, {'status': 'available', 'host': 'vhost',
                                                    'multiattach': volume is shared})
    old = alice.post('/servers/%s/os-volume_attachments' % server, {
        'volumeAttachment': {'volumeId': shared.uuid}}, version='2.59')
    assert old.status_int == 400 and '2.60' in old.json['badRequest']['message']
    path = '/servers/%s/os-volume_attachments/%s' % (server, shared.uuid)
    swap = {'volumeAttachment': {'volumeId': other.uuid}}
    refused = alice.put(path, swap, version='2.85')
    assert refused.status_int == 403, refused.body
    not_attached = admin.put(path, swap, version='2.85')
    assert not_attached.status_int == 404, not_attached.body
    # from 2.85 the same volume is an update of delete_on_termination, not a swap
    mixed = admin.put(path, {'volumeAttachment': {'volumeId': other.uuid,
                                                  'delete_on_termination': True}},
                      version='2.85')
    assert mixed.status_int == 400, mixed.body
    assert db.block_device_mapping_get_all_by_instance(cloud.admin, server) == []
    for volume in (shared, other):
        found = db.volume_get(cloud.admin, volume.uuid)
        assert (found.status, found.attachments) == ('available', [])
