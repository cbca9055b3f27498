"""Metadata definitions: the catalog of properties this cloud understands, as Glance's.

Everyone reads the public namespaces (and a project its own private ones);
only admins write (Glance's metadef policy). A protected namespace cannot be
deleted, nor can its definitions. Values are plain dicts:

- namespace: namespace, display_name, description, visibility, protected,
  owner, created_at, updated_at, resource_type_associations (and, when
  shown whole, properties {name: definition}, objects [..], tags [..]);
- object: name, description, required [..], properties {..};
- property: name plus its JSON-schema-like definition (title, type, ...);
- tag: name.

The shipped definitions (--metadefs_dir, etc/nova/metadefs/*.json, in
Glance's file format) are loaded once into an empty catalog by the first
image API process, and by ``nova-manage image metadefs load|unload|export``.
"""
import json
import logging
import os

from nova import exception
from nova import policy
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _

LOG = logging.getLogger(__name__)

NAMESPACE_FIELDS = ('namespace', 'display_name', 'description', 'visibility', 'protected',
                    'owner')
KINDS = {'objects': 'object', 'properties': 'property', 'tags': 'tag'}


def _when(row):
    return {'created_at': row.created_at, 'updated_at': row.updated_at or row.created_at}


def _definition(item):
    if item.kind == 'tag':
        return dict({'name': item.name}, **_when(item))
    return dict(item.definition, name=item.name, **_when(item))


def _association(association, name):
    view = dict({'name': name}, **_when(association))
    for field in ('prefix', 'properties_target'):
        if getattr(association, field) is not None:
            view[field] = getattr(association, field)
    return view


