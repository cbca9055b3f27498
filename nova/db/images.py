"""The image registry in SQL: images, properties, tags, members, locations.

Reads apply Glance's visibility rules to the context, so that a project can
never find, list or page past another project's private image; writes only
check that the image is live (who may change what is nova.image.service's
business). Images come back as detached ``Image`` rows with their live
``properties``, ``tags`` and ``locations`` loaded.
"""
import datetime
import uuid

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import image_models as models
from nova.db import query
from nova.db import session as db_session

Image = models.Image
ImageProperty = models.ImageProperty
ImageTag = models.ImageTag
ImageMember = models.ImageMember
ImageLocation = models.ImageLocation

# filters whose value may be one value or a list of them (matched with IN)
_IN_FILTERS = ('id', 'name', 'status', 'owner', 'disk_format', 'container_format',
               'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size',
               'min_disk', 'min_ram')
# filters on a time column: (operator, datetime)
_TIME_FILTERS = ('created_at', 'updated_at')


def _time_condition(column, operator, moment):
    """column compared with moment as clients see times: a time in whole seconds
    (as shown) stands for that whole second, so 'lte:' the created_at an image
    shows includes it although the row keeps microseconds."""
    start = moment
    end = moment + datetime.timedelta(seconds=1 if not moment.microsecond else 0,
                                      microseconds=1 if moment.microsecond else 0)
    within = sa.and_(column >= start, column < end)
    return {'gt': column >= end, 'gte': column >= start, 'lt': column < start,
            'lte': column < end, 'eq': within, 'neq': sa.not_(within)}[operator]
# the sort keys clients may ask for; nullable ones sort as the value given here,
# so that NULLs sort (and page) the same on every database
SORT_KEYS = {'id': None, 'name': '', 'status': None, 'visibility': None, 'owner': '',
             'size': -1, 'virtual_size': -1, 'disk_format': '', 'container_format': '',
             'min_disk': None, 'min_ram': None, 'protected': None, 'os_hidden': None,
             'created_at': None, 'updated_at': None}
SORT_DIRS = ('asc', 'desc')


def _member_exists(project_id, status=None):
    stmt = sa.select(ImageMember.id).where(ImageMember.image_id == Image.id,
                                           ImageMember.member == project_id,
                                           ImageMember.deleted == 0)
    if status is not None:
        stmt = stmt.where(ImageMember.status == status)
    return stmt.exists()


def _visible(context, member_status=None, community=True, project_id=None):
    """What context may see: admin all; others public (and community), their
    project's images, and shared images they are a member of (in member_status).
    project_id: what stands for the context's project (a bound parameter in a
    statement built once), if not its value.
    """
    if context.is_admin:
        return sa.true()
    allowed = [Image.visibility == 'public']
    if community:
        allowed.append(Image.visibility == 'community')
    if context.project_id is not None:
        project_id = context.project_id if project_id is None else project_id
        allowed.append(Image.owner == project_id)
        allowed.append(sa.and_(Image.visibility == 'shared',
                               _member_exists(project_id, member_status)))
    return sa.or_(*allowed)


def _live_image(session, image_id):
    """The live image row, locked for the rest of the transaction where the DB can."""
    stmt = sa.select(Image).where(Image.id == image_id, Image.deleted == 0).with_for_update()
    return query.first(session, stmt, lambda: exception.ImageNotFound(image_id=image_id))


def _reload(session, image_id):
    """The image with its children as this transaction left them."""
    stmt = sa.select(Image).where(Image.id == image_id).execution_options(
        populate_existing=True)
    return session.scalars(stmt).one()


def _touch(session, image_id):
    session.execute(sa.update(Image).where(Image.id == image_id)
                    .values(updated_at=utils.utcnow())
                    .execution_options(synchronize_session=False))


# ------------------------------------------------------------------ images

def image_create(context, values):
    """Register an image; values are columns plus 'properties' (dict) and 'tags'.

    ImageExists when the id is taken, also by a deleted image (ids are never reused).
    """
    values = dict(values)
    properties = values.pop('properties', None) or {}
    tags = values.pop('tags', None) or ()
    image = Image(**values)
    image.created_at = image.updated_at = utils.utcnow()
    if image.id is None:
        image.id = str(uuid.uuid4())
    image_id = image.id
    with errors.duplicate_raises(lambda: exception.ImageExists(image_id=image_id)):
        with db_session.writer() as session:
            if session.get(Image, image_id) is not None:
                raise exception.ImageExists(image_id=image_id)
            session.add(image)
            session.flush()
            session.add_all(ImageProperty(image_id=image_id, name=name, value=value)
                            for name, value in properties.items())
            session.add_all(ImageTag(image_id=image_id, value=tag) for tag in set(tags))
            session.flush()
            return _reload(session, image_id)


