"""Administrators' server actions (os-resetState, injectNetworkInfo, resetNetwork)
and changePassword, each one compute API call under its upstream policy rule.
A host whose driver cannot do it answers NotSupportedByDriver (409)."""
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions
from nova.api.openstack.compute.schemas import server_actions as schema


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
