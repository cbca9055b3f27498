"""Flavors (instance_types), their extra specs and project access.

Flavors are addressed by flavorid (the public id) except flavor_get (the row
id instances keep). A user who is not admin sees public flavors and the
private ones shared with their project. Rows come with extra_specs and
projects loaded.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova.db import bulk
from nova.db import errors
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import session as db_session

Flavor = models.Flavor
FlavorExtraSpec = models.FlavorExtraSpec
FlavorProject = models.FlavorProject

_ATTEMPTS = 3  # extra spec writes racing on the same new key
_LOAD = (orm.selectinload(Flavor.extra_spec_rows), orm.selectinload(Flavor.project_rows))
# one flavor (every create reads its flavor): its children joined, one round trip
_LOAD_ONE = (orm.joinedload(Flavor.extra_spec_rows), orm.joinedload(Flavor.project_rows))


def _accessible(project_id):
    """Public, or private and shared with project_id."""
    shared = sa.select(FlavorProject.instance_type_id).where(
        FlavorProject.project_id == project_id, FlavorProject.deleted == 0)
    return sa.or_(Flavor.is_public.is_(True), Flavor.id.in_(shared))


def _flavor_query(context, read_deleted=None, load=_LOAD):
    stmt = query.model_query(context, Flavor, read_deleted).options(*load)
    if not context.is_admin:
        stmt = stmt.where(_accessible(context.project_id))
    # live row first when deleted copies match too
    return stmt.order_by(Flavor.deleted, Flavor.id.desc())


def _get(session, context, criterion, flavor_id):
    return query.first_with_children(
        session, _flavor_query(context, load=_LOAD_ONE).where(criterion),
        lambda: exception.FlavorNotFound(flavor_id=flavor_id))


def _live_id(session, flavorid):
    """The row id of the live flavor with this flavorid (admin view)."""
    row_id = session.scalar(sa.select(Flavor.id).where(Flavor.flavorid == flavorid,
                                                       Flavor.deleted == 0))
    if row_id is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row_id


def _which_exists(name, flavorid):
    """After a duplicate key: the FlavorExists naming the clash."""
    def make():
        with db_session.reader() as session:
            taken = session.scalar(sa.select(Flavor.id).where(Flavor.flavorid == flavorid,
                                                              Flavor.deleted == 0))
        if taken is not None:
            return exception.FlavorIdExists(flavor_id=flavorid)
        return exception.FlavorExists(name=name)
    return make


def flavor_create(context, values, extra_specs=None, projects=None):
    """A flavor with its extra specs and access; FlavorExists on a duplicate name or id."""
    flavor = Flavor(**values)
    with errors.duplicate_raises(_which_exists(flavor.name, flavor.flavorid)):
        with db_session.writer() as session:
            session.add(flavor)
            session.flush()
            specs = [{'instance_type_id': flavor.id, 'key': k, 'value': v}
                     for k, v in (extra_specs or {}).items()]
            access = [{'instance_type_id': flavor.id, 'project_id': p}
                      for p in sorted(set(projects or ()))]
            bulk.insert_values(session, FlavorExtraSpec, specs)
            bulk.insert_values(session, FlavorProject, access)
    bulk.set_children(flavor, 'extra_spec_rows', FlavorExtraSpec, specs)
    bulk.set_children(flavor, 'project_rows', FlavorProject, access)
    return flavor


_FLAVOR_COLUMNS = query.labelled_columns(Flavor, 'f_')
_SPEC_COLUMNS = query.labelled_columns(FlavorExtraSpec, 's_')
_ACCESS_COLUMNS = query.labelled_columns(FlavorProject, 'p_')
_KEYS = {'id': Flavor.id, 'flavorid': Flavor.flavorid, 'name': Flavor.name}


def _flavor_get_stmt(key, read_deleted, accessible_only):
    """The flavor whose ``key`` column is :b_value (the live row first) joined to its
    live extra specs and project access, a Core SELECT built once per shape: every
    server create reads its flavor, and building the statement, or the ORM's
    loading of its rows, cost more than running it. accessible_only: a caller who
    is not admin (:b_project) sees public flavors and those shared with it."""
    first = sa.select(Flavor.id).where(*query.deleted_criteria(None, Flavor, read_deleted),
                                       _KEYS[key] == sa.bindparam('b_value'))
    if accessible_only:
        first = first.where(_accessible(sa.bindparam('b_project', type_=sa.String)))
    first = first.order_by(Flavor.deleted, Flavor.id.desc()).limit(1).scalar_subquery()
    joined = (sa.outerjoin(Flavor, FlavorExtraSpec, sa.and_(
        FlavorExtraSpec.instance_type_id == Flavor.id, FlavorExtraSpec.deleted == 0))
        .outerjoin(FlavorProject, sa.and_(FlavorProject.instance_type_id == Flavor.id,
                                          FlavorProject.deleted == 0)))
    return (sa.select(*(c for _, c in _FLAVOR_COLUMNS + _SPEC_COLUMNS + _ACCESS_COLUMNS))
            .select_from(joined).where(Flavor.id == first)
            .order_by(FlavorExtraSpec.id, FlavorProject.id))


_FLAVOR_GET = {(key, mode, accessible_only): _flavor_get_stmt(key, mode, accessible_only)
               for key in _KEYS for mode in query.READ_DELETED
               for accessible_only in (False, True)}


def _detached_flavor(rows):
    """The Flavor of _FLAVOR_GET's rows (one per extra spec x project), its
    extra_spec_rows and project_rows loaded."""
    values = query.row_values(_FLAVOR_COLUMNS, rows[0])
    values.update(
        extra_spec_rows=query.joined_children(rows, _SPEC_COLUMNS, FlavorExtraSpec),
        project_rows=query.joined_children(rows, _ACCESS_COLUMNS, FlavorProject))
    return query.detached(Flavor, values)


def _flavor_get(context, key, value):
    """The flavor by one of _KEYS as context may see it; FlavorNotFound."""
    params = {'b_value': value}
    if not context.is_admin:
        params['b_project'] = context.project_id
    stmt = _FLAVOR_GET[key, context.read_deleted, not context.is_admin]
    with db_session.connection(one_statement=True) as conn:
        rows = conn.execute(stmt, params).all()
    if not rows:
        raise exception.FlavorNotFound(flavor_id=value)
    return _detached_flavor(rows)


def flavor_get(context, id):
    return _flavor_get(context, 'id', id)


def flavor_get_by_flavor_id(context, flavorid):
    return _flavor_get(context, 'flavorid', flavorid)


def flavor_get_by_name(context, name):
    return _flavor_get(context, 'name', name)


def flavor_get_all(context, inactive=False, filters=None, sort_key='flavorid', sort_dir='asc',
                   limit=None, marker=None):
    """Flavors matching filters (is_public, min_memory_mb, min_root_gb, disabled,
    project_id), sorted, after the flavorid marker; deleted ones too if inactive.
    """
    filters = dict(filters or {})
    read_deleted = 'yes' if inactive else 'no'
    stmt = query.model_query(context, Flavor, read_deleted).options(*_LOAD)
    if 'min_memory_mb' in filters:
        stmt = stmt.where(Flavor.memory_mb >= filters['min_memory_mb'])
    if 'min_root_gb' in filters:
        stmt = stmt.where(Flavor.root_gb >= filters['min_root_gb'])
    if filters.get('disabled') is not None:
        stmt = stmt.where(Flavor.disabled.is_(bool(filters['disabled'])))
    project_id = filters.get('project_id') or context.project_id
    is_public = filters.get('is_public')
    if not context.is_admin:
        stmt = stmt.where(_accessible(context.project_id))
    if is_public is True:
        stmt = stmt.where(_accessible(project_id) if project_id else Flavor.is_public.is_(True))
    elif is_public is False:
        stmt = stmt.where(Flavor.is_public.is_(False))
    criteria = paginate.sort_criteria(Flavor, [sort_key], [sort_dir])
    marker_stmt = query.model_query(context, Flavor, read_deleted).where(
        Flavor.flavorid == marker).order_by(Flavor.deleted)
    with db_session.reader() as session:
        return paginate.page(session, stmt, criteria, limit, marker_stmt, marker)


def flavor_update(context, flavorid, values):
    """Change a live flavor's columns (description, disabled, is_public, ...)."""
    with db_session.writer() as session:
        flavor = _get(session, context.elevated(read_deleted='no'),
                      Flavor.flavorid == flavorid, flavorid)
        flavor.update(values)
        name = flavor.name
        with errors.duplicate_raises(lambda: exception.FlavorExists(name=name)):
            session.flush()
    return flavor