_IMAGE_COLUMNS = query.labelled_columns(Image, 'i_')
_PROPERTY_COLUMNS = query.labelled_columns(ImageProperty, 'p_')
_TAG_COLUMNS = query.labelled_columns(ImageTag, 't_')
_LOCATION_COLUMNS = query.labelled_columns(ImageLocation, 'l_')


class _Viewer:
    """The parts of a context image_get's statements are built for."""

    def __init__(self, is_admin, has_project):
        self.is_admin = is_admin
        self.project_id = 'b_project' if has_project else None


def _image_get_stmt(read_deleted, is_admin, has_project):
    """The image :b_id if visible (_visible, the project bound as :b_project) joined to
    its live properties, tags and locations, a Core SELECT built once per shape:
    every server create reads its image, and building the statement, or the ORM's
    loading of its rows, cost more than running it."""
    def live(model):
        return sa.and_(model.image_id == Image.id, model.deleted == 0)
    joined = (sa.outerjoin(Image, ImageProperty, live(ImageProperty))
              .outerjoin(ImageTag, live(ImageTag))
              .outerjoin(ImageLocation, live(ImageLocation)))
    visible = _visible(_Viewer(is_admin, has_project),
                       project_id=sa.bindparam('b_project', type_=sa.String))
    return (sa.select(*(c for _, c in _IMAGE_COLUMNS + _PROPERTY_COLUMNS + _TAG_COLUMNS +
                        _LOCATION_COLUMNS))
            .select_from(joined)
            .where(*query.deleted_criteria(None, Image, read_deleted),
                   Image.id == sa.bindparam('b_id', type_=sa.String), visible)
            .order_by(ImageProperty.name, ImageTag.value, ImageLocation.id))


_IMAGE_GET = {(mode, is_admin, has_project): _image_get_stmt(mode, is_admin, has_project)
              for mode in query.READ_DELETED for is_admin in (False, True)
              for has_project in (False, True)}


def image_get(context, image_id):
    """The image if context may see it, else ImageNotFound (whether or not it exists)."""
    params = {'b_id': image_id}
    if context.project_id is not None:
        params['b_project'] = context.project_id
    stmt = _IMAGE_GET[context.read_deleted, bool(context.is_admin),
                      context.project_id is not None]
    with db_session.connection(one_statement=True) as conn:
        rows = conn.execute(stmt, params).all()
    if not rows:
        raise exception.ImageNotFound(image_id=image_id)
    values = query.row_values(_IMAGE_COLUMNS, rows[0])
    values.update(
        properties=query.joined_children(rows, _PROPERTY_COLUMNS, ImageProperty),
        tags=sorted(query.joined_children(rows, _TAG_COLUMNS, ImageTag),
                    key=lambda tag: tag.value),
        locations=sorted(query.joined_children(rows, _LOCATION_COLUMNS, ImageLocation),
                         key=lambda location: location.id))
    return query.detached(Image, values)


def _sort_column(key):
    column = getattr(Image, key)
    default = SORT_KEYS[key]
    return column if default is None else sa.func.coalesce(column, default)


def _sort_value(image, key):
    value = getattr(image, key)
    return SORT_KEYS[key] if value is None else value


def _order(sort_keys, sort_dirs):
    """[(key, dir)], checked; id last so that the order (and paging) is total."""
    sort_keys = list(sort_keys or ['created_at'])
    sort_dirs = list(sort_dirs or ['desc'])
    if len(sort_dirs) == 1:
        sort_dirs *= len(sort_keys)
    if len(sort_dirs) != len(sort_keys):
        raise exception.InvalidInput(reason='give one sort direction, or one per sort key')
    for key in sort_keys:
        if key not in SORT_KEYS:
            raise exception.InvalidInput(reason='unknown sort key %r; use one of %s' % (
                key, ', '.join(sorted(SORT_KEYS))))
    for direction in sort_dirs:
        if direction not in SORT_DIRS:
            raise exception.InvalidInput(reason='sort direction %r is not asc or desc'
                                         % (direction,))
    order = list(zip(sort_keys, sort_dirs))
    if 'id' not in sort_keys:
        order.append(('id', sort_dirs[-1]))
    return order


def _after(marker, order):
    """Rows that come after marker in order (keyset pagination)."""
    clauses = []
    for i, (key, direction) in enumerate(order):
        equal = [_sort_column(k) == _sort_value(marker, k) for k, _ in order[:i]]
        column, value = _sort_column(key), _sort_value(marker, key)
        clauses.append(sa.and_(*equal, column > value if direction == 'asc' else column < value))
    return sa.or_(*clauses)


