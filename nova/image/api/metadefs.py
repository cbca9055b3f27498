"""/v2/metadefs/...: namespaces, objects, properties, tags and resource types, as Glance.

Bodies are checked against the metadef schemas here; the catalog
(nova.image.metadefs) decides who may do what.
"""
import urllib.parse

from nova.i18n import _
from nova.image import metadefs as metadef_service
from nova.image.api import listing
from nova.image.api import metadef_schemas
from nova.image.api import views
from nova.image.api import wsgi

NAMESPACES = '/v2/metadefs/namespaces'
NAMESPACE_PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir', 'visibility',
                    'resource_types')
KINDS = {'objects': 'object', 'properties': 'property', 'tags': 'tag'}
KINDS_PLURAL = {kind: plural for plural, kind in KINDS.items()}


def _service():
    return metadef_service.get_metadef_service()


def _dated(value):
    value = dict(value)
    for field in ('created_at', 'updated_at'):
        if field in value:
            value[field] = views.timestamp(value[field])
    return value


def _namespace_view(namespace):
    view = {key: value for key, value in _dated(namespace).items()
            if value is not None and key not in ('properties', 'objects', 'tags',
                                                 'resource_type_associations')}
    view['resource_type_associations'] = [
        _dated(a) for a in namespace['resource_type_associations']]
    if 'properties' in namespace:
        view['properties'] = {name: _property_view(p)
                              for name, p in namespace['properties'].items()}
    for plural in ('objects', 'tags'):
        if plural in namespace:
            view[plural] = [_item_view(namespace['namespace'], KINDS[plural], item)
                            for item in namespace[plural]]
    view.update(self='%s/%s' % (NAMESPACES, namespace['namespace']),
                schema='/v2/schemas/metadefs/namespace')
    if not view['resource_type_associations']:
        del view['resource_type_associations']
    return view


def _property_view(prop):
    return {key: value for key, value in prop.items()
            if key not in ('created_at', 'updated_at')}


def _item_view(namespace, kind, item):
    if kind == 'property':
        return _property_view(item)
    view = _dated(item)
    if kind == 'object':
        view.setdefault('required', [])
        view.setdefault('properties', {})
        view.update(self='%s/%s/objects/%s' % (NAMESPACES, namespace, item['name']),
                    schema='/v2/schemas/metadefs/object')
    return view


def _body(req, kind):
    body = wsgi.read_json(req)
    metadef_schemas.validate(kind, body)
    return body


# ------------------------------------------------------------- namespaces

def list_namespaces(req, ctx):
    params = req.GET
    for name in params:
        if name not in NAMESPACE_PARAMS:
            raise wsgi.http_error(400, _('Invalid parameter %s: use one of %s') % (
                name, ', '.join(NAMESPACE_PARAMS)))
    limit = listing.parse_limit(params)
    sort_dir = params.get('sort_dir', 'desc')
    if sort_dir not in ('asc', 'desc'):
        raise wsgi.http_error(400, _('Invalid sort direction: %s') % sort_dir)
    visibility = params.get('visibility')
    if visibility not in (None, 'public', 'private'):
        raise wsgi.http_error(400, _('Invalid visibility value: %s') % visibility)
    resource_types = [name.strip() for name in params.get('resource_types', '').split(',')
                      if name.strip()]
    namespaces = _service().list_namespaces(
        ctx, marker=params.get('marker'), limit=limit,
        sort_key=params.get('sort_key', 'created_at'), sort_dir=sort_dir,
        visibility=visibility, resource_types=resource_types)
    body = {'namespaces': [_namespace_view(ns) for ns in namespaces], 'first': NAMESPACES,
            'schema': '/v2/schemas/metadefs/namespaces'}
    query = [(name, value) for name, value in params.items() if name != 'marker']
    if query:
        body['first'] += '?' + urllib.parse.urlencode(query)
    if namespaces and len(namespaces) == limit:
        body['next'] = NAMESPACES + '?' + urllib.parse.urlencode(
            query + [('marker', namespaces[-1]['namespace'])])
    return wsgi.json_response(body)


def create_namespace(req, ctx):
    namespace = _service().create_namespace(ctx, _body(req, 'namespace'))
    return wsgi.json_response(_namespace_view(namespace), 201)


def show_namespace(req, ctx, namespace):
    return wsgi.json_response(_namespace_view(_service().show_namespace(
        ctx, namespace, resource_type=req.GET.get('resource_type'))))


def update_namespace(req, ctx, namespace):
    updated = _service().update_namespace(ctx, namespace, _body(req, 'namespace'))
    return wsgi.json_response(_namespace_view(updated))


