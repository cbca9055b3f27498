"""Server actions that change a server where it is: power, rescue, lock, delete.

Each action is one compute API call under its upstream policy rule; the
compute API refuses a wrong state or a lock with 409, as Nova does.
"""
import re

import webob.exc

from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import server_actions as schema
from nova.auth import passwords
from nova.compute import api as compute_api
from nova.i18n import _

_CONTROL_CHARACTERS = re.compile('[\x00-\x08\x0b-\x1f]')


class ServerActionBase(wsgi.Controller):
    """What every server action controller does first: find the server, check the rule."""

    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def _authorized(self, req, server_id, rule):
        """The instance (404 if the caller cannot see it), once rule allows the caller."""
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, rule, servers.target(instance))
        return instance

    def _simple(self, req, server_id, rule, method):
        """An action that is one compute API call on the server, without arguments."""
        instance = self._authorized(req, server_id, rule)
        getattr(self.compute_api, method)(req.context, instance)


class ServerActionsController(ServerActionBase):

    @wsgi.action('reboot')
    @validation.schema(schema.reboot)
    def reboot(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:servers:reboot')
        self.compute_api.reboot(req.context, instance, body['reboot']['type'].upper())

    @wsgi.action('os-stop')
    @validation.schema(schema.stop)
    def stop(self, req, id, body):
        self._simple(req, id, 'os_compute_api:servers:stop', 'stop')

    @wsgi.action('os-start')
    @validation.schema(schema.start)
    def start(self, req, id, body):
        self._simple(req, id, 'os_compute_api:servers:start', 'start')

    @wsgi.action('pause')
    @validation.schema(schema.pause)
    def pause(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-pause-server:pause', 'pause')

    @wsgi.action('unpause')
    @validation.schema(schema.unpause)
    def unpause(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-pause-server:unpause', 'unpause')

    @wsgi.action('suspend')
    @validation.schema(schema.suspend)
    def suspend(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-suspend-server:suspend', 'suspend')

    @wsgi.action('resume')
    @validation.schema(schema.resume)
    def resume(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-suspend-server:resume', 'resume')

    @wsgi.action('rescue')
    @wsgi.response(200)
    @validation.schema(schema.rescue)
    def rescue(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-rescue')
        options = body['rescue'] or {}
        if options.get('rescue_image_ref'):
            raise webob.exc.HTTPBadRequest(explanation=_('rescue_image_ref is not supported'))
        password = options.get('adminPass') or passwords.generate_password(
            servers.ADMIN_PASSWORD_LENGTH)
        self.compute_api.rescue(req.context, instance, rescue_password=password)
        return {'adminPass': password}

    @wsgi.action('unrescue')
    @validation.schema(schema.unrescue)
    def unrescue(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-unrescue', 'unrescue')

    @wsgi.action('lock')
    @validation.schema(schema.lock, '2.1', '2.72')
    @validation.schema(schema.lock_v273, '2.73')
    def lock(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-lock-server:lock')
        reason = (body['lock'] or {}).get('locked_reason') if req.is_version('2.73') else None
        self.compute_api.lock(req.context, instance, reason=reason)

    @wsgi.action('unlock')
    @validation.schema(schema.unlock)
    def unlock(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-lock-server:unlock', 'unlock')

    @wsgi.action('forceDelete')
    @validation.schema(schema.force_delete)
    def force_delete(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-deferred-delete:force', 'force_delete')

    @wsgi.action('restore')
    @validation.schema(schema.restore)
    def restore(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-deferred-delete:restore', 'restore')

    @wsgi.action('addSecurityGroup')
    @validation.schema(schema.security_group_action('addSecurityGroup'))
    def add_security_group(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-security-groups:add')
        self.compute_api.add_security_group(req.context, instance,
                                            body['addSecurityGroup']['name'])

    @wsgi.action('removeSecurityGroup')
    @validation.schema(schema.security_group_action('removeSecurityGroup'))
    def remove_security_group(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-security-groups:remove')
        self.compute_api.remove_security_group(req.context, instance,
                                               body['removeSecurityGroup']['name'])

    @wsgi.action('os-getConsoleOutput')
    @wsgi.response(200)
    @validation.schema(schema.console_output)
    def console_output(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-console-output')
        length = body['os-getConsoleOutput'].get('length')
        length = None if length is None or int(length) == -1 else int(length)
        output = self.compute_api.get_console_output(req.context, instance, length)
        return {'output': _CONTROL_CHARACTERS.sub('', output or '')}
