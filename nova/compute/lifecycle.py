"""Instance lifecycle notifications (compute.instance.<action>.*), sent by compute hosts
and, for the deletes it does itself (an instance with no live host), the compute API.

Each action on an instance is told as ``.start`` before the host works on it,
``.end`` when it is done (payload: the instance as it then is) or ``.error``
(priority ERROR, payload with the fault) when it failed, as classic Nova's
compute.instance.* notifications. ``ACTIONS`` names the action of each RPC
method; the build of a batch is told per instance as ``create``. Nothing is
read or built unless a notification driver is enabled: with ``noop`` an
action costs one flag lookup.
"""
import logging

from nova import notifications
from nova.db import api as db
from nova.i18n import _LW
from nova.notifications import payloads

LOG = logging.getLogger(__name__)

# compute RPC method -> the action its notifications name
ACTIONS = {
    'terminate_instance': 'delete', 'soft_delete_instance': 'soft_delete',
    'restore_instance': 'restore', 'reboot_instance': 'reboot',
    'stop_instance': 'power_off', 'start_instance': 'power_on',
    'pause_instance': 'pause', 'unpause_instance': 'unpause',
    'suspend_instance': 'suspend', 'resume_instance': 'resume',
    'rescue_instance': 'rescue', 'unrescue_instance': 'unrescue',
    'snapshot_instance': 'snapshot', 'backup_instance': 'backup',
    'resize_instance': 'resize', 'finish_resize': 'finish_resize',
    'confirm_resize': 'resize.confirm', 'finish_revert_resize': 'resize.revert',
    'rebuild_instance': 'rebuild', 'evacuate_instance': 'evacuate',
    'shelve_instance': 'shelve', 'shelve_offload_instance': 'shelve_offload',
    'unshelve_instance': 'unshelve', 'live_migration': 'live_migration',
    'attach_interface': 'interface_attach', 'detach_interface': 'interface_detach',
    'trigger_crash_dump': 'trigger_crash_dump',
}


def _read(context, instance_uuids):
    """{uuid: row}, deleted ones too (a delete's .end tells the deleted instance); a
    failed read is logged and reads as nothing: telling must not break the action."""
    reader = context.elevated(read_deleted='yes')
    try:
        return {i.uuid: i for i in db.instance_get_all_by_filters(
            reader, {'uuid': list(instance_uuids)})}
    except Exception as error:  # noqa: BLE001 -- see the docstring
        LOG.warning(_LW('Could not read instances %s to notify about them: %s'),
                    ', '.join(instance_uuids), error)
        return {}


class Lifecycle:
    """The lifecycle notifier of one publisher ('compute.host1', 'api.host1')."""

    def __init__(self, publisher_id):
        self.notifier = notifications.Notifier(publisher_id)

    @staticmethod
    def enabled():
        return notifications.enabled()

    def _send(self, context, instances, event_type, fault=None):
        priority = notifications.INFO if fault is None else notifications.ERROR
        for instance in instances:
            self.notifier.notify(context, event_type,
                                 payloads.instance_action(instance, fault), priority)

    def start(self, context, instance_uuid, action):
        """Send <action>.start; return the row read for it (None if disabled or gone)."""
        if not self.enabled():
            return None
        instance = _read(context, [instance_uuid]).get(instance_uuid)
        if instance is not None:
            self._send(context, [instance], 'compute.instance.%s.start' % action)
        return instance

    def end(self, context, instance_uuid, action, before=None, fault=None):
        """Send <action>.end, or <action>.error when fault (the exception) is given."""
        if not self.enabled():
            return
        instance = _read(context, [instance_uuid]).get(instance_uuid) or before
        if instance is None:
            return
        phase = 'end' if fault is None else 'error'
        self._send(context, [instance], 'compute.instance.%s.%s' % (action, phase), fault)

    def batch(self, context, instance_uuids, action, phase, fault=None):
        """Send <action>.<phase> for many instances with one read (a build's batch)."""
        if not self.enabled() or not instance_uuids:
            return
        rows = _read(context, instance_uuids)
        self._send(context, [rows[u] for u in instance_uuids if u in rows],
                   'compute.instance.%s.%s' % (action, phase), fault)

    def exists(self, context, instances, begin, end):
        """compute.instance.exists for each instance of an audit period; returns how
        many could not be sent (the audit's error count)."""
        if not self.enabled() or not instances:
            return 0
        rows = _read(context, [i.uuid for i in instances])
        failed = 0
        for instance in instances:
            row = rows.get(instance.uuid)
            if row is None or not self.notifier.notify(
                    context, 'compute.instance.exists',
                    payloads.instance_exists(row, begin, end), notifications.INFO):
                failed += 1
        return failed
