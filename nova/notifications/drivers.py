"""Notification drivers, chosen by --notification_driver: messaging, log, noop.

The messaging driver speaks what oslo.messaging's notifier puts on the wire,
so that existing consumers read Nova's notifications unchanged: one cast per
topic to the queue ``<topic>.<priority>`` on the control exchange, the body
``{"oslo.version": "2.0", "oslo.message": "<JSON text>"}`` whose inner
message carries message_id, publisher_id, event_type, priority, payload,
timestamp, a _unique_id and the request context as ``_context_<field>``.
"""
import abc
import json
import logging
import uuid

from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.i18n import _LW
from nova.rpc import common

LOG = logging.getLogger(__name__)

OSLO_VERSION = '2.0'
# context fields a consumer needs to attribute an event; the token stays private
_CONTEXT_FIELDS = ('user_id', 'project_id', 'user_name', 'project_name', 'roles', 'is_admin',
                   'request_id', 'global_request_id', 'remote_address', 'read_deleted')


class Driver(abc.ABC):
    @abc.abstractmethod
    def notify(self, context, message):
        """Deliver one message (a dict with event_type, priority, payload, ...)."""


class NoopDriver(Driver):
    """Sends nothing: the Notifier does not even build messages while this is chosen."""

    def notify(self, context, message):
        pass


class LogDriver(Driver):
    """Writes each notification as JSON to the logger nova.notification.<event_type>,
    at INFO or ERROR, so that an operator can filter them by event type."""

    def notify(self, context, message):
        level = logging.ERROR if message['priority'] == 'ERROR' else logging.INFO
        logging.getLogger('nova.notification.%s' % message['event_type']).log(
            level, json.dumps(message, default=str, sort_keys=True))


def envelope(context, message):
    """The oslo.messaging 2.0 envelope of one message, with the context packed in."""
    body = dict(message, _unique_id=uuid.uuid4().hex)
    if context is not None:
        for field in _CONTEXT_FIELDS:
            body['_context_%s' % field] = getattr(context, field, None)
    return {'oslo.version': OSLO_VERSION, 'oslo.message': common.encode(body)}


class MessagingDriver(Driver):
    """One cast per notification topic, through this process's RPC transport."""

    def __init__(self):
        if rpc.transport_url().partition('://')[0] in ('inproc', 'fake'):
            LOG.warning(_LW('notification_driver=messaging on the in-process transport: '
                        'notifications wait in this process\'s memory for a consumer '
                        'that nothing outside it can be; use "log" with nova-all'))

    def notify(self, context, message):
        wrapped = envelope(context, message)
        transport = rpc.get_transport()
        for topic in CONF.notification_topics:
            transport.cast('%s.%s' % (topic, message['priority'].lower()), wrapped)


_DRIVERS = {'noop': NoopDriver, 'log': LogDriver, 'messaging': MessagingDriver}


def load(name):
    try:
        return _DRIVERS[name]()
    except KeyError:
        raise exception.ConfigError(reason='unknown notification_driver %r (known: %s)'
                                    % (name, ', '.join(sorted(_DRIVERS)))) from None
