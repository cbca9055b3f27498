"""Bookkeeping shared by the compute API and hosts: faults, action events, images they made."""
import logging
import traceback

from nova import exception
from nova import utils
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)


def fault_values(instance_uuid, error, host=None, with_traceback=False):
    """A row for instance_faults; user-safe message for NovaException."""
    if isinstance(error, exception.NovaException):
        code, message = error.code, error.format_message()
    else:
        code, message = 500, '%s: %s' % (type(error).__name__, error)
    details = ''.join(traceback.format_exception(error)) if with_traceback else ''
    return {'instance_uuid': instance_uuid, 'code': code, 'message': message[:255],
            'details': details, 'host': host}


def add_instance_fault(context, instance_uuid, error, host=None):
    try:
        db.instance_fault_create(context, fault_values(
            instance_uuid, error, host, with_traceback=not isinstance(
                error, exception.NovaException)))
    except Exception:
        LOG.exception(_LE('Could not record fault for instance %s'), instance_uuid)


def start_action(context, instance_uuid, action):
    """Record that a user asked for an action (who, what, when)."""
    return db.action_start(context, action_values(context, instance_uuid, action))


def action_values(context, instance_uuid, action):
    return {'action': action, 'instance_uuid': instance_uuid,
            'request_id': context.request_id, 'user_id': context.user_id,
            'project_id': context.project_id, 'start_time': utils.utcnow()}


def event_values(context, instance_uuid, event, host, result=None, error=None):
    values = {'instance_uuid': instance_uuid, 'request_id': context.request_id,
              'event': event, 'host': host}
    if result is None:
        values['start_time'] = utils.utcnow()
    else:
        values['finish_time'] = utils.utcnow()
        values['result'] = result
        if error is not None:
            values['traceback'] = ''.join(traceback.format_exception(error))[-4000:]
    return values


def require_mover(context, host=None):
    """Moving a server is for administrators and its project's managers; naming the
    host it goes to is for administrators (as Nova's policy defaults since 2025.2;
    the API's policy rules say who is which)."""
    if context.is_admin:
        return
    if host is not None or 'manager' not in context.roles:
        raise exception.AdminRequired()


def quota_release(instance):
    """The quota usage an instance gives back when it is deleted."""
    return {'project_id': instance.project_id, 'user_id': instance.user_id,
            'deltas': {'instances': -1, 'cores': -int(instance.vcpus or 0),
                       'ram': -int(instance.memory_mb or 0)}}


def delete_image(image_api, context, image_id):
    """Best effort: an image the compute service made and no longer wants."""
    try:
        image_api.delete(context, image_id)
    except exception.ImageNotFound:
        pass
    except Exception:
        LOG.exception(_LE('Could not delete image %s'), image_id)


def shelved_image_id(instance):
    """The image a shelved instance was saved to (system_metadata), or None."""
    return (instance.system_metadata or {}).get('shelved_image_id')
