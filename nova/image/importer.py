"""Interoperable image import and Glance's tasks, as clients call them.

``import_image`` serves POST /v2/images/{id}/import: 'glance-direct' makes
the staged data the image's at once; 'web-download' checks the URI while the
client waits (nova.image.web), moves the image queued -> importing and fills
it from the URL in the background, checked as an upload is; a failure leaves
it queued with os_glance_failed_import naming the store. Each import is a
task (type 'api_image_import') listed by GET /v2/images/{id}/tasks, with the
request id of the call that started it.

``create_task`` serves POST /v2/tasks of type 'import': a new image made from
``image_properties`` and filled from ``import_from``; the task's result names
it, and a failed task leaves no image behind. Tasks are the admin's (Glance's
tasks_api_access), and are listed for --image_task_time_to_live hours after
they end. A task whose process died is failed by the next process that looks
(the same heartbeat as uploads: see ImageService.kill_abandoned_uploads).

This cloud has one store: 'stores' may name it, and 'all_stores' means it;
'copy-image' would copy data to where it already is, so it is not offered.
"""
import datetime
import logging
import time

import eventlet

from nova import context as nova_context
from nova import exception
from nova import policy
from nova import utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _, _LE, _LW
from nova.image import service as image_service
from nova.image import stores
from nova.image import web

LOG = logging.getLogger(__name__)

TASK_TYPES = ('import',)
IMAGE_IMPORT_TASK = 'api_image_import'
IMPORT_TASK_INPUTS = ('import_from', 'import_from_format', 'image_properties')


def store_id():
    """The id of this cloud's one store, as /v2/info/stores and image 'stores' say."""
    return stores.get_store().name


def methods():
    return tuple(CONF.image_import_methods)


def task_to_dict(task):
    return {'id': task.id, 'type': task.type, 'status': task.status, 'owner': task.owner,
            'input': task.input, 'result': task.result, 'message': task.message or '',
            'image_id': task.image_id, 'request_id': task.request_id,
            'user_id': task.user_id, 'expires_at': task.expires_at,
            'created_at': task.created_at, 'updated_at': task.updated_at}


def _check_stores(requested, all_stores):
    if all_stores and requested:
        raise exception.InvalidInput(reason=_("all_stores can't be used with stores"))
    if requested is None:
        return
    if not isinstance(requested, list) or not all(isinstance(s, str) for s in requested):
        raise exception.InvalidInput(reason=_('stores must be a list of store ids'))
    for name in requested:
        if name != store_id():
            raise exception.InvalidInput(reason=_('Unknown store %s: this cloud has one '
                                                'store, %s') % (name, store_id()))


