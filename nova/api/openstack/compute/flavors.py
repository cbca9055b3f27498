"""/flavors: list (+ detail, filters, paging), show; admins create, describe, delete.

Everyone sees the public flavors and the private ones shared with their
project; admins see every flavor and may filter on is_public (``none``: all).
The rules (validation, access, storage) are nova.compute.flavors'.
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import flavors as schema
from nova.api.openstack.compute.views import flavors as views
from nova.compute import flavors
from nova.i18n import _

EXTRA_SPECS_INDEX = 'os_compute_api:os-flavor-extra-specs:index'


def get_flavor(context, flavor_id):
    """The live flavor the context may see, or FlavorNotFound (404)."""
    return flavors.get_by_flavor_id(flavor_id, context, read_deleted='no')


def may_see_extra_specs(context):
    return policy.authorize(context, EXTRA_SPECS_INDEX, do_raise=False)


def _is_public_filter(req):
    """True unless an admin asks otherwise; 'none' means public and private."""
    value = req.GET.get('is_public')
    if value is None or not req.context.is_admin:
        return True
    if value.strip().lower() == 'none':
        return None
    text = value.strip().lower()
    if text in ('1', 't', 'true', 'on', 'y', 'yes'):
        return True
    if text in ('0', 'f', 'false', 'off', 'n', 'no'):
        return False
    raise webob.exc.HTTPBadRequest(explanation=_('Invalid is_public filter [%s]') % value)


def _int_filter(req, param):
    try:
        return int(req.GET[param])
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('Invalid %s filter [%s]') % (param, req.GET[param])) from None


def _filters(req):
    filters = {'is_public': _is_public_filter(req)}
    if not req.context.is_admin:
        filters['disabled'] = False
    for param, key in (('minRam', 'min_memory_mb'), ('minDisk', 'min_root_gb')):
        if param in req.GET:
            filters[key] = _int_filter(req, param)
    return filters


def _optional(body, key, default):
    value = body.get(key)
    return default if value is None else value


class FlavorsController(wsgi.Controller):
    # ------------------------------------------------------------------ reads
    def _list(self, req, full):
        limit, marker = common.limit_and_marker(req)
        try:
            rows = flavors.get_all(req.context, filters=_filters(req),
                                   sort_key=req.GET.get('sort_key') or 'flavorid',
                                   sort_dir=req.GET.get('sort_dir') or 'asc',
                                   limit=limit, marker=marker)
        except exception.MarkerNotFound:
            raise webob.exc.HTTPBadRequest(
                explanation=_('marker [%s] not found') % marker) from None
        specs = full and may_see_extra_specs(req.context)
        return views.page(req, rows, limit, full, extra_specs=specs)

    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def index(self, req):
        return self._list(req, full=False)

    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def detail(self, req):
        return self._list(req, full=True)

    def show(self, req, id):
        flavor = get_flavor(req.context, id)
        return {'flavor': views.detail(req, flavor,
                                       extra_specs=may_see_extra_specs(req.context))}

    # ----------------------------------------------------------------- admin
    @validation.schema(schema.create, '2.1', '2.54')
    @validation.schema(schema.create_v255, '2.55')
    def create(self, req, body):
        context = req.context
        policy.authorize(context, 'os_compute_api:os-flavor-manage:create', {})
        given = body['flavor']
        flavor = flavors.create(
            given['name'], given['ram'], given['vcpus'], given['disk'],
            ephemeral_gb=_optional(given, 'OS-FLV-EXT-DATA:ephemeral', 0),
            flavorid=given.get('id'), swap=_optional(given, 'swap', 0),
            rxtx_factor=_optional(given, 'rxtx_factor', 1.0),
            is_public=_optional(given, 'os-flavor-access:is_public', True),
            description=given.get('description'), ctxt=context)
        return {'flavor': views.detail(req, flavor, extra_specs=may_see_extra_specs(context))}

    @wsgi.api_version('2.55')
    @validation.schema(schema.update)
    def update(self, req, id, body):
        context = req.context
        policy.authorize(context, 'os_compute_api:os-flavor-manage:update', {})
        get_flavor(context, id)
        flavor = flavors.update_description(id, body['flavor']['description'], ctxt=context)
        return {'flavor': views.detail(req, flavor, extra_specs=may_see_extra_specs(context))}

    @wsgi.response(202)
    def delete(self, req, id):
        policy.authorize(req.context, 'os_compute_api:os-flavor-manage:delete', {})
        flavors.destroy(id, ctxt=req.context)
