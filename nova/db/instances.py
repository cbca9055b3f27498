"""Instances: bulk create under quota, filtered lists, compare-and-swap updates, destroy.

Every function returning instances loads their metadata and tags with it
(two more SELECTs whatever the number of rows). State changes are one
conditional UPDATE: when two requests race for the same task state, exactly
one matches and the other gets UnexpectedTaskStateError.
"""
import collections
import datetime
import itertools
import re
import uuid as uuid_lib

import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova import utils
from nova.compute import task_states
from nova.compute import vm_states
from nova.db import bulk
from nova.db import errors
from nova.db import instance_info
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

Instance = models.Instance
InstanceGroup = models.InstanceGroup
InstanceGroupMember = models.InstanceGroupMember
InstanceAction = models.InstanceAction
InstanceMetadata = models.InstanceMetadata
InstanceBuildPassword = models.InstanceBuildPassword
Tag = models.Tag

ANY = object()  # expected_*_state default: any state, no check
_LOAD = (orm.selectinload(Instance.metadata_items), orm.selectinload(Instance.tag_rows))
# a host's batch of instances: their children joined, one round trip where the selectin
# loads cost two more
_LOAD_ONE = (orm.joinedload(Instance.metadata_items), orm.joinedload(Instance.tag_rows))
_EXACT_FILTERS = {
    'project_id': Instance.project_id, 'user_id': Instance.user_id, 'uuid': Instance.uuid,
    'vm_state': Instance.vm_state, 'task_state': Instance.task_state, 'host': Instance.host,
    'node': Instance.node, 'image_ref': Instance.image_ref,
    'flavor_id': Instance.instance_type_id, 'reservation_id': Instance.reservation_id,
    'availability_zone': Instance.availability_zone,
}


def _in(column, expected):
    """column matches expected: one value or a list; None matches NULL."""
    expected = utils.as_list(expected)
    values = [value for value in expected if value is not None]
    terms = [column.in_(values)] if values else []
    if len(values) < len(expected):
        terms.append(column.is_(None))
    return sa.or_(*terms) if terms else sa.false()


def _group_ids(session, joining, member_limit=None):
    """{group uuid: id} of the groups instances join ({group uuid: how many}),
    each locked for the transaction; OverQuota when a group would hold more
    than member_limit members (None or below 0: no limit)."""
    if not joining:
        return {}
    found = dict(session.execute(sa.select(InstanceGroup.uuid, InstanceGroup.id).where(
        InstanceGroup.uuid.in_(joining), InstanceGroup.deleted == 0)
        .order_by(InstanceGroup.id).with_for_update()).all())
    for group_uuid in set(joining) - set(found):
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    if member_limit is not None and member_limit >= 0:
        members = dict(session.execute(
            sa.select(InstanceGroupMember.group_id, sa.func.count(InstanceGroupMember.id))
            .where(InstanceGroupMember.group_id.in_(found.values()),
                   InstanceGroupMember.deleted == 0)
            .group_by(InstanceGroupMember.group_id)).all())
        for group_uuid, adding in joining.items():
            used = members.get(found[group_uuid], 0)
            if used + adding > member_limit:
                resource = 'server_group_members'
                raise exception.OverQuota(overs=[resource], req={resource: adding},
                                          used={resource: used},
                                          allowed={resource: member_limit})
    return found


def _flat(rows_by_uuid):
    return list(itertools.chain.from_iterable(rows_by_uuid.values()))


_Request = collections.namedtuple('_Request',
                                  'values metadata tags group_uuid admin_password block_devices')
_INSTANCES = Instance.__table__
_INSTANCE_COLUMNS = frozenset(_INSTANCES.c.keys())
_INSTANCE_DEFAULTS = bulk.python_defaults(Instance)
# built once: a create is one INSERT of its rows on a Core connection (the ORM's unit of
# work and its statement building cost more CPU than the INSERT); several rows come back
# with their ids in the order given (the client-made uuid is the insert sentinel)
_INSERT_INSTANCE = sa.insert(_INSTANCES)
_INSERT_INSTANCES = sa.insert(_INSTANCES).returning(_INSTANCES.c.id,
                                                    sort_by_parameter_order=True)


