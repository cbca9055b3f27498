"""PATCH /v2/images/{id}: Glance's two JSON-patch dialects, turned into one update.

application/openstack-images-v2.1-json-patch is RFC 6902 ({"op": "add",
"path": "/name", "value": ...}; 'add' replaces an existing member);
application/openstack-images-v2.0-json-patch is the older draft ({"add":
"/name", "value": ...}; 'add' of a present member is 409). Paths name one
top-level attribute or extra property. The operations are applied in order
to a copy of the image, and the difference is what the service is asked to
change, so 'add' then 'remove' of one property in one request changes nothing.
"""
from nova import exception
from nova.i18n import _
from nova.image.api import schemas
from nova.image.api import wsgi

MEDIA_TYPES = {'application/openstack-images-v2.1-json-patch': 'v2.1',
               'application/openstack-images-v2.0-json-patch': 'v2.0'}
OPERATIONS = ('add', 'remove', 'replace')
# attributes a patch may change (the service decides who may change which)
WRITABLE = ('name', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format',
            'container_format', 'min_disk', 'min_ram', 'tags')
READ_ONLY = ('created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo',
             'os_hash_value', 'size', 'virtual_size', 'direct_url', 'self', 'file',
             'schema', 'id', 'stores')
RESERVED = ('location', 'deleted', 'deleted_at')


def _bad(message):
    return wsgi.http_error(400, message)


def media_type(req):
    """The dialect of req's Content-Type; 415 with Accept-Patch for any other."""
    dialect = MEDIA_TYPES.get(req.content_type)
    if dialect is None:
        raise wsgi.http_error(415, _('Unsupported Content-Type %s') % (req.content_type or None),
                              headers={'Accept-Patch': ', '.join(MEDIA_TYPES)})
    return dialect


def _decode_pointer(pointer):
    """'/name' -> 'name' (with ~1 and ~0 unescaped); one level only."""
    if not isinstance(pointer, str) or not pointer.startswith('/'):
        raise _bad(_('Pointer `%s` does not start with "/".') % (pointer,))
    if pointer.endswith('/') or '//' in pointer:
        raise _bad(_("Json path should start with a '/', end with no '/', no 2 subsequent "
                   "'/' are allowed."))
    parts = pointer[1:].split('/')
    for part in parts:
        if '~' in part.replace('~0', '').replace('~1', ''):
            raise _bad(_('Pointer `%s` contains "~" not part of a recognized escape '
                       'sequence.') % pointer)
    if len(parts) > 1 and parts[0] != 'locations':
        # e.g. '/tags/0' from a list diff: Glance replaces whole attributes only
        raise _bad(_("Invalid JSON pointer for this resource: '%s'") % pointer)
    return parts[0].replace('~1', '/').replace('~0', '~')


def _operation(raw, dialect):
    """(op, attribute, value) of one operation object."""
    if not isinstance(raw, dict):
        raise _bad(_('Operations must be JSON objects.'))
    if dialect == 'v2.1':
        op = raw.get('op')
        if op not in OPERATIONS:
            raise _bad(_('Invalid operation: `%s`. It must be one of the following: `add`, '
                       '`remove`, `replace`.') % (op,))
        pointer = raw.get('path')
        if pointer is None:
            raise _bad(_('Unable to find `path` in JSON Schema change.'))
    else:
        ops = [name for name in OPERATIONS if name in raw]
        if len(ops) != 1:
            raise _bad(_('Operation objects must contain exactly one member named "add", '
                       '"remove", or "replace".'))
        op = ops[0]
        pointer = raw[op]
    if op != 'remove' and 'value' not in raw:
        raise _bad(_('Operation "%s" requires a member named "value".') % op)
    return op, _decode_pointer(pointer), raw.get('value')


def parse(req):
    """[(op, attribute, value), ...] of a PATCH request, in order, and its dialect."""
    dialect = media_type(req)
    return [_operation(raw, dialect) for raw in wsgi.read_json(req, list)], dialect


def _check_path(name):
    if name == 'locations':
        raise wsgi.http_error(403, _("It's not allowed to update locations if locations are "
                                   "invisible."))
    if name in READ_ONLY:
        raise exception.ImageAttributeReadOnly(attribute=name)
    if name in RESERVED:
        raise wsgi.http_error(403, _("Attribute '%s' is reserved.") % name)


def changes(image, operations, dialect):
    """(values, remove_props) for ImageService.update that the operations amount to."""
    attributes = {name: image[name] for name in WRITABLE}
    properties = dict(image['properties'])
    for op, name, value in operations:
        _check_path(name)
        base = name in attributes
        present = base or name in properties
        if op == 'remove':
            if base:
                raise wsgi.http_error(403, _('Property %s may not be removed.') % name)
            if not present:
                raise exception.ImagePropertyNotFound(image_id=image['id'], name=name)
            del properties[name]
            continue
        if op == 'replace' and not present:
            raise exception.ImagePropertyNotFound(image_id=image['id'], name=name)
        if op == 'add' and present and dialect == 'v2.0':
            raise wsgi.http_error(409, _('Property %s already present.') % name)
        schemas.validate_image({name: value})
        (attributes if base else properties)[name] = value
    values = {name: value for name, value in attributes.items() if value != image[name]}
    if 'tags' in values:
        values['tags'] = sorted(set(values['tags']))
        if values['tags'] == sorted(image['tags']):
            del values['tags']
    values.update((name, value) for name, value in properties.items()
                  if image['properties'].get(name) != value)
    return values, [name for name in image['properties'] if name not in properties]
