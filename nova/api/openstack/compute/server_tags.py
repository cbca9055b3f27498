"""/servers/{id}/tags (2.26): simple string tags on a server."""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import server_tags as schema
from nova.compute import api as compute_api
from nova.i18n import _

MIN_VERSION = '2.26'


def _check_tag(tag):
    if not 1 <= len(tag) <= 60 or '/' in tag or ',' in tag:
        raise webob.exc.HTTPBadRequest(explanation=(
            _('Tag %r is invalid: 1 to 60 characters without "/" or ","') % tag))


class ServerTagsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def _instance(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:os-server-tags:%s' % action,
                         servers.target(instance))
        return instance

    @wsgi.api_version(MIN_VERSION)
    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'index')
        return {'tags': self.compute_api.get_tags(req.context, instance)}

    @wsgi.api_version(MIN_VERSION)
    @wsgi.response(204)
    def show(self, req, server_id, id):
        instance = self._instance(req, server_id, 'show')
        if not self.compute_api.tag_exists(req.context, instance, id):
            raise webob.exc.HTTPNotFound(
                explanation=_("Server %s has no tag '%s'") % (server_id, id))

    @wsgi.api_version(MIN_VERSION)
    @validation.schema(schema.update_all)
    def update_all(self, req, server_id, body):
        instance = self._instance(req, server_id, 'update_all')
        return {'tags': self.compute_api.set_tags(req.context, instance, body['tags'])}

    @wsgi.api_version(MIN_VERSION)
    def update(self, req, server_id, id, body):
        """201 with Location when the tag is new, 204 when it was there."""
        _check_tag(id)
        instance = self._instance(req, server_id, 'update')
        if self.compute_api.tag_exists(req.context, instance, id):
            return wsgi.ResponseObject(code=204)
        self.compute_api.add_tag(req.context, instance, id)
        location = '%s/servers/%s/tags/%s' % (common.url_base(req)[0], server_id, id)
        return wsgi.ResponseObject(code=201, headers={'Location': location})

    @wsgi.api_version(MIN_VERSION)
    @wsgi.response(204)
    def delete_all(self, req, server_id):
        instance = self._instance(req, server_id, 'delete_all')
        self.compute_api.delete_all_tags(req.context, instance)

    @wsgi.api_version(MIN_VERSION)
    @wsgi.response(204)
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        try:
            self.compute_api.delete_tag(req.context, instance, id)
        except exception.InstanceTagNotFound:
            raise webob.exc.HTTPNotFound(
                explanation=_("Server %s has no tag '%s'") % (server_id, id)) from None
