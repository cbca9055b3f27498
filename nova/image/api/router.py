"""The v2 API app: method and path to handler, errors as Glance renders them.

A handler is called as ``handler(req, context, **path_args)`` and answers a
webob Response; what it raises (NovaException or a webob HTTP error) becomes
Glance's error response. A known path with another method is 405 with Allow.
"""
import re

import webob.dec

from nova.api import auth
from nova.i18n import _
from nova.image.api import image_data
from nova.image.api import images
from nova.image.api import members
from nova.image.api import metadefs
from nova.image.api import schemas
from nova.image.api import tasks
from nova.image.api import wsgi

ROUTES = [
    ('/v2/schemas/image', {'GET': schemas.show_image}),
    ('/v2/schemas/images', {'GET': schemas.show_images}),
    ('/v2/schemas/member', {'GET': schemas.show_member}),
    ('/v2/schemas/members', {'GET': schemas.show_members}),
    ('/v2/images', {'GET': images.index, 'POST': images.create}),
    ('/v2/images/{image_id}', {'GET': images.show, 'PATCH': images.update,
                               'DELETE': images.delete}),
    ('/v2/images/{image_id}/file', {'GET': image_data.download, 'PUT': image_data.upload}),
    ('/v2/images/{image_id}/stage', {'PUT': image_data.stage}),
    ('/v2/images/{image_id}/import', {'POST': images.import_image}),
    ('/v2/info/import', {'GET': images.import_info}),
    ('/v2/info/stores', {'GET': images.stores_info}),
    ('/v2/info/stores/detail', {'GET': images.stores_detail}),
    ('/v2/schemas/task', {'GET': schemas.show_task}),
    ('/v2/schemas/tasks', {'GET': schemas.show_tasks}),
    ('/v2/tasks', {'GET': tasks.index, 'POST': tasks.create}),
    ('/v2/tasks/{task_id}', {'GET': tasks.show}),
    ('/v2/images/{image_id}/tasks', {'GET': images.tasks}),
    ('/v2/images/{image_id}/actions/deactivate', {'POST': images.deactivate}),
    ('/v2/images/{image_id}/actions/reactivate', {'POST': images.reactivate}),
    ('/v2/images/{image_id}/tags/{tag}', {'PUT': images.add_tag,
                                          'DELETE': images.delete_tag}),
    ('/v2/images/{image_id}/members', {'GET': members.index, 'POST': members.create}),
    ('/v2/images/{image_id}/members/{member_id}', {'GET': members.show,
                                                   'PUT': members.update,
                                                   'DELETE': members.delete}),
] + metadefs.ROUTES


def _compile(template):
    return re.compile('^%s$' % re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template))


class ImageAPI:
    """Serves /v2/...; the context comes from the auth filter before it."""

    def __init__(self):
        self.routes = [(_compile(template), handlers) for template, handlers in ROUTES]

    def _match(self, path):
        for pattern, handlers in self.routes:
            match = pattern.match(path)
            if match:
                return handlers, match.groupdict()
        return None, None

    @webob.dec.wsgify
    def __call__(self, req):
        # exact paths, as Glance's mapper: '/v2/images/' is no image (404), not the list
        handlers, args = self._match(req.path_info)
        if handlers is None:
            return wsgi.from_exception(req, wsgi.http_error(
                404, _('The resource could not be found.')))
        handler = handlers.get(req.method)
        if handler is None:
            return wsgi.from_exception(req, wsgi.http_error(
                405, _('The method %s is not allowed here.') % req.method,
                headers={'Allow': ', '.join(sorted(handlers))}))
        try:
            return handler(req, req.environ[auth.ENV_CONTEXT], **args)
        except Exception as e:
            return wsgi.from_exception(req, e)
