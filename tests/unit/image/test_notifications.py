"""Image notifications (image.create, image.upload, image.update, image.delete, as
Glance names them) from the image service, through the log driver."""
import json
import logging

import pytest

from nova import exception
from nova.conf import CONF
from tests.unit.image.conftest import project


def _told(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records
            if r.name.startswith('nova.notification.')]


def test_image_lifecycle_is_told(svc, caplog):
    CONF.set_override('notification_driver', 'log')
    caplog.set_level(logging.INFO, logger='nova.notification')
    ctx = project('p1')
    image = svc.create(ctx, {'name': 'img', 'disk_format': 'raw', 'container_format': 'bare'})
    svc.upload(ctx, image['id'], [b'x' * 1000])
    svc.update(ctx, image['id'], {'name': 'renamed'})
    with pytest.raises(exception.NovaException):
        svc.upload(ctx, image['id'], [b'again'])  # an active image takes no more data
    svc.delete(ctx, image['id'])
    told = _told(caplog)
    assert [(m['event_type'], m['priority']) for m in told] == [
        ('image.create', 'INFO'), ('image.upload', 'INFO'), ('image.update', 'INFO'),
        ('image.upload', 'ERROR'), ('image.delete', 'INFO')]
    data = [m['payload']['nova_object.data'] for m in told]
    assert told[0]['payload']['nova_object.name'] == 'ImagePayload'
    assert (data[0]['status'], data[1]['status'], data[1]['size']) == ('queued', 'active', 1000)
    assert data[2]['name'] == 'renamed' and data[4]['status'] == 'deleted'
    assert data[3]['fault']['nova_object.data']['exception'] == 'ImageStatusConflict'
    assert data[0]['owner'] == 'p1'
