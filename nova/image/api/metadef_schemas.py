"""JSON schemas of the metadata definitions (/v2/schemas/metadefs/...), as Glance serves them.

Requests are validated against them before the catalog sees them, so a
bad body is a 400 naming the value the schema refuses.
"""
import copy

import jsonschema

from nova.i18n import _
from nova.image.api import wsgi

_NAME = {'type': 'string', 'maxLength': 80, 'minLength': 1}
_DATES = {'created_at': {'type': 'string', 'readOnly': True, 'format': 'date-time',
                         'description': 'Date and time of the resource creation'},
          'updated_at': {'type': 'string', 'readOnly': True, 'format': 'date-time',
                         'description': 'Date and time of the last modification'}}
_POSITIVE = {'type': 'integer', 'minimum': 0}
_PROPERTY_DEFINITION = {
    'type': 'object',
    'required': ['title', 'type'],
    'properties': {
        'name': {'type': 'string', 'maxLength': 255},
        'title': {'type': 'string'},
        'description': {'type': 'string'},
        'operators': {'type': 'array', 'items': {'type': 'string'}},
        'type': {'type': 'string', 'enum': ['array', 'boolean', 'integer', 'number',
                                            'object', 'string', None]},
        'required': {'type': 'array', 'items': {'type': 'string'}, 'uniqueItems': True},
        'minimum': {'type': 'number'}, 'maximum': {'type': 'number'},
        'maxLength': _POSITIVE, 'minLength': _POSITIVE, 'pattern': {'type': 'string',
                                                                   'format': 'regex'},
        'enum': {'type': 'array'}, 'readonly': {'type': 'boolean'}, 'default': {},
        'items': {'type': 'object', 'properties': {
            'type': {'type': 'string', 'enum': ['array', 'boolean', 'integer', 'number',
                                                'object', 'string', None]},
            'enum': {'type': 'array'}}},
        'maxItems': _POSITIVE, 'minItems': _POSITIVE, 'uniqueItems': {'type': 'boolean'},
        'additionalItems': {'type': 'boolean'},
    },
}
_ASSOCIATION = {
    'type': 'object', 'required': ['name'],
    'properties': dict({
        'name': dict(_NAME, description='Resource type names should be aligned with Heat '
                                        'resource types whenever possible'),
        'prefix': {'type': 'string', 'maxLength': 80,
                   'description': 'Prefix of the namespace\'s properties for this resource '
                                  'type (e.g. hw: for flavor extra specs)'},
        'properties_target': {'type': 'string', 'maxLength': 80,
                              'description': 'Where the properties go on the resource '
                                             '(e.g. image, for a volume\'s image metadata)'},
    }, **_DATES),
    'additionalProperties': False,
}
_OBJECT = {
    'type': 'object', 'required': ['name'],
    'properties': dict({
        'name': {'type': 'string', 'maxLength': 80, 'minLength': 1},
        'description': {'type': 'string'},
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'properties': {'type': 'object',
                       'additionalProperties': _PROPERTY_DEFINITION},
        'schema': {'type': 'string', 'readOnly': True},
        'self': {'type': 'string', 'readOnly': True},
    }, **_DATES),
    'additionalProperties': False,
}
_TAG = {
    'type': 'object', 'required': ['name'],
    'properties': dict({'name': {'type': 'string', 'maxLength': 255, 'minLength': 1}},
                       **_DATES),
    'additionalProperties': False,
}
_NAMESPACE = {
    'type': 'object', 'required': ['namespace'],
    'properties': dict({
        'namespace': dict(_NAME, description='The unique namespace text.'),
        'display_name': {'type': 'string', 'maxLength': 80,
                         'description': 'The user friendly name for the namespace.'},
        'description': {'type': 'string', 'maxLength': 500,
                        'description': 'Provides a user friendly description.'},
        'visibility': {'type': 'string', 'enum': ['public', 'private'],
                       'description': 'Scope of namespace accessibility.'},
        'protected': {'type': 'boolean',
                      'description': 'If true, namespace will not be deletable.'},
        'owner': {'type': ['null', 'string'], 'maxLength': 255,
                  'description': 'Owner of the namespace.'},
        'schema': {'type': 'string', 'readOnly': True},
        'self': {'type': 'string', 'readOnly': True},
        'resource_type_associations': {'type': 'array', 'items': _ASSOCIATION},
        'properties': {'type': 'object', 'additionalProperties': _PROPERTY_DEFINITION},
        'objects': {'type': 'array', 'items': _OBJECT},
        'tags': {'type': 'array', 'items': _TAG},
    }, **_DATES),
    'additionalProperties': False,
}

# schema name -> (name it says, the item schema, collection key or None)
SCHEMAS = {
    'namespace': ('namespace', _NAMESPACE, None),
    'namespaces': ('namespaces', _NAMESPACE, 'namespaces'),
    'resource_type': ('resource_type_association', _ASSOCIATION, None),
    'resource_types': ('resource_type_associations', _ASSOCIATION,
                       'resource_type_associations'),
    'object': ('object', _OBJECT, None),
    'objects': ('objects', _OBJECT, 'objects'),
    'property': ('property', dict(_PROPERTY_DEFINITION, required=['name', 'title', 'type']),
                 None),
    'properties': ('properties', _PROPERTY_DEFINITION, 'properties'),
    'tag': ('tag', _TAG, None),
    'tags': ('tags', _TAG, 'tags'),
}


def schema(kind):
    """The document GET /v2/schemas/metadefs/<kind> answers."""
    name, item, collection = SCHEMAS[kind]
    if collection is None:
        return dict(copy.deepcopy(item), name=name)
    if collection == 'properties':
        items = {'type': 'object', 'additionalProperties': copy.deepcopy(item)}
    else:
        items = {'type': 'array', 'items': copy.deepcopy(item)}
    return {'name': name, 'properties': {collection: items, 'first': {'type': 'string'},
                                         'next': {'type': 'string'},
                                         'schema': {'type': 'string'}},
            'links': [{'rel': 'first', 'href': '{first}'}, {'rel': 'next', 'href': '{next}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


_VALIDATORS = {kind: jsonschema.Draft4Validator(dict(SCHEMAS[kind][1]))
               for kind in ('namespace', 'resource_type', 'object', 'property', 'tag')}
_VALIDATORS['property'] = jsonschema.Draft4Validator(SCHEMAS['property'][1])


def validate(kind, body):
    """400 naming the first value the schema of kind refuses, as Glance answers."""
    error = jsonschema.exceptions.best_match(_VALIDATORS[kind].iter_errors(body))
    if error is not None:
        where = ''.join('[%r]' % part for part in error.absolute_path)
        raise wsgi.http_error(400, _("Provided object does not match schema '%s': %s (on "
                                   "instance%s)") % (SCHEMAS[kind][0], error.message, where))


def show(req, ctx, kind):
    if kind not in SCHEMAS:
        raise wsgi.http_error(404, _('The resource could not be found.'))
    return wsgi.json_response(schema(kind))
