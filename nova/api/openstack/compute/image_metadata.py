"""/images/{image_id}/metadata: an image's properties through the Compute API (to 2.35).

POST merges, PUT replaces all, PUT /{key} sets one, DELETE /{key} removes
one; the image service checks ownership, and the metadata_items quota
bounds the number of properties (403).
"""
import webob.exc

from nova import exception
from nova import quota
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import images
from nova.api.openstack.compute.schemas import server_metadata as schema  # same shapes
from nova.i18n import _
from nova.image import service as image_service

NOT_FOUND = _('Invalid metadata key')


class ImageMetadataController(wsgi.Controller):
    def __init__(self, image_api=None):
        self.image_api = image_api or image_service.get_default_image_service()

    def _properties(self, req, image_id):
        return images.get_image(req.context, self.image_api, image_id)['properties']

    def _save(self, req, image_id, properties, remove=()):
        """Write properties (all of them: the quota counts the result), drop remove."""
        try:
            quota.check_metadata_items(req.context, req.context.project_id, len(properties),
                                       req.context.user_id)
        except exception.OverQuota:
            raise webob.exc.HTTPForbidden(explanation=_('Image metadata limit exceeded')) \
                from None
        self.image_api.update(req.context, image_id, {'properties': properties},
                              remove_props=remove)

    @wsgi.api_version('2.1', images.MAX_VERSION)
    def index(self, req, image_id):
        return {'metadata': self._properties(req, image_id)}

    @wsgi.api_version('2.1', images.MAX_VERSION)
    def show(self, req, image_id, id):
        properties = self._properties(req, image_id)
        if id not in properties:
            raise webob.exc.HTTPNotFound(explanation=NOT_FOUND)
        return {'meta': {id: properties[id]}}

    @wsgi.api_version('2.1', images.MAX_VERSION)
    @validation.schema(schema.create)
    def create(self, req, image_id, body):
        properties = dict(self._properties(req, image_id), **body['metadata'])
        self._save(req, image_id, properties)
        return {'metadata': properties}

    @wsgi.api_version('2.1', images.MAX_VERSION)
    @validation.schema(schema.update_all)
    def update_all(self, req, image_id, body):
        old = self._properties(req, image_id)
        metadata = body['metadata']
        self._save(req, image_id, metadata, remove=sorted(set(old) - set(metadata)))
        return {'metadata': metadata}

    @wsgi.api_version('2.1', images.MAX_VERSION)
    @validation.schema(schema.update)
    def update(self, req, image_id, id, body):
        if id not in body['meta']:
            raise webob.exc.HTTPBadRequest(explanation=_('Request body and URI mismatch'))
        properties = dict(self._properties(req, image_id), **body['meta'])
        self._save(req, image_id, properties)
        return {'meta': body['meta']}

    @wsgi.api_version('2.1', images.MAX_VERSION)
    @wsgi.response(204)
    def delete(self, req, image_id, id):
        properties = self._properties(req, image_id)
        if id not in properties:
            raise webob.exc.HTTPNotFound(explanation=NOT_FOUND)
        self.image_api.update(req.context, image_id, {}, remove_props=[id])
