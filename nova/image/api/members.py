"""Image members: sharing a 'shared' image with other projects, who accept or reject it."""
from nova.i18n import _
from nova.image import service as image_service
from nova.image.api import views
from nova.image.api import wsgi


def _service():
    return image_service.get_default_image_service()


def _member_response(member):
    return wsgi.json_response(views.member(member))


def index(req, ctx, image_id):
    members = _service().list_members(ctx, image_id)
    return wsgi.json_response({'members': [views.member(member) for member in members],
                               'schema': '/v2/schemas/members'})


def create(req, ctx, image_id):
    body = wsgi.read_json(req)
    if 'member' not in body:
        raise wsgi.http_error(400, _('Member to be added not specified'))
    return _member_response(_service().add_member(ctx, image_id, body['member']))


def show(req, ctx, image_id, member_id):
    return _member_response(_service().get_member(ctx, image_id, member_id))


def update(req, ctx, image_id, member_id):
    body = wsgi.read_json(req)
    if 'status' not in body:
        raise wsgi.http_error(400, _('Status not specified'))
    return _member_response(_service().update_member(ctx, image_id, member_id,
                                                     body['status']))


def delete(req, ctx, image_id, member_id):
    _service().remove_member(ctx, image_id, member_id)
    return wsgi.no_content()