class Importer:
    """Import methods and tasks over the image service's rules."""

    def __init__(self, images=None, spawn=None):
        self.images = images or image_service.get_default_image_service()
        self.spawn = spawn or eventlet.spawn_n
        self._swept_at = None  # time.monotonic() of this process's last task sweep

    def _sweep_now_and_then(self):
        now = time.monotonic()
        if self._swept_at is not None and now - self._swept_at < image_service.SWEEP_INTERVAL:
            return
        self._swept_at = now
        try:
            self.fail_abandoned_tasks()
        except Exception:  # noqa: BLE001 -- a failed sweep must not fail this request
            LOG.exception(_LE('Could not look for abandoned image tasks'))

    # ---------------------------------------------------------------- tasks

    def _new_task(self, context, task_type, task_input, image_id=None, status='pending'):
        self._sweep_now_and_then()
        return db.image_task_create(context, {
            'type': task_type, 'status': status, 'owner': context.project_id,
            'image_id': image_id, 'user_id': context.user_id,
            'request_id': context.request_id, 'input': task_input, 'message': ''})

    def _finish(self, context, task_id, status, message='', result=None):
        expires = utils.utcnow() + datetime.timedelta(hours=CONF.image_task_time_to_live)
        try:
            db.image_task_update(nova_context.get_admin_context(), task_id, {
                'status': status, 'message': message[:4096], 'result': result,
                'expires_at': expires})
        except exception.NovaException:
            LOG.exception(_LE('Could not record the end of task %s'), task_id)

    def list_tasks(self, context, filters=None, marker=None, limit=None,
                   sort_key='created_at', sort_dir='desc'):
        policy.authorize(context, 'get_tasks', {'project_id': context.project_id})
        return [task_to_dict(task) for task in db.image_task_get_all(
            context, filters, marker=marker, limit=limit, sort_key=sort_key,
            sort_dir=sort_dir)]

    def show_task(self, context, task_id):
        policy.authorize(context, 'get_task', {'project_id': context.project_id})
        return task_to_dict(db.image_task_get(context, task_id))

    def image_tasks(self, context, image_id):
        """The tasks of an image context may see (Glance 2.12), oldest first."""
        self.images.show(context, image_id)
        admin = nova_context.get_admin_context()
        return [task_to_dict(task) for task in db.image_task_get_all(
            admin, {'image_id': image_id}, sort_key='created_at', sort_dir='asc')]

    def create_task(self, context, task_type, task_input):
        """POST /v2/tasks: an 'import' of a new image from a URL, run in the background."""
        policy.authorize(context, 'add_task', {'project_id': context.project_id})
        if task_type not in TASK_TYPES:
            raise exception.InvalidInput(reason=_('Invalid type value: %s') % (task_type,))
        if not isinstance(task_input, dict):
            raise exception.InvalidInput(reason=_('Task input must be an object'))
        for name in IMPORT_TASK_INPUTS:
            if name not in task_input:
                raise exception.InvalidInput(reason=_("Input does not contain '%s' field")
                                             % name)
        properties = task_input['image_properties']
        if not isinstance(properties, dict):
            raise exception.InvalidInput(reason=_('image_properties must be an object'))
        target = web.check(task_input['import_from'])
        task = self._new_task(context, task_type, task_input)
        self.spawn(self._run_import_task, context, task.id, properties, target)
        return task_to_dict(task)

    def _run_import_task(self, context, task_id, properties, target):
        image_id = None
        try:
            db.image_task_update(context, task_id, {'status': 'processing'})
            image = self.images.create(context, properties)
            image_id = image['id']
            db.image_task_update(context, task_id, {'image_id': image_id})
            self._web_download(context, image_id, target)
        except Exception as e:  # noqa: BLE001 -- every failure ends the task
            LOG.warning(_LW('Import task %s failed: %s'), task_id, e)
            if image_id is not None:
                self._delete_quietly(context, image_id)
            self._finish(context, task_id, 'failure', _message(e))
            return
        self._finish(context, task_id, 'success', result={'image_id': image_id})

    def _delete_quietly(self, context, image_id):
        try:
            self.images.delete(context, image_id)
        except exception.NovaException as e:
            LOG.warning(_LW('Could not delete image %s of a failed task: %s'), image_id, e)

    # --------------------------------------------------------------- import

    def import_image(self, context, image_id, method, uri=None, requested_stores=None,
                     all_stores=False, request=None):
        """Start an import of image_id by method; the task it runs as.

        request: the import request body, kept as the task's input.
        """
        _check_stores(requested_stores, all_stores)
        if method not in methods():
            if method == 'copy-image':
                raise exception.InvalidInput(reason=_('Import method copy-image is not '
                                                    'available: this cloud has one store, '
                                                    'and the data is already in it'))
            raise exception.InvalidInput(reason=_('Import method %s is not available; this '
                                                'cloud offers %s') % (
                                                    method, ', '.join(methods())))
        task_input = {'image_id': image_id, 'import_req': request or {
            'method': {'name': method}}, 'backend': [store_id()]}
        if method == 'glance-direct':
            return self._glance_direct(context, image_id, task_input)
        target = web.check(uri)
        self.images.begin_web_import(context, image_id, store_id())
        task = self._new_task(context, IMAGE_IMPORT_TASK, task_input, image_id,
                              status='processing')
        self.spawn(self._run_web_import, context, task.id, image_id, target)
        return task_to_dict(task)

    def _glance_direct(self, context, image_id, task_input):
        self.images.import_staged(context, image_id)  # checks first: no task for a refusal
        task = self._new_task(context, IMAGE_IMPORT_TASK, task_input, image_id,
                              status='processing')
        self._finish(context, task.id, 'success')
        return task_to_dict(db.image_task_get(nova_context.get_admin_context(), task.id))

    def _run_web_import(self, context, task_id, image_id, target):
        try:
            self._web_download(context, image_id, target)
        except Exception as e:  # noqa: BLE001 -- every failure ends the task
            LOG.warning(_LW('web-download of image %s from %s failed: %s'), image_id,
                        target.url, e)
            self._end_quietly(context, image_id, failed_store=store_id())
            self._finish(context, task_id, 'failure', _message(e))
            return
        self._end_quietly(context, image_id)
        self._finish(context, task_id, 'success')

    def _web_download(self, context, image_id, target):
        if self.images.show(context, image_id)['status'] == 'queued':
            self.images.begin_web_import(context, image_id, store_id())
        try:
            chunks, size = web.open_data(target)
        except BaseException:
            self.images.abort_web_import(context, image_id)
            raise
        self.images.import_data(context, image_id, chunks, size)

    def _end_quietly(self, context, image_id, failed_store=None):
        try:
            self.images.end_web_import(context, image_id, failed_store)
        except exception.NovaException as e:  # deleted meanwhile
            LOG.info('Image %s: import bookkeeping not recorded: %s', image_id, e)

    def fail_abandoned_tasks(self):
        """Tasks whose process died (untouched past the upload staleness limit) fail."""
        admin = nova_context.get_admin_context()
        cutoff = utils.utcnow() - datetime.timedelta(seconds=image_service.stale_after())
        failed = []
        for task in db.image_task_get_stale(admin, cutoff):
            try:
                db.image_task_update(admin, task.id, {
                    'status': 'failure', 'message': 'The process running the task stopped',
                    'expires_at': utils.utcnow() + datetime.timedelta(
                        hours=CONF.image_task_time_to_live)},
                    from_status=('pending', 'processing'))
            except exception.NovaException:
                continue
            failed.append(task.id)
        return failed


def _message(error):
    if isinstance(error, exception.NovaException):
        return error.format_message()
    return '%s: %s' % (type(error).__name__, error)


_default = []


def get_importer():
    if not _default:
        _default.append(Importer())
    return _default[0]
