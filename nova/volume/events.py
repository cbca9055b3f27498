"""Volume and snapshot notifications a volume host sends (volume.<op>.start/end/error,
snapshot.<op>.start/end/error, as Cinder names them), publisher ``volume.<host>``.

The payload is built from the row the manager already holds, with the state the
step leaves it in: no extra read. Nothing is built with --notification_driver=noop.
"""
from nova import notifications
from nova.notifications import payloads


class VolumeEvents:
    def __init__(self, host):
        self.notifier = notifications.Notifier('volume.%s' % host)

    def _send(self, context, event_type, payload, fault):
        priority = notifications.INFO if fault is None else notifications.ERROR
        self.notifier.notify(context, event_type, payload, priority)

    def volume(self, context, row, event, fault=None, **state):
        """volume.<event> ('create.start', 'delete.end', 'resize.error', ...)."""
        if notifications.enabled():
            self._send(context, 'volume.%s' % event, payloads.volume(row, fault, **state),
                       fault)

    def snapshot(self, context, row, event, fault=None, **state):
        """snapshot.<event> ('create.start', 'delete.end', ...)."""
        if notifications.enabled():
            self._send(context, 'snapshot.%s' % event, payloads.snapshot(row, fault, **state),
                       fault)
