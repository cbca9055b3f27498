"""Administrators' server actions (os-resetState, injectNetworkInfo, resetNetwork,
evacuate), changePassword and trigger_crash_dump (2.17), each one compute API
call under its upstream policy rule. A host whose driver cannot do it answers
NotSupportedByDriver (409)."""
import webob.exc

from nova import exception
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions, servers
from nova.api.openstack.compute.schemas import server_actions as schema
from nova.auth import passwords
from nova.i18n import _


class ServerAdminActionsController(server_actions.ServerActionBase):

    @wsgi.action('os-resetState')
    @validation.schema(schema.reset_state)
    def reset_state(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-admin-actions:reset_state')
        self.compute_api.reset_state(req.context, instance, body['os-resetState']['state'])

    @wsgi.action('injectNetworkInfo')
    @validation.schema(schema.inject_network_info)
    def inject_network_info(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-admin-actions:inject_network_info',
                     'inject_network_info')

    @wsgi.action('resetNetwork')
    @validation.schema(schema.reset_network)
    def reset_network(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-admin-actions:reset_network',
                     'reset_network')

    @wsgi.action('changePassword')
    @validation.schema(schema.change_password)
    def change_password(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-admin-password')
        self.compute_api.set_admin_password(req.context, instance,
                                            body['changePassword']['adminPass'])

    @wsgi.action('trigger_crash_dump')
    @wsgi.api_version('2.17')
    @validation.schema(schema.trigger_crash_dump)
    def trigger_crash_dump(self, req, id, body):
        self._simple(req, id, 'os_compute_api:servers:trigger_crash_dump',
                     'trigger_crash_dump')

    @wsgi.action('evacuate')
    @wsgi.response(200)
    @validation.schema(schema.evacuate, '2.1', '2.13')
    @validation.schema(schema.evacuate_v214, '2.14', '2.28')
    @validation.schema(schema.evacuate_v229, '2.29', '2.67')
    @validation.schema(schema.evacuate_v214, '2.68')
    def evacuate(self, req, id, body):
        """Rebuild a server of a host that is down elsewhere. Before 2.14 the body says
        onSharedStorage and the answer carries the password; 2.29-2.67 accept force
        (a named host is checked either way); from 2.95 the server arrives stopped."""
        instance = self._authorized(req, id, 'os_compute_api:os-evacuate')
        args = body['evacuate'] or {}
        host = args.get('host')
        shared = not req.is_version('2.14') and common.is_true(args['onSharedStorage'])
        if shared and 'adminPass' in args:
            raise webob.exc.HTTPBadRequest(
                explanation=_("admin password can't be changed on existing disk"))
        password = args.get('adminPass')
        if password is None and not shared:
            password = passwords.generate_password(servers.ADMIN_PASSWORD_LENGTH)
        if host is not None and host == instance.host:
            raise webob.exc.HTTPBadRequest(explanation=_("The target host can't be the same one."))
        try:
            self.compute_api.evacuate(req.context, instance, host=host, admin_password=password,
                                      stopped=req.is_version('2.95'))
        except exception.NoValidHost as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        if not req.is_version('2.14') and password is not None:
            return {'adminPass': password}
        return wsgi.ResponseObject(code=200)  # Nova answers 200 with no body
