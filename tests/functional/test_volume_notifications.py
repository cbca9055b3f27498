"""Volume and snapshot notifications from a nova-volume host in this process (file
volumes exported by a private tgtd), through the log driver: each operation told as
start then end with the state it leaves, under Cinder's event names."""
import json
import logging

from nova.conf import CONF
from tests.functional.test_volume_api import alice, app, cloud, create, wait_status  # noqa: F401


def _told(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records
            if r.name.startswith('nova.notification.')]


def test_volume_and_snapshot_lifecycle_is_told(alice, caplog):  # noqa: F811
    CONF.set_override('notification_driver', 'log')
    caplog.set_level(logging.INFO, logger='nova.notification')
    volume = create(alice)
    wait_status(alice, 'volumes', volume['id'], 'available')
    res = alice.post('/proj-a/snapshots', {'snapshot': {'volume_id': volume['id']}})
    snapshot = res.json['snapshot']
    wait_status(alice, 'snapshots', snapshot['id'], 'available')
    alice.post('/proj-a/volumes/%s/action' % volume['id'], {'os-extend': {'new_size': 2}})
    wait_status(alice, 'volumes', volume['id'], 'available')
    alice.delete('/proj-a/volumes/%s?cascade=true' % volume['id'])
    wait_status(alice, 'volumes', volume['id'], None)
    told = _told(caplog)
    assert [m['event_type'] for m in told] == [
        'volume.create.start', 'volume.create.end',
        'snapshot.create.start', 'snapshot.create.end',
        'volume.resize.start', 'volume.resize.end',
        'volume.delete.start', 'snapshot.delete.start', 'snapshot.delete.end',
        'volume.delete.end']
    assert {m['publisher_id'] for m in told} == {'volume.vhost'}
    data = {m['event_type']: m['payload']['nova_object.data'] for m in told}
    assert told[1]['payload']['nova_object.name'] == 'VolumePayload'
    assert (data['volume.create.end']['volume_id'], data['volume.create.end']['status'],
            data['volume.create.end']['tenant_id']) == (volume['id'], 'available', 'proj-a')
    assert data['volume.create.end']['launched_at'].endswith('Z')
    assert (data['volume.resize.start']['size'], data['volume.resize.end']['size']) == (1, 2)
    assert data['snapshot.create.end']['snapshot_id'] == snapshot['id']
    assert data['volume.delete.end']['status'] == 'deleted'