def delete_namespace(req, ctx, namespace):
    _service().delete_namespace(ctx, namespace)
    return wsgi.no_content()


# ------------------------------------------ objects, properties and tags

def _kind(path):
    return KINDS[path.rstrip('/').split('/')[5]]


def list_items(req, ctx, namespace):
    kind = _kind(req.path_info)
    items = _service().list_items(ctx, namespace, kind)
    if kind == 'property':
        return wsgi.json_response({'properties': {item['name']: _property_view(item)
                                                  for item in items}})
    body = {KINDS_PLURAL[kind]: [_item_view(namespace, kind, item) for item in items]}
    if kind == 'object':
        body['schema'] = '/v2/schemas/metadefs/objects'
    return wsgi.json_response(body)



def create_item(req, ctx, namespace):
    kind = _kind(req.path_info)
    if kind == 'tag':
        body = wsgi.read_json(req)
        tags = body.get('tags')
        if not isinstance(tags, list):
            raise wsgi.http_error(400, _('Request body must have a list of tags'))
        for tag in tags:
            metadef_schemas.validate('tag', tag)
        append = req.headers.get('X-Openstack-Append', '').lower() == 'true'
        created = _service().create_tags(ctx, namespace, [tag['name'] for tag in tags],
                                         append=append)
        return wsgi.json_response({'tags': [_item_view(namespace, 'tag', tag)
                                            for tag in created]}, 201)
    item = _service().create_item(ctx, namespace, kind, _body(req, kind))
    return wsgi.json_response(_item_view(namespace, kind, item), 201)


def delete_items(req, ctx, namespace):
    _service().delete_items(ctx, namespace, _kind(req.path_info))
    return wsgi.no_content()


def show_item(req, ctx, namespace, name):
    kind = _kind(req.path_info)
    item = _service().show_item(ctx, namespace, kind, name,
                                resource_type=req.GET.get('resource_type'))
    return wsgi.json_response(_item_view(namespace, kind, item))


def create_tag(req, ctx, namespace, name):
    """POST .../tags/{name}: one more tag, no body."""
    metadef_schemas.validate('tag', {'name': name})
    [tag] = _service().create_tags(ctx, namespace, [name], append=True)
    return wsgi.json_response(_item_view(namespace, 'tag', tag), 201)


def update_item(req, ctx, namespace, name):
    kind = _kind(req.path_info)
    body = _body(req, kind)
    item = _service().update_item(ctx, namespace, kind, name, body)
    return wsgi.json_response(_item_view(namespace, kind, item))


def delete_item(req, ctx, namespace, name):
    _service().delete_item(ctx, namespace, _kind(req.path_info), name)
    return wsgi.no_content()


# --------------------------------------------------------- resource types

def list_resource_types(req, ctx):
    return wsgi.json_response({'resource_types': [
        _dated(rt) for rt in _service().list_resource_types(ctx)]})


def list_associations(req, ctx, namespace):
    return wsgi.json_response({'resource_type_associations': [
        _dated(a) for a in _service().list_associations(ctx, namespace)]})


def associate(req, ctx, namespace):
    association = _service().associate(ctx, namespace, _body(req, 'resource_type'))
    return wsgi.json_response(_dated(association), 201)


def dissociate(req, ctx, namespace, name):
    _service().dissociate(ctx, namespace, name)
    return wsgi.no_content()


def _items_routes():
    routes = []
    for plural in KINDS:
        base = NAMESPACES + '/{namespace}/' + plural
        routes.append((base, {'GET': list_items, 'POST': create_item,
                              'DELETE': delete_items}))
        one = {'GET': show_item, 'PUT': update_item, 'DELETE': delete_item}
        if plural == 'tags':
            one['POST'] = create_tag
        routes.append((base + '/{name}', one))
    return routes


ROUTES = [
    ('/v2/schemas/metadefs/{kind}', {'GET': metadef_schemas.show}),
    (NAMESPACES, {'GET': list_namespaces, 'POST': create_namespace}),
    (NAMESPACES + '/{namespace}', {'GET': show_namespace, 'PUT': update_namespace,
                                   'DELETE': delete_namespace}),
    ('/v2/metadefs/resource_types', {'GET': list_resource_types}),
    (NAMESPACES + '/{namespace}/resource_types', {'GET': list_associations,
                                                  'POST': associate}),
    (NAMESPACES + '/{namespace}/resource_types/{name}', {'DELETE': dissociate}),
] + _items_routes()
