"""Compute API side of the administrators' server actions and the host-facing
calls: reset state, inject and reset network, the guest's admin password,
the password the guest posts, external events from other services, and the
serial console URL (a token nova-serialproxy trades for the host's console).

The server password (os-server-password) is what the guest posted through the
metadata service, encrypted with its key pair's public key; it is kept in
system_metadata in four 255-character chunks, as Nova stores it.
"""
import datetime
import secrets

from nova import exception
from nova import utils
from nova.auth import endpoints
from nova.compute import capabilities, power_state, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.conf import CONF
from nova.db import api as db

RESET_STATES = {'active': vm_states.ACTIVE, 'error': vm_states.ERROR}
# the states in which an instance has a guest on its host for the host to reach
WITH_A_GUEST = [vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED, vm_states.SUSPENDED,
                vm_states.RESCUED, vm_states.RESIZED, vm_states.ERROR]
PASSWORD_CHUNKS = 4
PASSWORD_CHUNK_LENGTH = 255
MAX_PASSWORD_LENGTH = PASSWORD_CHUNKS * PASSWORD_CHUNK_LENGTH
# what other services tell compute about an instance (os-server-external-events)
EVENT_NAMES = ('network-changed', 'network-vif-plugged', 'network-vif-unplugged',
               'network-vif-deleted', 'volume-extended', 'power-update',
               'accelerator-request-bound', 'volume-reimaged')
EVENT_STATUSES = ('failed', 'completed', 'in-progress')


def _password_keys():
    return ['password_%d' % i for i in range(PASSWORD_CHUNKS)]


class AdminActionsAPI:
    """Mixin of nova.compute.api.API."""

    def reset_state(self, context, instance, state):
        """Force vm_state to active or error and clear the task, whatever they were
        (an operator's way out of a stuck instance); recorded as an action."""
        if state not in RESET_STATES:
            raise exception.InvalidInput(reason='state must be one of %s'
                                         % ', '.join(sorted(RESET_STATES)))
        compute_utils.start_action(context, instance.uuid, 'resetState')
        return db.instance_update(context, instance.uuid,
                                  {'vm_state': RESET_STATES[state], 'task_state': None})

    def _require_host(self, instance):
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)

    @check_instance_state(vm_state=WITH_A_GUEST, task_state=None)
    def inject_network_info(self, context, instance):
        """Have the instance's host push its network configuration into the guest."""
        self._require_host(instance)
        compute_utils.start_action(context, instance.uuid, 'inject_network_info')
        self.compute_rpcapi.inject_network_info(context, instance)

    @check_instance_state(vm_state=WITH_A_GUEST, task_state=None)
    def reset_network(self, context, instance):
        """Have the instance's host reset the guest's networking (the agent re-reads it)."""
        self._require_host(instance)
        compute_utils.start_action(context, instance.uuid, 'reset_network')
        self.compute_rpcapi.reset_network(context, instance)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED, vm_states.RESCUED,
                                    vm_states.RESIZED, vm_states.ERROR])
    def trigger_crash_dump(self, context, instance):
        """Have the host inject an NMI into the running guest (2.17); 409 where its
        driver cannot or the guest is not running."""
        capabilities.require(context, instance, 'supports_trigger_crash_dump',
                             'trigger crash dump')
        if instance.power_state != power_state.RUNNING:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        compute_utils.start_action(context, instance.uuid, 'trigger_crash_dump')
        self.compute_rpcapi.trigger_crash_dump(context, instance)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE])
    def set_admin_password(self, context, instance, password):
        """Set the guest's administrator password through its host (changePassword)."""
        compute_utils.start_action(context, instance.uuid, 'changePassword')
        instance = begin_task(context, instance, task_states.UPDATING_PASSWORD,
                              method='changePassword')
        try:
            self.compute_rpcapi.set_admin_password(context, instance, password)
        finally:
            db.instance_update(context, instance.uuid, {'task_state': None})

    # -- the password the guest posted (os-server-password, metadata service) --------
    @staticmethod
    def get_password(instance):
        meta = instance.system_metadata or {}
        return ''.join(meta.get(key) or '' for key in _password_keys())

    def set_password(self, context, instance, password):
        """Store the (encrypted) password the guest posts; '' clears it."""
        if len(password) > MAX_PASSWORD_LENGTH:
            raise exception.InvalidInput(reason='the password is longer than %d characters'
                                         % MAX_PASSWORD_LENGTH)
        meta = dict(instance.system_metadata or {})
        for index, key in enumerate(_password_keys()):
            chunk = password[index * PASSWORD_CHUNK_LENGTH:(index + 1) * PASSWORD_CHUNK_LENGTH]
            meta[key] = chunk
        return db.instance_update(context, instance.uuid, {'system_metadata': meta})

    # -- os-server-external-events -----------------------------------------------------
    def external_instance_event(self, context, events):
        """Deliver events about instances to their hosts; returns the events, each with
        the code Nova answers: 200 delivered, 404 no such instance, 422 no host yet."""
        by_uuid = {i.uuid: i for i in db.instance_get_all_by_filters(
            context, {'uuid': sorted({e['server_uuid'] for e in events}), 'deleted': False})}
        answered, to_hosts = [], {}
        for event in events:
            event = dict(event, status=event.get('status') or 'completed')
            instance = by_uuid.get(event['server_uuid'])
            if instance is None:
                answered.append(dict(event, code=404))
            elif not instance.host:
                answered.append(dict(event, code=422))
            else:
                to_hosts.setdefault(instance.host, []).append(event)
                answered.append(dict(event, code=200))
        for host, host_events in sorted(to_hosts.items()):
            self.compute_rpcapi.external_instance_event(context, host, host_events)
        return answered

    # -- remote consoles ------------------------------------------------------------------
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED, vm_states.RESCUED,
                                    vm_states.STOPPED, vm_states.SUSPENDED], task_state=None)
    def get_serial_console(self, context, instance, console_type='serial'):
        """{'type', 'url'}: a nova-serialproxy URL with a fresh token for the guest's
        serial console, valid --console_token_ttl seconds."""
        if console_type != 'serial' or not CONF.serial_console_enabled:
            raise exception.ConsoleTypeUnavailable(console_type=console_type)
        self._require_host(instance)
        where = self.compute_rpcapi.get_serial_console(context, instance)
        token = secrets.token_urlsafe(24)
        db.console_auth_token_create(context, token, {
            'console_type': 'serial', 'host': where['host'], 'port': int(where['port']),
            'instance_uuid': instance.uuid,
            'expires': utils.utcnow() + datetime.timedelta(seconds=CONF.console_token_ttl)})
        base = CONF.serial_console_base_url or endpoints.url('serialproxy', '/', scheme='ws')
        return {'type': 'serial', 'url': '%s?token=%s' % (base, token)}

    @staticmethod
    def get_console_connection(context, token):
        """What a console token connects to (admins, nova-serialproxy)."""
        return db.console_auth_token_get_valid(context, token)
