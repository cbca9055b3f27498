"""/servers/{id}/metadata: the user's key/value pairs on a server.

POST merges, PUT replaces all, PUT /{key} sets one; the compute API checks the
server's state, its lock and the metadata_items quota (403).
"""
import webob.exc

from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import server_metadata as schema
from nova.compute import api as compute_api
from nova.i18n import _

NOT_FOUND = _('Metadata item was not found')


class ServerMetadataController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def _instance(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:server-metadata:%s' % action,
                         servers.target(instance))
        return instance

    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'index')
        return {'metadata': self.compute_api.get_metadata(req.context, instance)}

    def show(self, req, server_id, id):
        instance = self._instance(req, server_id, 'show')
        metadata = self.compute_api.get_metadata(req.context, instance)
        if id not in metadata:
            raise webob.exc.HTTPNotFound(explanation=NOT_FOUND)
        return {'meta': {id: metadata[id]}}

    @validation.schema(schema.create)
    def create(self, req, server_id, body):
        instance = self._instance(req, server_id, 'create')
        return {'metadata': self.compute_api.update_metadata(
            req.context, instance, body['metadata'])}

    @validation.schema(schema.update_all)
    def update_all(self, req, server_id, body):
        instance = self._instance(req, server_id, 'update_all')
        return {'metadata': self.compute_api.update_metadata(
            req.context, instance, body['metadata'], delete=True)}

    @validation.schema(schema.update)
    def update(self, req, server_id, id, body):
        instance = self._instance(req, server_id, 'update')
        if id not in body['meta']:
            raise webob.exc.HTTPBadRequest(explanation=_('Request body and URI mismatch'))
        self.compute_api.update_metadata(req.context, instance, body['meta'])
        return {'meta': body['meta']}

    @wsgi.response(204)
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        if id not in self.compute_api.get_metadata(req.context, instance):
            raise webob.exc.HTTPNotFound(explanation=NOT_FOUND)
        self.compute_api.delete_metadata_item(req.context, instance, id)