def _filter_conditions(filters):
    conditions = []
    for name in _IN_FILTERS:
        if name in filters:
            value = filters[name]
            column = getattr(Image, name)
            is_list = isinstance(value, (list, tuple, set, frozenset))
            conditions.append(column.in_(value) if is_list else column == value)
    if filters.get('size_min') is not None:
        conditions.append(Image.size >= filters['size_min'])
    if filters.get('size_max') is not None:
        conditions.append(Image.size <= filters['size_max'])
    for name in _TIME_FILTERS:
        if filters.get(name) is not None:
            operator, moment = filters[name]
            conditions.append(_time_condition(getattr(Image, name), operator, moment))
    for name in ('os_hidden', 'protected'):
        if filters.get(name) is not None:
            conditions.append(getattr(Image, name) == filters[name])
    for tag in filters.get('tags') or ():
        conditions.append(sa.select(ImageTag.id).where(
            ImageTag.image_id == Image.id, ImageTag.value == tag,
            ImageTag.deleted == 0).exists())
    for name, value in (filters.get('properties') or {}).items():
        conditions.append(sa.select(ImageProperty.id).where(
            ImageProperty.image_id == Image.id, ImageProperty.name == name,
            ImageProperty.value == value, ImageProperty.deleted == 0).exists())
    return conditions


def image_get_all(context, filters=None, marker=None, limit=None, sort_keys=None,
                  sort_dirs=None, member_status='accepted'):
    """The images context may list, filtered, sorted and paged after marker (an id).

    filters: id, name, status, owner, disk_format, container_format, checksum,
    os_hash_algo, os_hash_value, size, virtual_size, min_disk, min_ram (a value
    or a list), created_at, updated_at ((operator, datetime): gt, gte, eq, neq,
    lt, lte), size_min, size_max, os_hidden, protected,
    tags (all must be present), properties ({name: value}), visibility (one
    value or 'all'). Without a visibility, community images of other projects
    are left out, as Glance does; shared images of other projects appear
    when the context's membership has member_status ('all': any).
    """
    filters = dict(filters or {})
    visibility = filters.get('visibility')
    status = None if member_status == 'all' else member_status
    stmt = query.model_query(context, Image).where(
        _visible(context, status, community=visibility in ('community', 'all')),
        *_filter_conditions(filters))
    if visibility not in (None, 'all'):
        stmt = stmt.where(Image.visibility == visibility)
    order = _order(sort_keys, sort_dirs)
    with db_session.reader() as session:
        if marker is not None:
            marker_stmt = query.model_query(context, Image).where(Image.id == marker,
                                                                  _visible(context))
            marker_image = query.first(session, marker_stmt, lambda: exception.InvalidInput(
                reason='marker image %s could not be found' % marker))
            stmt = stmt.where(_after(marker_image, order))
        for key, direction in order:
            column = _sort_column(key)
            stmt = stmt.order_by(column.asc() if direction == 'asc' else column.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.scalars(stmt))


def _replace_properties(session, image_id, properties, remove_props):
    live = {prop.name: prop for prop in session.scalars(sa.select(ImageProperty).where(
        ImageProperty.image_id == image_id, ImageProperty.deleted == 0))}
    for name in remove_props:
        if live.pop(name, None) is None:
            raise exception.ImagePropertyNotFound(image_id=image_id, name=name)
        session.execute(query.soft_delete(ImageProperty, ImageProperty.image_id == image_id,
                                          ImageProperty.name == name))
    for name, value in properties.items():
        if name in live:
            live[name].value = value
        else:
            session.add(ImageProperty(image_id=image_id, name=name, value=value))


def _replace_tags(session, image_id, tags):
    tags = set(tags)
    live = set(session.scalars(sa.select(ImageTag.value).where(
        ImageTag.image_id == image_id, ImageTag.deleted == 0)))
    if live - tags:
        session.execute(query.soft_delete(ImageTag, ImageTag.image_id == image_id,
                                          ImageTag.value.in_(live - tags)))
    session.add_all(ImageTag(image_id=image_id, value=tag) for tag in tags - live)


def _delete_locations(session, image_id):
    session.execute(sa.update(ImageLocation)
                    .where(ImageLocation.image_id == image_id, ImageLocation.deleted == 0)
                    .values(status='deleted', deleted=ImageLocation.id,
                            deleted_at=utils.utcnow())
                    .execution_options(synchronize_session=False))


