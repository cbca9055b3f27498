"""Notifications: what happened to instances, volumes and images, told to whoever listens.

Billing, monitoring and audit tools (the classic instance usage reports,
ceilometer-style consumers) learn about the cloud from notifications rather
than by polling the API. A notification is an event type
(``compute.instance.create.end``), a priority (INFO or ERROR), a publisher
(``compute.host1``) and a payload that is a versioned object
(``nova_object.name/namespace/version/data``, see payloads.py), so that a
consumer knows which fields to expect.

``--notification_driver`` picks where they go (drivers.py): ``messaging``
(the message bus, topics ``notifications.info`` and ``notifications.error``,
in the oslo.messaging 2.0 envelope), ``log``, or ``noop`` (the default).
Emitters ask ``enabled()`` before building a payload, so ``noop`` costs one
flag lookup per event; a driver's failure is logged and never fails the
operation it describes.
"""
from nova.notifications.notifier import ERROR, INFO, Notifier, enabled  # noqa: F401
