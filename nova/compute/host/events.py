"""Events other services send about instances on this host (os-server-external-events:
network-vif-plugged, network-changed, volume-extended, ...), and who waits for them.

A flow that needs one (a boot waiting for its port to be plugged, a volume
waiting to be extended) prepares a waiter before it asks the other service;
the event, when it arrives, wakes it with its status. An event nobody waits
for is logged and dropped, as Nova does.
"""
import logging
import threading

import eventlet.event

LOG = logging.getLogger(__name__)


class InstanceEvents:
    def __init__(self):
        self._waiters = {}  # (instance uuid, name, tag) -> eventlet Event
        self._lock = threading.Lock()

    def prepare(self, instance_uuid, name, tag=None):
        """An Event whose wait() returns the status of the matching event."""
        waiter = eventlet.event.Event()
        with self._lock:
            self._waiters[(instance_uuid, name, tag)] = waiter
        return waiter

    def discard(self, instance_uuid, name, tag=None):
        with self._lock:
            self._waiters.pop((instance_uuid, name, tag), None)

    def deliver(self, event):
        """Wake whoever waits for this event; False when nobody did."""
        key = (event['server_uuid'], event['name'], event.get('tag'))
        with self._lock:
            waiter = self._waiters.pop(key, None)
        if waiter is None:
            LOG.info('Event %s (tag %s, %s) for instance %s: nobody waits for it',
                     event['name'], event.get('tag'), event.get('status'),
                     event['server_uuid'])
            return False
        waiter.send(event.get('status', 'completed'))
        return True