def _request(values):
    """The instances row's values (Python defaults filled in) and what goes in other
    tables, from create values."""
    values = dict(values)
    metadata = values.pop('metadata', None) or {}
    tags = sorted(set(values.pop('tags', None) or []))
    group_uuid = values.pop('group_uuid', None)
    admin_password = values.pop('admin_password', None)
    block_devices = values.pop('block_device_mapping', None) or []
    unknown = set(values) - _INSTANCE_COLUMNS
    if unknown:
        raise TypeError('Instance has no column %s' % ', '.join(sorted(unknown)))
    for name, make in _INSTANCE_DEFAULTS:
        if values.get(name) is None:
            values[name] = make()
    return _Request(values, metadata, tags, group_uuid, admin_password, block_devices)


def _insert_instances(connection, requests):
    """INSERT the requests' rows (every row with every column, so that one executemany
    takes them all); the rows' values with their ids, in order."""
    rows = [dict(dict.fromkeys(_INSTANCE_COLUMNS), **r.values) for r in requests]
    given_ids = any(row['id'] is not None for row in rows)
    if not given_ids:
        for row in rows:
            del row['id']
    dialect = connection.dialect
    if len(rows) > 1 and not given_ids and \
            dialect.insert_executemany_returning_sort_by_parameter_order:
        ids = list(connection.execute(_INSERT_INSTANCES, rows).scalars())
    else:
        ids = [connection.execute(_INSERT_INSTANCE, row).inserted_primary_key[0]
               for row in rows]
    for row, row_id in zip(rows, ids):
        row['id'] = row_id
    return rows


def _instance_row(values, metadata, tags):
    """The Instance of a row just inserted, detached as a Session would have left it,
    its metadata and tags loaded."""
    return query.detached(Instance, dict(
        values, metadata_items=[InstanceMetadata(**item) for item in metadata],
        tag_rows=[Tag(**tag) for tag in tags]))


def instance_create_many(context, instances, quota=None, actions=()):
    """Insert instances (with metadata, tags, server group membership, the
    ``admin_password`` each is built with, their 'block_device_mapping' list of
    volume mappings, and the ``actions`` recorded for them) in one transaction
    that also reserves quota
    (and checks its 'limits' of server_group_members against the groups
    joined); returns the rows in input order.
    """
    requests = [_request(values) for values in instances]
    metadata = {r.values['uuid']: [{'instance_uuid': r.values['uuid'], 'key': key,
                                    'value': value}
                                   for key, value in sorted(r.metadata.items())]
                for r in requests}
    tags = {r.values['uuid']: [{'resource_id': r.values['uuid'], 'tag': tag}
                               for tag in r.tags] for r in requests}
    uuids = ', '.join(r.values['uuid'] for r in requests)
    now = utils.utcnow()
    with errors.duplicate_raises(lambda: exception.InstanceExists(name=uuids)):
        with db_session.connection(writes=True) as conn:
            quotas.apply_quota(conn, quota)
            joining = collections.Counter(r.group_uuid for r in requests if r.group_uuid)
            group_ids = _group_ids(conn, joining, ((quota or {}).get('limits') or {}).get(
                'server_group_members'))
            rows = _insert_instances(conn, requests)
            bulk.core_insert(conn, InstanceMetadata, [
                dict(row, created_at=now, deleted=0) for row in _flat(metadata)])
            bulk.core_insert(conn, Tag, [dict(row, created_at=now) for row in _flat(tags)])
            bulk.core_insert(conn, InstanceGroupMember, [
                {'group_id': group_ids[r.group_uuid], 'instance_uuid': r.values['uuid'],
                 'created_at': now, 'deleted': 0}
                for r in requests if r.group_uuid])
            bulk.core_insert(conn, models.BlockDeviceMapping, [
                dict(bdm, instance_uuid=r.values['uuid'], uuid=str(uuid_lib.uuid4()))
                for r in requests for bdm in r.block_devices])
            bulk.core_insert(conn, InstanceAction, [dict(a) for a in actions])
            bulk.core_insert(conn, InstanceBuildPassword, [
                {'instance_uuid': r.values['uuid'], 'password': r.admin_password,
                 'created_at': now} for r in requests if r.admin_password])
    return [_instance_row(row, metadata[row['uuid']], tags[row['uuid']]) for row in rows]