def flavor_destroy(context, flavorid):
    """Soft-delete a flavor with its extra specs and access list."""
    with db_session.writer() as session:
        row_id = _live_id(session, flavorid)
        session.execute(query.soft_delete(Flavor, Flavor.id == row_id))
        session.execute(query.soft_delete(FlavorExtraSpec,
                                          FlavorExtraSpec.instance_type_id == row_id))
        session.execute(query.soft_delete(FlavorProject, FlavorProject.instance_type_id == row_id))


# ------------------------------------------------------------ extra specs

def _specs(session, row_id):
    return {spec.key: spec for spec in session.scalars(sa.select(FlavorExtraSpec).where(
        FlavorExtraSpec.instance_type_id == row_id, FlavorExtraSpec.deleted == 0))}


def flavor_extra_specs_get(context, flavorid):
    with db_session.reader() as session:
        specs = _specs(session, _live_id(session, flavorid))
    return {key: spec.value for key, spec in specs.items()}


def flavor_extra_specs_update_or_create(context, flavorid, specs):
    """Set keys to values; returns all specs. A key created concurrently is retried."""
    for attempt in range(_ATTEMPTS):
        try:
            with db_session.writer() as session:
                row_id = _live_id(session, flavorid)
                existing = _specs(session, row_id)
                for key, value in specs.items():
                    if key in existing:
                        existing[key].value = value
                bulk.insert_values(session, FlavorExtraSpec, [
                    {'instance_type_id': row_id, 'key': key, 'value': value}
                    for key, value in specs.items() if key not in existing])
            return {**{key: spec.value for key, spec in existing.items()}, **specs}
        except sa.exc.IntegrityError as e:
            if not errors.is_duplicate(e) or attempt == _ATTEMPTS - 1:
                raise


