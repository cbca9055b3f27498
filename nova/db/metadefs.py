"""Metadata definitions in SQL: namespaces, their objects/properties/tags, resource types.

Reads apply Glance's rule to the context: an admin sees every namespace,
others the public ones and their project's own; anything else is
MetadefNamespaceNotFound. Who may write is nova.image.metadefs' business.
Namespaces come back as detached rows; definitions as (name, definition,
created_at, updated_at) rows.
"""
import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import metadef_models as models
from nova.db import query
from nova.db import session as db_session

Namespace = models.MetadefNamespace
Item = models.MetadefItem
ResourceType = models.MetadefResourceType
Association = models.MetadefResourceTypeAssociation
NAMESPACE_SORT_KEYS = ('namespace', 'created_at', 'updated_at', 'display_name', 'id')


def _visible(context):
    if context.is_admin:
        return sa.true()
    allowed = [Namespace.visibility == 'public']
    if context.project_id is not None:
        allowed.append(Namespace.owner == context.project_id)
    return sa.or_(*allowed)


def _namespace(session, context, namespace, lock=False):
    stmt = sa.select(Namespace).where(Namespace.namespace == namespace, _visible(context))
    if lock:
        stmt = stmt.with_for_update()
    return query.first(session, stmt, lambda: exception.MetadefNamespaceNotFound(
        namespace=namespace))


def _duplicate(what, name, namespace):
    return exception.MetadefDuplicate(what=what, name=name, namespace=namespace)


def _resource_type(session, name):
    """The resource type row, made on first use (as Glance does)."""
    found = session.scalars(sa.select(ResourceType).where(ResourceType.name == name)).first()
    if found is None:
        found = ResourceType(name=name, protected=False, created_at=utils.utcnow())
        session.add(found)
        session.flush()
    return found


def _add_association(session, namespace_row, values):
    resource_type = _resource_type(session, values['name'])
    session.add(Association(namespace_id=namespace_row.id, resource_type_id=resource_type.id,
                            prefix=values.get('prefix'),
                            properties_target=values.get('properties_target'),
                            created_at=utils.utcnow()))


# ------------------------------------------------------------- namespaces

def metadef_namespace_create(context, values, items=(), associations=()):
    """A namespace with its definitions ([(kind, name, definition)]) and resource
    type associations ([{name, prefix, properties_target}]), in one transaction."""
    name = values['namespace']
    with errors.duplicate_raises(lambda: _duplicate('namespace', name, name)):
        with db_session.writer() as session:
            row = Namespace(**values)
            row.created_at = utils.utcnow()
            session.add(row)
            session.flush()
            for kind, item_name, definition in items:
                session.add(Item(namespace_id=row.id, kind=kind, name=item_name,
                                 definition=definition, created_at=utils.utcnow()))
            for association in associations:
                _add_association(session, row, association)
            session.flush()
            return row


def metadef_namespace_get(context, namespace):
    with db_session.reader() as session:
        return _namespace(session, context, namespace)


def metadef_namespace_get_all(context, marker=None, limit=None, sort_key='created_at',
                              sort_dir='asc', visibility=None, resource_types=None):
    """Namespaces context may see, paged after the marker namespace's name."""
    if sort_key not in NAMESPACE_SORT_KEYS:
        raise exception.InvalidInput(reason='unknown sort key %r; use one of %s' % (
            sort_key, ', '.join(NAMESPACE_SORT_KEYS)))
    column = getattr(Namespace, sort_key)
    stmt = sa.select(Namespace).where(_visible(context))
    if visibility is not None:
        stmt = stmt.where(Namespace.visibility == visibility)
    if resource_types:
        stmt = stmt.where(sa.select(Association.id).join(
            ResourceType, ResourceType.id == Association.resource_type_id).where(
            Association.namespace_id == Namespace.id,
            ResourceType.name.in_(resource_types)).exists())
    with db_session.reader() as session:
        if marker is not None:
            after = _namespace(session, context, marker)
            value = getattr(after, sort_key)
            later = (column > value) if sort_dir == 'asc' else (column < value)
            tie = (Namespace.id > after.id) if sort_dir == 'asc' else (Namespace.id < after.id)
            stmt = stmt.where(sa.or_(later, sa.and_(column == value, tie)))
        if sort_dir == 'asc':
            stmt = stmt.order_by(column.asc(), Namespace.id.asc())
        else:
            stmt = stmt.order_by(column.desc(), Namespace.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.scalars(stmt))


def metadef_namespace_update(context, namespace, values):
    new_name = values.get('namespace', namespace)
    with errors.duplicate_raises(lambda: _duplicate('namespace', new_name, new_name)):
        with db_session.writer() as session:
            row = _namespace(session, context, namespace, lock=True)
            row.update(values)
            row.updated_at = utils.utcnow()
            session.flush()
            return row