def instance_build_password_get(context, instance_uuid):
    """The adminPass an instance was created with, while it is being built (else None)."""
    with db_session.reader() as session:
        return session.scalar(sa.select(InstanceBuildPassword.password).where(
            InstanceBuildPassword.instance_uuid == instance_uuid))


_LABELLED_INSTANCE = query.labelled_columns(Instance, 'i_')
_LABELLED_METADATA = query.labelled_columns(InstanceMetadata, 'm_')
_LABELLED_TAG = query.labelled_columns(Tag, 't_')
# an instance with its live metadata and its tags, a row per item and tag: one instance
# by uuid, and a host's batch, read through it
_WITH_CHILDREN = (sa.outerjoin(Instance, InstanceMetadata, sa.and_(
    InstanceMetadata.instance_uuid == Instance.uuid, InstanceMetadata.deleted == 0))
    .outerjoin(Tag, Tag.resource_id == Instance.uuid))


def _instance_by_uuid_stmt(read_deleted):
    """The instance :b_uuid joined to its live metadata and its tags (a row per item
    and tag), a Core SELECT built once per read_deleted mode: a delete reads its
    instance in the API and on its host, every action in the API, and building the
    statement, or the ORM's loading of its rows, cost more than running it."""
    return (sa.select(*(column for _, column in _LABELLED_INSTANCE + _LABELLED_METADATA +
                        _LABELLED_TAG))
            .select_from(_WITH_CHILDREN)
            .where(*query.deleted_criteria(None, Instance, read_deleted),
                   Instance.uuid == sa.bindparam('b_uuid', type_=sa.String))
            .order_by(InstanceMetadata.key, Tag.tag))


_INSTANCE_BY_UUID = {mode: _instance_by_uuid_stmt(mode) for mode in query.READ_DELETED}


def instance_get_by_uuid(context, instance_uuid):
    """One instance with its metadata_items and tag_rows (InstanceNotFound)."""
    with db_session.connection(one_statement=True) as conn:
        rows = conn.execute(_INSTANCE_BY_UUID[context.read_deleted],
                            {'b_uuid': instance_uuid}).all()
    if not rows:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    tags = {}  # by tag: a Tag has no id
    for row in rows:
        if row.t_tag is not None and row.t_tag not in tags:
            tags[row.t_tag] = query.detached(Tag, query.row_values(_LABELLED_TAG, row))
    values = query.row_values(_LABELLED_INSTANCE, rows[0])
    values.update(metadata_items=query.joined_children(rows, _LABELLED_METADATA,
                                                       InstanceMetadata),
                  tag_rows=list(tags.values()))
    return query.detached(Instance, values)


