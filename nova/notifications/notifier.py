"""The Notifier: builds a notification message and hands it to the configured driver."""
import logging
import uuid

from nova import utils
from nova.conf import CONF
from nova.i18n import _LW
from nova.notifications import drivers

LOG = logging.getLogger(__name__)

INFO, ERROR = 'INFO', 'ERROR'
_CACHE = {}  # driver name -> driver instance (the flag may change between tests)


def enabled():
    """Whether notifications are sent at all: emitters skip building payloads if not."""
    return CONF.notification_driver != 'noop'


def _driver():
    name = CONF.notification_driver
    driver = _CACHE.get(name)
    if driver is None:
        driver = _CACHE[name] = drivers.load(name)
    return driver


class Notifier:
    """Sends notifications on behalf of one publisher ('compute.host1', 'volume.host1')."""

    def __init__(self, publisher_id):
        self.publisher_id = publisher_id

    def info(self, context, event_type, payload):
        self.notify(context, event_type, payload, INFO)

    def error(self, context, event_type, payload):
        self.notify(context, event_type, payload, ERROR)

    def notify(self, context, event_type, payload, priority):
        """Send one notification; return whether it went. Never raises (a lost
        notification must not fail the operation it tells about): a failure is logged."""
        if not enabled():
            return False
        message = {'message_id': str(uuid.uuid4()), 'publisher_id': self.publisher_id,
                   'event_type': event_type, 'priority': priority, 'payload': payload,
                   'timestamp': str(utils.utcnow())}
        try:
            _driver().notify(context, message)
        except Exception as error:  # noqa: BLE001 -- see the docstring
            LOG.warning(_LW('Could not send notification %s from %s: %s'), event_type,
                        self.publisher_id, error)
            return False
        return True