def image_update(context, image_id, values, remove_props=(), from_state=None,
                 updated_before=None):
    """Change a live image in one transaction.

    values: columns; 'properties' ({name: value}, merged), 'tags' (the new
    set), 'locations' ([{'url', 'metadata', 'status'}], replacing the live ones).
    remove_props: property names to remove (ImagePropertyNotFound if absent).
    from_state: the status the image must still have (ImageStatusConflict if
    not), so that a status transition cannot race another.
    updated_before: the image must not have changed since then (Conflict if
    it has), so that a sweep cannot race the change it waited for.
    """
    values = dict(values)
    properties = values.pop('properties', None) or {}
    tags = values.pop('tags', None)
    locations = values.pop('locations', None)
    with db_session.writer() as session:
        image = _live_image(session, image_id)
        if from_state is not None and image.status != from_state:
            raise exception.ImageStatusConflict(
                image_id=image_id, status=image.status,
                action='change it from %s to %s' % (from_state, values.get('status')))
        if updated_before is not None and image.updated_at >= updated_before:
            raise exception.Conflict(reason='image %s changed after %s' % (
                image_id, updated_before))
        image.update(values)
        image.updated_at = utils.utcnow()
        if properties or remove_props:
            _replace_properties(session, image_id, properties, remove_props)
        if tags is not None:
            _replace_tags(session, image_id, tags)
        if locations is not None:
            _delete_locations(session, image_id)
            session.add_all(ImageLocation(image_id=image_id, value=loc['url'],
                                          meta_data=loc.get('metadata') or {},
                                          status=loc.get('status', 'active'))
                            for loc in locations)
        with errors.duplicate_raises(lambda: exception.Conflict(
                reason='image %s was changed concurrently' % image_id)):
            session.flush()
        return _reload(session, image_id)


def image_destroy(context, image_id):
    """Mark a live image and its children deleted.

    Returns the image as deleted, with the locations it had: the caller
    removes their data from the stores.
    """
    with db_session.writer() as session:
        # image.locations was loaded with the row: the bulk updates below leave it be
        image = _live_image(session, image_id)
        now = utils.utcnow()
        for model in (ImageProperty, ImageTag, ImageMember):
            session.execute(query.soft_delete(model, model.image_id == image_id))
        _delete_locations(session, image_id)
        image.update({'status': 'deleted', 'deleted': 1, 'deleted_at': now})
        session.flush()
    return image


# -------------------------------------------------------------------- tags

def image_tag_add(context, image_id, tag):
    """Tag a live image; adding a tag it has is harmless."""
    with db_session.writer() as session:
        _live_image(session, image_id)
        exists = session.scalars(sa.select(ImageTag.id).where(
            ImageTag.image_id == image_id, ImageTag.value == tag,
            ImageTag.deleted == 0)).first()
        if exists is None:
            session.add(ImageTag(image_id=image_id, value=tag))
            _touch(session, image_id)


def image_tag_delete(context, image_id, tag):
    with db_session.writer() as session:
        _live_image(session, image_id)
        stmt = query.soft_delete(ImageTag, ImageTag.image_id == image_id, ImageTag.value == tag)
        if session.execute(stmt).rowcount == 0:
            raise exception.ImageTagNotFound(image_id=image_id, tag=tag)
        _touch(session, image_id)


# ----------------------------------------------------------------- members

def image_member_create(context, image_id, member, status='pending', can_share=False):
    """Share a live image with a project; ImageMemberExists if it already is."""
    row = ImageMember(image_id=image_id, member=member, status=status, can_share=can_share)
    with errors.duplicate_raises(
            lambda: exception.ImageMemberExists(image_id=image_id, member=member)):
        with db_session.writer() as session:
            _live_image(session, image_id)
            session.add(row)
    return row


def image_member_find(context, image_id, member=None, status=None):
    """The live memberships of an image, of one project or in one status if asked."""
    stmt = sa.select(ImageMember).where(ImageMember.image_id == image_id,
                                        ImageMember.deleted == 0)
    if member is not None:
        stmt = stmt.where(ImageMember.member == member)
    if status is not None:
        stmt = stmt.where(ImageMember.status == status)
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(ImageMember.id)))


def image_member_get(context, image_id, member):
    found = image_member_find(context, image_id, member=member)
    if not found:
        raise exception.ImageMemberNotFound(image_id=image_id, member=member)
    return found[0]


def image_member_update(context, image_id, member, values):
    """Change a membership's columns (its status, can_share)."""
    stmt = sa.select(ImageMember).where(ImageMember.image_id == image_id,
                                        ImageMember.member == member,
                                        ImageMember.deleted == 0)
    with db_session.writer() as session:
        row = query.first(session, stmt, lambda: exception.ImageMemberNotFound(
            image_id=image_id, member=member))
        row.update(values)
        return row


def image_member_delete(context, image_id, member):
    with db_session.writer() as session:
        stmt = query.soft_delete(ImageMember, ImageMember.image_id == image_id,
                                 ImageMember.member == member)
        if session.execute(stmt).rowcount == 0:
            raise exception.ImageMemberNotFound(image_id=image_id, member=member)


__all__ = ['image_create', 'image_get', 'image_get_all', 'image_update', 'image_destroy',
           'image_tag_add', 'image_tag_delete', 'image_member_create', 'image_member_find',
           'image_member_get', 'image_member_update', 'image_member_delete']
