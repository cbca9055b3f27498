"""Image records: create, list, show, update (PATCH), delete, (de)activate, import, tags.

The service decides (visibility, ownership, status changes); these handlers
read Glance's requests, check what Glance checks before its domain model
(read-only and reserved attributes, the image schema) and answer its shapes.
"""
import webob

from nova import exception
from nova import policy
from nova.conf import CONF
from nova.i18n import _
from nova.image import importer
from nova.image import service as image_service
from nova.image.api import listing
from nova.image.api import patch
from nova.image.api import schemas
from nova.image.api import views
from nova.image.api import wsgi

# attributes a create request may not set (id may be chosen)
CREATE_READ_ONLY = tuple(name for name in patch.READ_ONLY if name != 'id')


def _service():
    return image_service.get_default_image_service()


def _image_response(image, status=200, headers=None):
    return wsgi.json_response(views.image(image), status, headers)


def create(req, ctx):
    body = wsgi.read_json(req)
    for name in body:
        if name in CREATE_READ_ONLY or name == 'locations':
            raise exception.ImageAttributeReadOnly(attribute=name)
        if name in patch.RESERVED:
            raise wsgi.http_error(403, _("Attribute '%s' is reserved.") % name)
    schemas.validate_image(body)
    image = _service().create(ctx, body)
    # what openstacksdk reads to know whether it may import rather than upload
    return _image_response(image, 201, {
        'Location': views.image_href(image['id']),
        'OpenStack-image-import-methods': ','.join(importer.methods()),
        'OpenStack-image-store-ids': importer.store_id()})


def index(req, ctx):
    query = listing.parse(req)
    images = _service().detail(ctx, **query)
    body = {'images': [views.image(image) for image in images],
            'schema': '/v2/schemas/images'}
    body.update(listing.page_links(req, images, query['limit']))
    return wsgi.json_response(body)


def show(req, ctx, image_id):
    return _image_response(_service().show(ctx, image_id))


def update(req, ctx, image_id):
    operations, dialect = patch.parse(req)
    image = _service().show(ctx, image_id)
    values, remove_props = patch.changes(image, operations, dialect)
    # called even with nothing to change: the service checks ownership, and updated_at moves
    return _image_response(_service().update(ctx, image_id, values,
                                             remove_props=remove_props))


def delete(req, ctx, image_id):
    _service().delete(ctx, image_id)
    return wsgi.no_content()


def _action(method, ctx, image_id):
    """A status change; Glance answers 400 when the image's status does not allow it."""
    try:
        method(ctx, image_id)
    except exception.ImageStatusConflict as e:
        raise wsgi.http_error(400, e.format_message()) from None
    return wsgi.no_content()


def deactivate(req, ctx, image_id):
    return _action(_service().deactivate, ctx, image_id)


def reactivate(req, ctx, image_id):
    return _action(_service().reactivate, ctx, image_id)


def import_image(req, ctx, image_id):
    """POST .../import {"method": {"name": "glance-direct"}}: 202. web-download takes
    {"name": "web-download", "uri": ...}; 'stores' may name the one store and
    'all_stores' means it (what openstacksdk and tempest send by default).
    """
    body = wsgi.read_json(req)
    method = body.get('method')
    if not isinstance(method, dict) or not isinstance(method.get('name'), str):
        raise wsgi.http_error(400, _('Import request requires a method object with a name, '
                                   'e.g. {"method": {"name": "glance-direct"}}'))
    for flag in ('all_stores', 'all_stores_must_succeed'):
        if not isinstance(body.get(flag, False), bool):
            raise wsgi.http_error(400, _('%s must be true or false') % flag)
    importer.get_importer().import_image(
        ctx, image_id, method['name'], uri=method.get('uri'),
        requested_stores=body.get('stores'), all_stores=body.get('all_stores', False),
        request=body)
    return webob.Response(status=202, content_type=None)


def import_info(req, ctx):
    """GET /v2/info/import: the import methods glanceclient and openstacksdk may use."""
    return wsgi.json_response({'import-methods': {
        'description': 'Import methods available.', 'type': 'array',
        'value': list(importer.methods())}})


def _store(detail=False):
    store = {'id': importer.store_id(), 'description': 'This cloud\'s one image store',
             'default': True}
    if detail:
        store.update(type=importer.store_id(), properties={})
        if store['type'] == 'file':
            store['properties'] = {'data_dir': CONF.filesystem_store_datadir}
    return store


def stores_info(req, ctx):
    """GET /v2/info/stores: the one store every image is in."""
    return wsgi.json_response({'stores': [_store()]})


def stores_detail(req, ctx):
    """GET /v2/info/stores/detail (admin): the store's type and where it keeps data."""
    if not policy.check_is_admin(ctx):
        raise wsgi.http_error(403, _('Only an admin may see the details of the stores.'))
    return wsgi.json_response({'stores': [_store(detail=True)]})


def add_tag(req, ctx, image_id, tag):
    _service().add_tag(ctx, image_id, tag)
    return wsgi.no_content()


def delete_tag(req, ctx, image_id, tag):
    _service().delete_tag(ctx, image_id, tag)
    return wsgi.no_content()


def tasks(req, ctx, image_id):
    """GET /v2/images/{id}/tasks (Glance 2.12): the image's import tasks."""
    return wsgi.json_response({'tasks': [views.task(task) for task in
                                         importer.get_importer().image_tasks(ctx, image_id)]})