def metadef_namespace_delete(context, namespace):
    """Delete the namespace with its definitions and associations."""
    with db_session.writer() as session:
        row = _namespace(session, context, namespace, lock=True)
        for model in (Item, Association):
            session.execute(sa.delete(model).where(model.namespace_id == row.id))
        session.delete(row)


def metadef_namespace_delete_all(context):
    """Every namespace gone (nova-manage image metadefs unload); how many there were."""
    with db_session.writer() as session:
        for model in (Item, Association):
            session.execute(sa.delete(model))
        return session.execute(sa.delete(Namespace)).rowcount


# ------------------------------------------------------------ definitions

def _item(session, row, kind, name):
    stmt = sa.select(Item).where(Item.namespace_id == row.id, Item.kind == kind,
                                 Item.name == name)
    return query.first(session, stmt, lambda: exception.MetadefNotFound(
        what=kind, name=name, namespace=row.namespace))


def metadef_item_create(context, namespace, kind, name, definition):
    with errors.duplicate_raises(lambda: _duplicate(kind, name, namespace)):
        with db_session.writer() as session:
            row = _namespace(session, context, namespace)
            item = Item(namespace_id=row.id, kind=kind, name=name, definition=definition,
                        created_at=utils.utcnow())
            session.add(item)
            session.flush()
            return item


def metadef_item_get(context, namespace, kind, name):
    with db_session.reader() as session:
        return _item(session, _namespace(session, context, namespace), kind, name)


def metadef_item_get_all(context, namespace, kind):
    with db_session.reader() as session:
        row = _namespace(session, context, namespace)
        return list(session.scalars(sa.select(Item).where(
            Item.namespace_id == row.id, Item.kind == kind).order_by(Item.name)))


def metadef_item_update(context, namespace, kind, name, new_name, definition):
    with errors.duplicate_raises(lambda: _duplicate(kind, new_name, namespace)):
        with db_session.writer() as session:
            item = _item(session, _namespace(session, context, namespace), kind, name)
            item.name, item.definition, item.updated_at = new_name, definition, utils.utcnow()
            session.flush()
            return item


def metadef_item_delete(context, namespace, kind, name):
    with db_session.writer() as session:
        session.delete(_item(session, _namespace(session, context, namespace), kind, name))


def metadef_items_replace(context, namespace, kind, names_and_definitions, append=False):
    """Delete the namespace's definitions of kind (unless append) and add these."""
    with errors.duplicate_raises(lambda: _duplicate(kind, 'one of them', namespace)):
        with db_session.writer() as session:
            row = _namespace(session, context, namespace)
            if not append:
                session.execute(sa.delete(Item).where(Item.namespace_id == row.id,
                                                      Item.kind == kind))
            session.flush()
            items = [Item(namespace_id=row.id, kind=kind, name=name, definition=definition,
                          created_at=utils.utcnow())
                     for name, definition in names_and_definitions]
            session.add_all(items)
            session.flush()
            return items


# --------------------------------------------------------- resource types

def metadef_resource_type_get_all(context):
    with db_session.reader() as session:
        return list(session.scalars(sa.select(ResourceType).order_by(ResourceType.name)))


def metadef_association_get_all(context, namespace):
    """[(association, resource type name)] of a namespace."""
    with db_session.reader() as session:
        row = _namespace(session, context, namespace)
        return list(session.execute(sa.select(Association, ResourceType.name).join(
            ResourceType, ResourceType.id == Association.resource_type_id).where(
            Association.namespace_id == row.id).order_by(ResourceType.name)).tuples())


def metadef_association_create(context, namespace, values):
    name = values['name']
    with errors.duplicate_raises(lambda: _duplicate('resource type association', name,
                                                    namespace)):
        with db_session.writer() as session:
            row = _namespace(session, context, namespace)
            _add_association(session, row, values)
            session.flush()


def metadef_association_delete(context, namespace, name):
    with db_session.writer() as session:
        row = _namespace(session, context, namespace)
        type_ids = sa.select(ResourceType.id).where(ResourceType.name == name)
        deleted = session.execute(sa.delete(Association).where(
            Association.namespace_id == row.id,
            Association.resource_type_id.in_(type_ids))).rowcount
        if not deleted:
            raise exception.MetadefNotFound(what='resource type association', name=name,
                                            namespace=namespace)


__all__ = ['metadef_namespace_create', 'metadef_namespace_get', 'metadef_namespace_get_all',
           'metadef_namespace_update', 'metadef_namespace_delete',
           'metadef_namespace_delete_all', 'metadef_item_create', 'metadef_item_get',
           'metadef_item_get_all', 'metadef_item_update', 'metadef_item_delete',
           'metadef_items_replace', 'metadef_resource_type_get_all',
           'metadef_association_get_all', 'metadef_association_create',
           'metadef_association_delete']