class MetadefService:
    """The catalog's rules over nova.db.api."""

    @staticmethod
    def _authorize(context, action):
        policy.authorize(context, action, {'project_id': context.project_id})

    def _writable(self, context, namespace, action, deleting=False):
        """The namespace row context may change with action; protected ones keep
        their definitions."""
        self._authorize(context, action)
        row = db.metadef_namespace_get(context, namespace)
        if deleting and row.protected:
            raise exception.Forbidden(reason=_('Namespace %s is protected and its '
                                             'definitions cannot be deleted') % namespace)
        return row

    # ------------------------------------------------------------ namespaces

    def _namespace_dict(self, context, row, whole=False, resource_type=None):
        result = {field: getattr(row, field) for field in NAMESPACE_FIELDS}
        result.update(_when(row))
        associations = db.metadef_association_get_all(context, row.namespace)
        result['resource_type_associations'] = [_association(a, name)
                                                for a, name in associations]
        if whole:
            prefix = ''
            if resource_type:
                prefix = next((a.prefix or '' for a, name in associations
                               if name == resource_type), '')
            for plural, kind in KINDS.items():
                items = db.metadef_item_get_all(context, row.namespace, kind)
                if not items:
                    continue
                if kind == 'property':
                    result[plural] = {prefix + item.name: _definition(item)
                                      for item in items}
                else:
                    result[plural] = [_definition(item) for item in items]
        return result

    def list_namespaces(self, context, marker=None, limit=None, sort_key='created_at',
                        sort_dir='asc', visibility=None, resource_types=None):
        rows = db.metadef_namespace_get_all(context, marker=marker, limit=limit,
                                            sort_key=sort_key, sort_dir=sort_dir,
                                            visibility=visibility,
                                            resource_types=resource_types)
        return [self._namespace_dict(context, row) for row in rows]

    def show_namespace(self, context, namespace, resource_type=None):
        row = db.metadef_namespace_get(context, namespace)
        return self._namespace_dict(context, row, whole=True, resource_type=resource_type)

    def create_namespace(self, context, values):
        """A namespace with the definitions and associations values may carry."""
        self._authorize(context, 'add_metadef_namespace')
        core = {field: values[field] for field in NAMESPACE_FIELDS if field in values}
        core.setdefault('visibility', 'private')
        core.setdefault('protected', False)
        core.setdefault('owner', context.project_id)
        items = [('property', name, _strip(definition))
                 for name, definition in (values.get('properties') or {}).items()]
        items += [('object', obj['name'], _strip(obj)) for obj in values.get('objects') or ()]
        items += [('tag', tag['name'], {}) for tag in values.get('tags') or ()]
        row = db.metadef_namespace_create(context, core, items,
                                          values.get('resource_type_associations') or ())
        return self._namespace_dict(context, row, whole=True)

    def update_namespace(self, context, namespace, values):
        self._writable(context, namespace, 'modify_metadef_namespace')
        core = {field: values[field] for field in NAMESPACE_FIELDS if field in values}
        row = db.metadef_namespace_update(context, namespace, core)
        return self._namespace_dict(context, row)

    def delete_namespace(self, context, namespace):
        row = self._writable(context, namespace, 'delete_metadef_namespace')
        if row.protected:
            raise exception.Forbidden(reason=_('Namespace %s is protected and cannot be '
                                             'deleted') % namespace)
        db.metadef_namespace_delete(context, namespace)

    # ----------------------------------------------------------- definitions

    def list_items(self, context, namespace, kind):
        return [_definition(item) for item in db.metadef_item_get_all(context, namespace,
                                                                      kind)]

    def show_item(self, context, namespace, kind, name, resource_type=None):
        if kind == 'property' and resource_type:
            name = self._unprefixed(context, namespace, name, resource_type)
        return _definition(db.metadef_item_get(context, namespace, kind, name))

    def _unprefixed(self, context, namespace, name, resource_type):
        for association, type_name in db.metadef_association_get_all(context, namespace):
            if type_name == resource_type and association.prefix:
                if not name.startswith(association.prefix):
                    raise exception.InvalidInput(
                        reason=_('Property %s does not start with the prefix %s of resource '
                               'type %s') % (name, association.prefix, resource_type))
                return name[len(association.prefix):]
        return name

    def create_item(self, context, namespace, kind, definition):
        self._writable(context, namespace, 'add_metadef_%s' % kind)
        item = db.metadef_item_create(context, namespace, kind, definition['name'],
                                      _strip(definition))
        return _definition(item)

    def update_item(self, context, namespace, kind, name, definition):
        self._writable(context, namespace, 'modify_metadef_%s' % kind)
        item = db.metadef_item_update(context, namespace, kind, name,
                                      definition.get('name', name), _strip(definition))
        return _definition(item)

    def delete_item(self, context, namespace, kind, name):
        self._writable(context, namespace, 'delete_metadef_%s' % kind, deleting=True)
        db.metadef_item_delete(context, namespace, kind, name)

    def delete_items(self, context, namespace, kind):
        """Every definition of kind in the namespace (DELETE .../objects, ...)."""
        self._writable(context, namespace, 'delete_metadef_%s' % kind, deleting=True)
        db.metadef_items_replace(context, namespace, kind, [])

    def create_tags(self, context, namespace, names, append=False):
        """The namespace's tags become names (or gain them, with append)."""
        self._writable(context, namespace, 'add_metadef_tag')
        if len(set(names)) != len(names):
            raise exception.MetadefDuplicate(what='tag', name='(listed twice)',
                                             namespace=namespace)
        return [_definition(item) for item in db.metadef_items_replace(
            context, namespace, 'tag', [(name, {}) for name in names], append=append)]

    # -------------------------------------------------------- resource types

    def list_resource_types(self, context):
        return [dict({'name': row.name}, **_when(row))
                for row in db.metadef_resource_type_get_all(context)]

    def list_associations(self, context, namespace):
        return [_association(a, name)
                for a, name in db.metadef_association_get_all(context, namespace)]

    def associate(self, context, namespace, values):
        self._writable(context, namespace, 'add_metadef_resource_type_association')
        db.metadef_association_create(context, namespace, values)
        return next(a for a in self.list_associations(context, namespace)
                    if a['name'] == values['name'])

    def dissociate(self, context, namespace, name):
        self._writable(context, namespace, 'remove_metadef_resource_type_association',
                       deleting=True)
        db.metadef_association_delete(context, namespace, name)


def _strip(definition):
    """A definition as stored: without its name and the server's own fields."""
    return {key: value for key, value in definition.items()
            if key not in ('name', 'created_at', 'updated_at', 'self', 'schema')}


_service = MetadefService()


def get_metadef_service():
    return _service


# ----------------------------------------------------------- definition files

