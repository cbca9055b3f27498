"""/servers/{id}/shares (2.97): Manila shares mounted into a guest through virtiofs.

No compute host here offers virtiofs (it needs file-backed shared guest
memory), so a server never has shares: the list is empty, a share is 404,
and attaching one to a stopped server answers 409 as Nova does for a
compute or instance not configured for shares (a running server: 409 for
its state, as Nova checks that first).
"""
from nova import exception
from nova.api.openstack import parameter_types as types
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions
from nova.compute import vm_states

RULE = 'os_compute_api:os-server-shares:%s'
_create = {
    'type': 'object',
    'properties': {'share': {
        'type': 'object',
        'properties': {'share_id': {'type': 'string', 'format': 'uuid'},
                       'tag': types.name},
        'required': ['share_id'], 'additionalProperties': False}},
    'required': ['share'], 'additionalProperties': False,
}


class ServerSharesController(server_actions.ServerActionBase):
    def _instance(self, req, server_id, action):
        return self._authorized(req, server_id, RULE % action)

    @staticmethod
    def _check_state(instance, allowed, method):
        if instance.vm_state not in allowed:
            raise exception.InstanceInvalidState(attr='vm_state', instance_uuid=instance.uuid,
                                                 state=instance.vm_state, method=method)

    @wsgi.api_version('2.97')
    def index(self, req, server_id):
        self._instance(req, server_id, 'index')
        return {'shares': []}

    @wsgi.api_version('2.97')
    def show(self, req, server_id, id):
        self._instance(req, server_id, 'show')
        raise exception.ShareNotFound(share_id=id)

    @wsgi.api_version('2.97')
    @wsgi.response(201)
    @validation.schema(_create)
    def create(self, req, server_id, body):
        instance = self._instance(req, server_id, 'create')
        self._check_state(instance, [vm_states.STOPPED], 'create share')
        raise exception.SharesNotConfiguredCorrectly()

    @wsgi.api_version('2.97')
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        self._check_state(instance, [vm_states.STOPPED, vm_states.ERROR], 'delete share')
        raise exception.ShareNotFound(share_id=id)
