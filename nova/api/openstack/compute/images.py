"""/images: the image service as the Compute API proxied it, up to 2.35.

Lists (plain and detail, with Nova's filters and paging), show and delete go
to nova.image.service, which decides who may see or delete what. From 2.36
these URLs answer 404: clients use the image API itself.
"""
import datetime

import webob.exc

from nova import exception
from nova.api.openstack import common
from nova.api.openstack import wsgi
from nova.api.openstack.compute.views import images as views
from nova.i18n import _
from nova.image import service as image_service

MAX_VERSION = '2.35'
# query parameter -> image service filter
FILTERS = {'name': 'name', 'status': 'status', 'server': 'instance_uuid',
           'type': 'image_type'}


def get_image(context, image_service_api, image_id):
    try:
        return image_service_api.show(context, image_id)
    except (exception.ImageNotFound, exception.InvalidInput):
        raise webob.exc.HTTPNotFound(explanation=_('Image not found.')) from None


def _int_param(req, name):
    try:
        return int(req.GET[name])
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('Invalid %s filter [%s]') % (name, req.GET[name])) from None


def _since(req):
    value = req.GET['changes-since']
    try:
        since = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('Invalid changes-since value [%s]') % value) from None
    return since.astimezone(datetime.timezone.utc).replace(tzinfo=None) if since.tzinfo \
        else since


def _service_filters(req):
    filters = {}
    for param, name in FILTERS.items():
        value = req.GET.get(param)
        if value is None:
            continue
        if param == 'server':  # a server id or a link ending in one
            value = value.rstrip('/').rsplit('/', 1)[-1]
        elif param == 'status':
            value = value.lower()
        filters[name] = value
    return filters


def _local_checks(req):
    """Filters the image service does not take: minRam, minDisk, changes-since."""
    checks = []
    if 'minRam' in req.GET:
        min_ram = _int_param(req, 'minRam')
        checks.append(lambda image: (image['min_ram'] or 0) >= min_ram)
    if 'minDisk' in req.GET:
        min_disk = _int_param(req, 'minDisk')
        checks.append(lambda image: (image['min_disk'] or 0) >= min_disk)
    if 'changes-since' in req.GET:
        since = _since(req)
        checks.append(lambda image: (image['updated_at'] or image['created_at']) >= since)
    return checks


def _after(images, marker):
    ids = [image['id'] for image in images]
    if marker not in ids:
        raise webob.exc.HTTPBadRequest(explanation=_('marker [%s] not found') % marker)
    return images[ids.index(marker) + 1:]


class ImagesController(wsgi.Controller):
    def __init__(self, image_api=None):
        self.image_api = image_api or image_service.get_default_image_service()

    def _images(self, req):
        """(the page of images, limit)."""
        limit, marker = common.limit_and_marker(req)
        checks = _local_checks(req)
        if not checks:  # an unknown marker is the service's InvalidInput (400)
            return self.image_api.detail(req.context, _service_filters(req),
                                         marker=marker, limit=limit), limit
        images = [image for image in self.image_api.detail(req.context, _service_filters(req))
                  if all(check(image) for check in checks)]
        if marker:
            images = _after(images, marker)
        return images[:limit], limit

    def _page(self, req, build, collection):
        images, limit = self._images(req)
        bases = common.url_base(req)
        items = [build(req, image, bases) for image in images]
        body = {'images': items}
        links = common.next_link(req, items, limit, collection)
        if links:
            body['images_links'] = links
        return body

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        return self._page(req, views.basic, 'images')

    @wsgi.api_version('2.1', MAX_VERSION)
    def detail(self, req):
        return self._page(req, views.detail, 'images/detail')

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        return {'image': views.detail(req, get_image(req.context, self.image_api, id))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(204)
    def delete(self, req, id):
        get_image(req.context, self.image_api, id)
        try:
            self.image_api.delete(req.context, id)
        except exception.ImageNotFound:
            raise webob.exc.HTTPNotFound(explanation=_('Image not found.')) from None