def _files(path):
    try:
        names = sorted(name for name in os.listdir(path) if name.endswith('.json'))
    except OSError as e:
        raise exception.InvalidInput(reason=_('cannot read metadefs directory %s: %s') % (
            path, e.strerror)) from None
    return [os.path.join(path, name) for name in names]


def _read(path):
    try:
        with open(path) as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        raise exception.InvalidInput(reason=_('%s is not a metadata definition file: %s')
                                     % (path, e)) from None
    if not isinstance(document, dict) or not isinstance(document.get('namespace'), str):
        raise exception.InvalidInput(reason=_('%s names no namespace') % path)
    return document


def load(context, path=None, merge=False):
    """Load every *.json of path (default --metadefs_dir); (loaded, skipped) names.

    A namespace that exists already is skipped, or with merge, its missing
    definitions and associations are added (existing ones are kept).
    """
    loaded, skipped = [], []
    service = get_metadef_service()
    for file_path in _files(path or CONF.metadefs_dir):
        document = _read(file_path)
        name = document['namespace']
        try:
            db.metadef_namespace_get(context, name)
        except exception.MetadefNamespaceNotFound:
            document.setdefault('owner', None)
            service.create_namespace(context, document)
            loaded.append(name)
            continue
        if merge:
            _merge(context, service, document)
            loaded.append(name)
        else:
            skipped.append(name)
    return loaded, skipped


def _merge(context, service, document):
    name = document['namespace']
    existing = service.show_namespace(context, name)
    have = {(kind, item['name']) for plural, kind in KINDS.items()
            for item in (existing.get(plural).values() if plural == 'properties'
                         else existing.get(plural) or ())}
    for prop_name, definition in (document.get('properties') or {}).items():
        if ('property', prop_name) not in have:
            service.create_item(context, name, 'property', dict(definition, name=prop_name))
    for kind, plural in (('object', 'objects'), ('tag', 'tags')):
        for item in document.get(plural) or ():
            if (kind, item['name']) not in have:
                service.create_item(context, name, kind, item)
    associated = {a['name'] for a in existing['resource_type_associations']}
    for association in document.get('resource_type_associations') or ():
        if association['name'] not in associated:
            service.associate(context, name, association)


def unload(context):
    """Delete every namespace; how many there were."""
    return db.metadef_namespace_delete_all(context)


def export(context, path=None):
    """Write each namespace to path (default --metadefs_dir) as NAME.json; the files."""
    path = path or CONF.metadefs_dir
    os.makedirs(path, exist_ok=True)
    written = []
    service = get_metadef_service()
    for namespace in service.list_namespaces(context, sort_key='namespace'):
        document = service.show_namespace(context, namespace['namespace'])
        document = _exportable(document)
        file_path = os.path.join(path, document['namespace'].replace('::', '-')
                                 .replace('/', '-').lower() + '.json')
        with open(file_path, 'w') as f:
            json.dump(document, f, indent=4, sort_keys=True)
            f.write('\n')
        written.append(file_path)
    return written


def _exportable(document):
    """A namespace as its definition file says it: no dates, no owner."""
    def clean(value):
        return {k: v for k, v in value.items() if k not in ('created_at', 'updated_at',
                                                            'owner', 'name')}
    result = clean(document)
    result['namespace'] = document['namespace']
    result['resource_type_associations'] = [
        dict(clean(a), name=a['name']) for a in document['resource_type_associations']]
    if 'properties' in document:
        result['properties'] = {name: clean(d) for name, d in document['properties'].items()}
    for plural in ('objects', 'tags'):
        if plural in document:
            result[plural] = [dict(clean(item), name=item['name'])
                              for item in document[plural]]
    return {k: v for k, v in result.items() if v is not None}


def ensure_loaded(context):
    """Load the shipped definitions into an empty catalog (first start); the names."""
    if db.metadef_namespace_get_all(context, limit=1):
        return []
    try:
        loaded, _skipped = load(context)
    except exception.MetadefDuplicate:  # another process loaded them meanwhile
        return []
    if loaded:
        LOG.info('Loaded %d metadata definition namespaces from %s', len(loaded),
                 CONF.metadefs_dir)
    return loaded
