"""Uploads whose process died end 'killed', and their partial data goes.

A nova-image killed mid-upload (or its host lost) leaves the image 'saving'
(a staging 'uploading', a web import 'importing', a task 'processing') and the
filesystem store a hidden temporary file (the S3 store an unfinished multipart
upload). Every process serving the image API runs this sweep every
--image_upload_sweep_interval seconds: images and tasks that stopped beating
for nova.image.service.stale_after() seconds are failed
(ImageService.kill_abandoned_uploads, Importer.fail_abandoned_tasks), the
filesystem store's temporary files untouched as long are removed, and the S3
store's multipart uploads whose image is no longer uploading are aborted
(ImageService.live_upload_keys). Uploads run on any host, so heartbeats, not
process ids, tell the dead from the living; a killed image never serves data
(it has none) and can be deleted as any other.
"""
import logging

import eventlet

from nova import utils
from nova.conf import CONF
from nova.i18n import _LE
from nova.image import importer
from nova.image import service as image_service
from nova.image import stores

LOG = logging.getLogger(__name__)


def sweep():
    """One pass; {'images': ids failed, 'tasks': ids failed, 'parts': files removed}."""
    done = {'images': [], 'tasks': [], 'parts': []}
    service = image_service.get_default_image_service()
    # images first: an upload found dead now has its store parts removed in this pass
    for key, step in (
            ('images', service.kill_abandoned_uploads),
            ('tasks', importer.get_importer().fail_abandoned_tasks),
            ('parts', lambda: stores.get_store().remove_abandoned_parts(
                image_service.stale_after(), service.live_upload_keys))):
        try:
            done[key] = step()
        except Exception:  # noqa: BLE001 -- one failed step must not stop the others
            LOG.exception(_LE('Image janitor: could not sweep abandoned %s'), key)
    return done


class UploadJanitor:
    """The sweep as a green thread beside the image API (nova-image, nova-all)."""

    binary = 'nova-image-janitor'

    def __init__(self):
        self._thread = None
        self._last = None  # (when, what) of the last pass, for describe()

    def _loop(self):
        while True:
            done = sweep()
            self._last = (utils.utcnow(), done)
            eventlet.sleep(CONF.image_upload_sweep_interval)

    def describe(self):
        """What the guru report says of it: a sweeper is no RPC consumer nor listener,
        and an operator asks whether it runs, how often, and what it last did."""
        state = 'running' if self._thread is not None and not self._thread.dead else 'stopped'
        line = ('periodic sweeper of abandoned uploads, tasks and store parts every %d s, %s'
                % (CONF.image_upload_sweep_interval, state))
        if self._last is None:
            return line + ', no pass yet'
        when, done = self._last
        return line + ', last pass %s UTC: %s' % (
            when.strftime('%Y-%m-%d %H:%M:%S'),
            ', '.join('%d %s' % (len(done[key]), key) for key in ('images', 'tasks', 'parts')))

    def start(self):
        self._thread = eventlet.spawn(self._loop)

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