def flavor_extra_specs_delete(context, flavorid, key):
    with db_session.writer() as session:
        row_id = _live_id(session, flavorid)
        stmt = query.soft_delete(FlavorExtraSpec, FlavorExtraSpec.instance_type_id == row_id,
                                 FlavorExtraSpec.key == key)
        if session.execute(stmt).rowcount == 0:
            raise exception.FlavorExtraSpecsNotFound(flavor_id=flavorid, extra_specs_key=key)


# ------------------------------------------------------------------ access

def flavor_access_get_by_flavor_id(context, flavorid):
    """[project_id] allowed to use the (private) flavor."""
    with db_session.reader() as session:
        row_id = _live_id(session, flavorid)
        return list(session.scalars(sa.select(FlavorProject.project_id).where(
            FlavorProject.instance_type_id == row_id, FlavorProject.deleted == 0)
            .order_by(FlavorProject.project_id)))


def flavor_access_add(context, flavorid, project_id):
    def exists():
        return exception.FlavorAccessExists(flavor_id=flavorid, project_id=project_id)

    with errors.duplicate_raises(exists):
        with db_session.writer() as session:
            access = FlavorProject(instance_type_id=_live_id(session, flavorid),
                                   project_id=project_id)
            session.add(access)
    return access


def flavor_access_remove(context, flavorid, project_id):
    with db_session.writer() as session:
        row_id = _live_id(session, flavorid)
        stmt = query.soft_delete(FlavorProject, FlavorProject.instance_type_id == row_id,
                                 FlavorProject.project_id == project_id)
        if session.execute(stmt).rowcount == 0:
            raise exception.FlavorAccessNotFound(flavor_id=flavorid, project_id=project_id)