def _as_time(value, name):
    """A naive UTC datetime from a datetime or an ISO 8601 string."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
        except ValueError:
            raise exception.InvalidInput(reason='%s is not an ISO 8601 time: %r'
                                         % (name, value)) from None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _tag_list(value):
    return [t for t in value.split(',') if t] if isinstance(value, str) else list(value)


def _tagged(tags, all_of):
    """Subquery of instance uuids having every tag (all_of) or any of them."""
    stmt = sa.select(Tag.resource_id).where(Tag.tag.in_(tags))
    if all_of:
        stmt = stmt.group_by(Tag.resource_id).having(
            sa.func.count(sa.distinct(Tag.tag)) == len(set(tags)))
    return stmt


def _deleted_criteria(context, filters):
    """(read_deleted, extra criteria) from 'deleted' and 'soft_deleted', as classic Nova:
    deleted=True lists deleted and (unless soft_deleted=False) soft-deleted instances;
    deleted=False lists live ones without (unless soft_deleted=True) soft-deleted ones.
    """
    soft = Instance.vm_state == vm_states.SOFT_DELETED
    not_soft = sa.or_(Instance.vm_state != vm_states.SOFT_DELETED, Instance.vm_state.is_(None))
    if 'deleted' not in filters:
        return context.read_deleted, [not_soft] if filters.get('soft_deleted') is False else []
    if filters['deleted']:
        if filters.get('soft_deleted', True):
            return 'yes', [sa.or_(Instance.deleted != 0, soft)]
        return 'only', []
    return 'no', [] if filters.get('soft_deleted', False) else [not_soft]


def _filter_criteria(filters):
    criteria = []
    for name, value in filters.items():
        if name in _EXACT_FILTERS:
            criteria.append(_in(_EXACT_FILTERS[name], value))
        elif name == 'display_name':
            try:
                re.compile(value)
            except (re.error, TypeError):
                raise exception.InvalidInput(
                    reason='display_name filter %r is not a regular expression' % (value,)
                ) from None
            criteria.append(Instance.display_name.regexp_match(value))
        elif name == 'locked':
            criteria.append(Instance.locked.is_(bool(value)))
        elif name == 'changes-since':
            since = _as_time(value, name)
            criteria.append(sa.or_(Instance.updated_at >= since, sa.and_(
                Instance.updated_at.is_(None), Instance.created_at >= since)))
        elif name == 'changes-before':
            before = _as_time(value, name)
            criteria.append(sa.func.coalesce(Instance.updated_at, Instance.created_at) <= before)
        elif name in ('tags', 'tags-any', 'not-tags', 'not-tags-any'):
            tagged = Instance.uuid.in_(_tagged(_tag_list(value), not name.endswith('-any')))
            criteria.append(sa.not_(tagged) if name.startswith('not-') else tagged)
        elif name not in ('deleted', 'soft_deleted'):
            raise exception.InvalidInput(reason='unknown instance filter %r' % name)
    return criteria


def instance_get_all_by_filters(context, filters, sort_keys=None, sort_dirs=None, limit=None,
                                marker=None):
    """Instances matching filters, newest first unless sorted otherwise, after the
    marker instance uuid (MarkerNotFound), with metadata and tags loaded.

    Filters: project_id, user_id, uuid, vm_state, task_state, host, node, image_ref,
    flavor_id, reservation_id, availability_zone (a value or a list; None is NULL),
    display_name (regular expression), locked, changes-since, changes-before,
    tags, tags-any, not-tags, not-tags-any (lists), deleted, soft_deleted.
    """
    criteria, order, marker_stmt = list_criteria(context, filters, sort_keys, sort_dirs, marker)
    stmt = sa.select(Instance).options(*_LOAD).where(*criteria)
    with db_session.reader() as session:
        return paginate.page(session, stmt, order, limit, marker_stmt, marker)


def instance_get_live_by_uuids(context, uuids):
    """The live instances among uuids, newest first as instance_get_all_by_filters
    lists them, metadata and tags joined: one round trip (a host reads the batch it
    builds) where selectin loads cost three."""
    with db_session.connection() as conn:
        rows = conn.execute(_LIVE_BY_UUIDS, {'b_uuids': list(uuids)}).all()
    found = {}  # instance id -> (values, {metadata id: item}, {tag: row}), in the rows' order
    for row in rows:
        mapping = row._mapping
        values, metadata, tags = found.setdefault(
            mapping['i_id'], (query.row_values(_LABELLED_INSTANCE, row), {}, {}))
        if mapping['m_id'] is not None and mapping['m_id'] not in metadata:
            metadata[mapping['m_id']] = InstanceMetadata(
                **query.row_values(_LABELLED_METADATA, row))
        if mapping['t_tag'] is not None and mapping['t_tag'] not in tags:
            tags[mapping['t_tag']] = Tag(resource_id=values['uuid'], tag=mapping['t_tag'])
    return [query.detached(Instance, dict(
        values, metadata_items=sorted(metadata.values(), key=lambda item: item.key),
        tag_rows=sorted(tags.values(), key=lambda tag: tag.tag)))
        for values, metadata, tags in found.values()]


# built once, on a Core connection (a host reads each batch it builds with it): the
# ORM's joined loads of the same rows cost more than the statement
_LIVE_BY_UUIDS = (
    sa.select(*(c for _, c in _LABELLED_INSTANCE), *(c for _, c in _LABELLED_METADATA),
              Tag.tag.label('t_tag'))
    .select_from(_WITH_CHILDREN)
    .where(Instance.uuid.in_(sa.bindparam('b_uuids', expanding=True)), Instance.deleted == 0)
    .order_by(Instance.created_at.desc(), Instance.id.desc()))


def list_criteria(context, filters, sort_keys=None, sort_dirs=None, marker=None):
    """(WHERE criteria of the matching instances, sort criteria, select of the marker
    row): what every instance list shares, whatever it loads.
    """
    filters = dict(filters or {})
    read_deleted, criteria = _deleted_criteria(context, filters)
    criteria = [*query.deleted_criteria(context, Instance, read_deleted), *criteria,
                *_filter_criteria(filters)]
    order = paginate.sort_criteria(Instance, sort_keys or ['created_at', 'id'],
                                   sort_dirs or ['desc', 'desc'], default_dir='desc')
    return criteria, order, sa.select(Instance).where(Instance.uuid == marker)


def instance_get_all_by_host(context, host):
    return instance_get_all_by_filters(context, {'host': host})


_USAGE_COLUMNS = (Instance.uuid, Instance.display_name, Instance.project_id, Instance.vm_state,
                  Instance.deleted, Instance.created_at, Instance.launched_at,
                  Instance.terminated_at, Instance.vcpus, Instance.memory_mb, Instance.root_gb,
                  Instance.ephemeral_gb, Instance.flavor)


def instance_get_active_by_window(context, begin, end, project_id=None, limit=None,
                                  marker=None, host=None):
    """Rows (uuid, display_name, project_id, vm_state, deleted, created_at,
    launched_at, terminated_at, vcpus, memory_mb, root_gb, ephemeral_gb, flavor)
    of the instances, deleted ones too, that lived during [begin, end] (not
    terminated before begin, not launched after end), oldest first after the
    marker uuid: what usage reports bill (and a host's usage audit, with host),
    without building ORM objects.
    """
    stmt = sa.select(*_USAGE_COLUMNS).where(
        sa.or_(Instance.terminated_at.is_(None), Instance.terminated_at >= begin),
        sa.or_(Instance.launched_at.is_(None), Instance.launched_at <= end))
    if project_id is not None:
        stmt = stmt.where(Instance.project_id == project_id)
    if host is not None:
        stmt = stmt.where(Instance.host == host)
    order = paginate.sort_criteria(Instance, ['created_at', 'id'], ['asc', 'asc'])
    marker_stmt = sa.select(Instance).where(Instance.uuid == marker)
    with db_session.reader() as session:
        return paginate.page(session, stmt, order, limit, marker_stmt, marker, rows=True)


def instance_pages_by_host(context, host, page_size=200):
    """The instances instance_get_all_by_host gives, oldest first, read page_size at a
    time (each page its own read): a periodic task over a host's thousands of servers
    holds one page of ORM objects, not all of them at once (doc/performance.md)."""
    criteria = list_criteria(context, {'host': host})[0]
    after = 0
    while True:
        stmt = sa.select(Instance).options(*_LOAD).where(
            *criteria, Instance.id > after).order_by(Instance.id).limit(page_size)
        with db_session.reader() as session:
            page = list(session.scalars(stmt))
        last = len(page) < page_size
        after = page[-1].id if page else after
        yield from page
        del page  # freed before the next page is read
        if last:
            return


def instance_sizes_by_host(context, host):
    """Rows (uuid, node, memory_mb, vcpus, root_gb, ephemeral_gb) of the live instances
    on host: what its claims count, read without building an ORM instance (with its
    metadata and tags) for each of a host's thousands of servers every periodic run."""
    stmt = sa.select(Instance.uuid, Instance.node, Instance.memory_mb, Instance.vcpus,
                     Instance.root_gb, Instance.ephemeral_gb).where(
        Instance.deleted == 0, Instance.host == host)
    with db_session.reader() as session:
        return session.execute(stmt).all()


def instance_uuids_by_host(context):
    """{host: [uuid]} of the live instances that have a host (one two-column SELECT)."""
    stmt = sa.select(Instance.host, Instance.uuid).where(
        Instance.deleted == 0, Instance.host.is_not(None)).order_by(Instance.host, Instance.id)
    by_host = {}
    with db_session.reader() as session:
        for host, instance_uuid in session.execute(stmt):
            by_host.setdefault(host, []).append(instance_uuid)
    return by_host


def _checked_values(values):
    unknown = set(values) - set(Instance.column_names())
    if unknown:
        raise TypeError('Instance has no column %s' % ', '.join(sorted(unknown)))
    return {'updated_at': utils.utcnow(), **values}


def _state_criteria(expected_task_state, expected_vm_state):
    criteria = []
    if expected_task_state is not ANY:
        criteria.append(_in(Instance.task_state, expected_task_state))
    if expected_vm_state is not ANY:
        criteria.append(_in(Instance.vm_state, expected_vm_state))
    return criteria


def _update_refused(session, instance_uuid, expected_task_state, expected_vm_state):
    """The exception explaining why a conditional UPDATE matched no row."""
    states = session.execute(sa.select(Instance.task_state, Instance.vm_state).where(
        Instance.uuid == instance_uuid, Instance.deleted == 0)).first()
    if states is None:
        return exception.InstanceNotFound(instance_id=instance_uuid)
    task_state, vm_state = states
    if expected_task_state is not ANY and task_state not in utils.as_list(expected_task_state):
        cls = (exception.UnexpectedDeletingTaskStateError
               if task_state == task_states.DELETING else exception.UnexpectedTaskStateError)
        return cls(instance_uuid=instance_uuid, expected=expected_task_state, actual=task_state)
    return exception.UnexpectedVMStateError(instance_uuid=instance_uuid,
                                            expected=expected_vm_state, actual=vm_state)


def _destroy_refused(session, instance_uuid, expected):
    task_state = session.execute(sa.select(Instance.task_state).where(
        Instance.uuid == instance_uuid, Instance.deleted == 0)).first()
    if task_state is None:
        return exception.InstanceNotFound(instance_id=instance_uuid)
    return exception.UnexpectedTaskStateError(instance_uuid=instance_uuid, expected=expected,
                                              actual=task_state[0])


def instance_update(context, instance_uuid, values, expected_task_state=ANY,
                    expected_vm_state=ANY, reload=True):
    """Update a live instance if its states are as expected (one UPDATE); returns the row
    (reload=False: None, saving the three statements that read it back).

    expected_*_state: a value or a list (None matches NULL); omitted: no check.
    A 'metadata' dict in values replaces the instance's metadata.
    """
    values = dict(values)
    metadata = values.pop('metadata', None)
    stmt = (sa.update(Instance)
            .where(Instance.uuid == instance_uuid, Instance.deleted == 0,
                   *_state_criteria(expected_task_state, expected_vm_state))
            .values(_checked_values(values))
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise _update_refused(session, instance_uuid, expected_task_state, expected_vm_state)
        if metadata is not None:
            instance_info.set_metadata(session, instance_uuid, metadata, delete=True)
        if not reload:
            return None
        return session.scalars(sa.select(Instance).options(*_LOAD).where(
            Instance.uuid == instance_uuid, Instance.deleted == 0)).one()


_UPDATE_MANY = {}


def _update_many_stmt(names, expected_task_state):
    """The UPDATE of instance_update_many for these column names and expected task
    state(s), built once per shape (a build moves its instances twice: building the
    expression each time cost more than running it); the uuids bound as :b_uuids,
    each value as :v_<name>."""
    key = (names, expected_task_state)
    if key not in _UPDATE_MANY:
        _UPDATE_MANY[key] = (
            sa.update(_INSTANCES)
            .where(query.AnyOf(_INSTANCES.c.uuid, 'b_uuids'), _INSTANCES.c.deleted == 0,
                   *_state_criteria(expected_task_state, ANY))
            .values({name: sa.bindparam('v_' + name, type_=_INSTANCES.c[name].type)
                     for name in names}))
    return _UPDATE_MANY[key]


def instance_update_many(context, uuids, values, expected_task_state=ANY):
    """One UPDATE of the live instances among uuids in the expected task state;
    returns how many changed.
    """
    values = _checked_values(dict(values))
    if isinstance(expected_task_state, list):
        expected_task_state = tuple(expected_task_state)
    stmt = _update_many_stmt(tuple(sorted(values)), expected_task_state)
    params = {'v_' + name: value for name, value in values.items()}
    params['b_uuids'] = list(uuids)
    with db_session.connection(writes=True, one_statement=True) as conn:
        return conn.execute(stmt, params).rowcount


def _task_with_action_statements():
    """{dialect name: [statement]} moving the live instance :b_uuid from task
    :b_expected (None: no task) into :b_task at :b_now and recording the action
    (:b_action, :b_request, :b_user, :b_project) only if it moved: on PostgreSQL
    one statement, an INSERT of the action from a data-modifying CTE of the
    instance's UPDATE (its rowcount says whether it moved); elsewhere the UPDATE
    (its rowcount says) and then the INSERT, in one transaction."""
    actions = InstanceAction.__table__
    now = sa.bindparam('b_now', type_=sa.DateTime)
    update = (sa.update(Instance.__table__)
              .where(Instance.uuid == sa.bindparam('b_uuid', type_=sa.String),
                     Instance.deleted == 0,
                     Instance.task_state.is_not_distinct_from(
                         sa.bindparam('b_expected', type_=sa.String)))
              .values(task_state=sa.bindparam('b_task', type_=sa.String), updated_at=now))
    names = ['instance_uuid', 'action', 'request_id', 'user_id', 'project_id',
             'start_time', 'created_at']
    fields = [sa.bindparam(name, type_=actions.c[column].type) for name, column in (
        ('b_action', 'action'), ('b_request', 'request_id'), ('b_user', 'user_id'),
        ('b_project', 'project_id'))]
    moved = update.returning(Instance.uuid).cte('moved')
    together = sa.insert(actions).from_select(
        names, sa.select(moved.c.uuid, *fields, now, now)).add_cte(moved).execution_options(
        preserve_rowcount=True)
    alone = sa.insert(actions).values(
        instance_uuid=sa.bindparam('b_uuid', type_=sa.String),
        **dict(zip(names[1:], fields + [now, now])))
    return {'postgresql': [together], None: [update, alone]}


_TASK_WITH_ACTION = _task_with_action_statements()


def instance_task_with_action(context, instance_uuid, task_state, expected_task_state,
                              action):
    """Move a live instance from ``expected_task_state`` (one value, None: no task)
    into ``task_state`` and record ``action`` of the context's request, both or
    neither (UnexpectedTaskStateError, InstanceNotFound): a delete's step in the
    API, statements built once (building them cost more than running them), on
    PostgreSQL one statement in autocommit."""
    params = {'b_uuid': instance_uuid, 'b_expected': expected_task_state,
              'b_task': task_state, 'b_now': utils.utcnow(), 'b_action': action,
              'b_request': context.request_id, 'b_user': context.user_id,
              'b_project': context.project_id}
    postgres = db_session.get_engine().dialect.name == 'postgresql'
    with db_session.connection(writes=True, one_statement=postgres) as conn:
        if postgres:
            moved = conn.execute(_TASK_WITH_ACTION['postgresql'][0], params).rowcount
        else:
            update, insert = _TASK_WITH_ACTION[None]
            moved = conn.execute(update, params).rowcount
            if moved:
                conn.execute(insert, params)
        if not moved:
            raise _update_refused(conn, instance_uuid, expected_task_state, ANY)


def _destroy_children(matches, now):
    """The writes deleting what belongs to the instances ``matches(column)`` selects
    (metadata, tags, build passwords, group membership), their times bound as ``now``
    (a value, or a bindparam of a statement built once)."""
    def soft_delete(model, column):
        return (sa.update(model.__table__)
                .where(model.deleted == 0, matches(column))
                .values(deleted=model.id, deleted_at=now, updated_at=now))
    return [soft_delete(InstanceMetadata, InstanceMetadata.instance_uuid),
            sa.delete(Tag.__table__).where(matches(Tag.resource_id)),
            sa.delete(InstanceBuildPassword.__table__).where(
                matches(InstanceBuildPassword.instance_uuid)),
            soft_delete(InstanceGroupMember, InstanceGroupMember.instance_uuid)]


def _destroy_statements(conditions=()):
    """{dialect name: [statement]} of a destroy of the live instance :b_uuid at :b_now
    where ``conditions`` hold: on PostgreSQL one statement (the children's writes are
    data-modifying CTEs of the instance's UPDATE that touch only what belongs to the
    row it changed, so a refused destroy leaves them, even where its caller goes on
    with the transaction) counting the rows it destroyed; elsewhere the instance's
    UPDATE (its rowcount says) and then the children's writes."""
    uuid = sa.bindparam('b_uuid', type_=sa.String)
    now = sa.bindparam('b_now', type_=sa.DateTime)
    update = (sa.update(Instance.__table__)
              .where(Instance.uuid == uuid, Instance.deleted == 0, *conditions)
              .values(deleted=Instance.id, deleted_at=now, updated_at=now,
                      vm_state=vm_states.DELETED, task_state=None,
                      terminated_at=sa.func.coalesce(Instance.terminated_at, now)))
    gone = update.returning(Instance.uuid).cte('gone')
    children = _destroy_children(lambda column: column.in_(sa.select(gone.c.uuid)), now)
    counted = sa.select(sa.func.count()).select_from(gone).add_cte(
        *[child.cte('child%d' % i) for i, child in enumerate(children)])
    return {'postgresql': [counted],
            None: [update, *_destroy_children(lambda column: column == uuid, now)]}


# a delete without conditions (every host's terminate, every API delete of an
# instance without a host), built once: building the statements cost more CPU
# than running them
_DESTROY = _destroy_statements()


def instance_destroy(context, instance_uuid, quota=None, expected=None):
    """Soft-delete an instance with its metadata, tags and group membership, and
    release its quota, in one transaction (no caller needs the deleted row back).

    expected: {column: value or list (None matches NULL)} the row must still
    have (UnexpectedTaskStateError otherwise), for deletes decided on a read.
    """
    statements = _DESTROY if not expected else _destroy_statements(
        [_in(getattr(Instance, name), value) for name, value in expected.items()])
    params = {'b_uuid': instance_uuid, 'b_now': utils.utcnow()}
    with db_session.connection(writes=True) as conn:
        if conn.dialect.name == 'postgresql':
            destroyed = conn.execute(statements['postgresql'][0], params).scalar()
        else:
            first, *children = statements[None]
            destroyed = conn.execute(first, params).rowcount
            if destroyed:
                for child in children:
                    conn.execute(child, params)
        if not destroyed:
            raise _destroy_refused(conn, instance_uuid, expected)
        quotas.apply_quota(conn, quota)
