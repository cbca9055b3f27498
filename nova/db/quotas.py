"""Quota limits per project and usage counters, changed atomically in the database.

A usage change is one conditional UPDATE per resource: ``in_use + delta`` is
written only if it stays within the limit, so concurrent requests cannot
overshoot whatever the isolation level. Any resource refused rolls back the
whole transaction (and whatever the caller wrote in it). Project-wide usage
rows have user_id NULL; a user's share of a project's usage has rows with the
user's id (checked against the user's limits in the same transaction); a
user's own resources (key pairs) live in rows whose project_id is
ALL_PROJECTS, as a user's key pairs count in every project.
"""
import sqlite3

import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import models
from nova.db import session as db_session

Quota = models.Quota
ProjectUserQuota = models.ProjectUserQuota
QuotaClass = models.QuotaClass
QuotaUsage = models.QuotaUsage
Instance = models.Instance

ALL_PROJECTS = '*'


def quota_get_all_by_project(context, project_id):
    """{resource: hard_limit} for the limits overridden for this project."""
    stmt = sa.select(Quota.resource, Quota.hard_limit).where(Quota.project_id == project_id)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


# built once: every reservation reads it (building the UNION and its cache key cost
# more than running it)
_LIMITS = sa.union_all(
    sa.select(sa.literal(0).label('kind'), QuotaClass.resource,
              QuotaClass.hard_limit).where(
        QuotaClass.class_name == sa.bindparam('b_class', type_=sa.String)),
    sa.select(sa.literal(1), Quota.resource, Quota.hard_limit).where(
        Quota.project_id == sa.bindparam('b_project', type_=sa.String)),
    sa.select(sa.literal(2), ProjectUserQuota.resource, ProjectUserQuota.hard_limit).where(
        ProjectUserQuota.project_id == sa.bindparam('b_project', type_=sa.String),
        ProjectUserQuota.user_id == sa.bindparam('b_user', type_=sa.String)))


def quota_limits_get(context, class_name, project_id, user_id=None):
    """({resource: hard_limit} of the quota class, of the project's overrides, of
    user_id's overrides in the project ({} without a user)) in one query: what every
    reservation reads first."""
    found = ({}, {}, {})
    with db_session.connection(one_statement=True) as conn:
        for kind, resource, hard_limit in conn.execute(
                _LIMITS, {'b_class': class_name, 'b_project': project_id, 'b_user': user_id}):
            found[kind][resource] = hard_limit
    return found


def _set_limit(session, model, owner, resource, hard_limit):
    """Set one limit of a project (Quota) or class (QuotaClass); owner is
    {column: value}; a concurrent insert of the same one becomes an update."""
    criteria = [getattr(model, column) == value for column, value in owner.items()]
    update = (sa.update(model).where(*criteria, model.resource == resource)
              .values(hard_limit=hard_limit)
              .execution_options(synchronize_session=False))
    if session.execute(update).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(model(resource=resource, hard_limit=hard_limit, **owner))
    except sa.exc.IntegrityError as e:
        if not errors.is_duplicate(e):
            raise
        session.execute(update)


def quota_create_or_update(context, project_id, resource, hard_limit):
    """Set one override."""
    quota_create_or_update_many(context, project_id, {resource: hard_limit})


def quota_create_or_update_many(context, project_id, limits):
    """Set {resource: hard_limit} overrides in one transaction: all of them or none."""
    with db_session.writer() as session:
        for resource, hard_limit in sorted(limits.items()):  # one order: no deadlock
            _set_limit(session, Quota, {'project_id': project_id}, resource, hard_limit)


def quota_destroy_all_by_project(context, project_id, resources=None):
    """Drop a project's overrides (only those of resources, if given): the flag
    defaults apply again."""
    stmt = sa.delete(Quota).where(Quota.project_id == project_id)
    if resources is not None:
        stmt = stmt.where(Quota.resource.in_(list(resources)))
    with db_session.writer() as session:
        session.execute(stmt)


def project_user_quota_get_all(context, project_id, user_id):
    """{resource: hard_limit} for the limits overridden for this user in this project."""
    stmt = sa.select(ProjectUserQuota.resource, ProjectUserQuota.hard_limit).where(
        ProjectUserQuota.project_id == project_id, ProjectUserQuota.user_id == user_id)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def project_user_quota_allocated(context, project_id, exclude_user_id=None):
    """{resource: sum of the limits (unlimited ones left out) the project's users were
    given}, without exclude_user_id's: what a project limit must leave room for."""
    stmt = (sa.select(ProjectUserQuota.resource, sa.func.sum(ProjectUserQuota.hard_limit))
            .where(ProjectUserQuota.project_id == project_id, ProjectUserQuota.hard_limit >= 0)
            .group_by(ProjectUserQuota.resource))
    if exclude_user_id is not None:
        stmt = stmt.where(ProjectUserQuota.user_id != exclude_user_id)
    with db_session.reader() as session:
        return {resource: int(total) for resource, total in session.execute(stmt).all()}


def project_user_quota_create_or_update_many(context, project_id, user_id, limits):
    """Set {resource: hard_limit} of a user in a project in one transaction."""
    with db_session.writer() as session:
        for resource, hard_limit in sorted(limits.items()):
            _set_limit(session, ProjectUserQuota,
                       {'project_id': project_id, 'user_id': user_id}, resource, hard_limit)


def project_user_quota_destroy_all(context, project_id, user_id):
    """Drop a user's overrides: the project's limits apply to them again."""
    with db_session.writer() as session:
        session.execute(sa.delete(ProjectUserQuota).where(
            ProjectUserQuota.project_id == project_id, ProjectUserQuota.user_id == user_id))


def quota_projects_with_limits(context, resources):
    """The projects that override any of these resources, sorted."""
    stmt = (sa.select(Quota.project_id).where(Quota.resource.in_(list(resources)))
            .distinct())
    with db_session.reader() as session:
        return sorted(session.scalars(stmt))


def quota_class_get_all(context, class_name):
    """{resource: hard_limit} of a quota class ('default': the editable defaults)."""
    stmt = sa.select(QuotaClass.resource, QuotaClass.hard_limit).where(
        QuotaClass.class_name == class_name)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def quota_class_update_many(context, class_name, limits):
    """Set {resource: hard_limit} of a class in one transaction: all of them or none."""
    with db_session.writer() as session:
        for resource, hard_limit in sorted(limits.items()):
            _set_limit(session, QuotaClass, {'class_name': class_name}, resource, hard_limit)


def _user_is(user_id):
    return QuotaUsage.user_id.is_(None) if user_id is None else QuotaUsage.user_id == user_id


def quota_usage_get_all_by_project(context, project_id, user_id=None):
    """{resource: in_use} of the project-wide rows, or of the user's rows."""
    stmt = sa.select(QuotaUsage.resource, QuotaUsage.in_use).where(
        QuotaUsage.project_id == project_id, _user_is(user_id))
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def _ensure_rows(session, project_id, user_id, resources):
    """Create the missing usage rows; one created meanwhile by another transaction is fine."""
    existing = set(session.scalars(sa.select(QuotaUsage.resource).where(
        QuotaUsage.project_id == project_id, _user_is(user_id),
        QuotaUsage.resource.in_(resources))))
    for resource in sorted(set(resources) - existing):  # one order: no deadlock
        try:
            with session.begin_nested():  # a Session's or a Core Connection's
                session.execute(sa.insert(QuotaUsage).values(
                    project_id=project_id, user_id=user_id, resource=resource, in_use=0))
        except sa.exc.IntegrityError as e:
            if not errors.is_duplicate(e):
                raise


def _usage_update(user_is_null, limited):
    """UPDATE of one usage row by :b_delta (never below 0), within :b_limit if limited.

    Built once per shape with bound parameters: every create and delete applies
    deltas, and building the expression (and its cache key) each time cost more
    CPU than running it."""
    in_use = QuotaUsage.in_use + sa.bindparam('b_delta', type_=sa.Integer)
    user = (QuotaUsage.user_id.is_(None) if user_is_null
            else QuotaUsage.user_id == sa.bindparam('b_user', type_=sa.String))
    stmt = (sa.update(QuotaUsage)
            .where(QuotaUsage.project_id == sa.bindparam('b_project', type_=sa.String), user,
                   QuotaUsage.resource == sa.bindparam('b_resource', type_=sa.String))
            .values(in_use=sa.case((in_use < 0, 0), else_=in_use))
            .execution_options(synchronize_session=False))
    if limited:
        stmt = stmt.where(in_use <= sa.bindparam('b_limit', type_=sa.Integer))
    return stmt


_USAGE_UPDATES = {(user_is_null, limited): _usage_update(user_is_null, limited)
                  for user_is_null in (True, False) for limited in (True, False)}


def apply_deltas(session, project_id, user_id, deltas, limits):
    """Add deltas to usage inside the caller's transaction, or raise OverQuota.

    A positive delta passes only if ``in_use + delta <= limit`` (a limit below
    0, or none, is unlimited); a release always passes and stops at 0. The
    usage rows are updated first; only a resource whose UPDATE matched no row
    is looked for (its row is made if missing, then updated again): the rows
    exist after a project's first reservation, so that look-up is rarely run.
    """
    deltas = {resource: delta for resource, delta in deltas.items() if delta}
    if not deltas:
        return
    refused = _update_usage(session, project_id, user_id, deltas, limits, sorted(deltas))
    if refused:
        _ensure_rows(session, project_id, user_id, refused)
        refused = _update_usage(session, project_id, user_id, deltas, limits, refused)
    if refused:
        used = dict(session.execute(sa.select(QuotaUsage.resource, QuotaUsage.in_use).where(
            QuotaUsage.project_id == project_id, _user_is(user_id),
            QuotaUsage.resource.in_(refused))).all())
        raise exception.OverQuota(overs=refused, req={r: deltas[r] for r in refused},
                                  used=used, allowed={r: limits[r] for r in refused})


def _update_usage(session, project_id, user_id, deltas, limits, resources):
    """The conditional UPDATE of each resource (in this order: no deadlock); the
    resources whose row was missing or would go over its limit."""
    missed = []
    for resource in resources:
        delta, limit = deltas[resource], limits.get(resource, -1)
        limited = delta > 0 and limit is not None and limit >= 0
        params = {'b_project': project_id, 'b_resource': resource, 'b_delta': delta}
        if user_id is not None:
            params['b_user'] = user_id
        if limited:
            params['b_limit'] = limit
        if session.execute(_USAGE_UPDATES[user_id is None, limited], params).rowcount == 0:
            missed.append(resource)
    return missed


def apply_quota(session, quota):
    """Apply a reservation, {'project_id', 'deltas', 'limits'} and optionally
    'user_id' with 'user_limits' (or None): the project-wide usage within
    limits, then the user's share of it within user_limits."""
    if not quota:
        return
    project_id, user_id = quota['project_id'], quota.get('user_id')
    levels = [(None, quota.get('limits') or {})]
    if user_id is not None:
        levels.append((user_id, quota.get('user_limits') or {}))
    deltas = {resource: delta for resource, delta in quota['deltas'].items() if delta}
    if not deltas:
        return
    # a Session's or a Core Connection's
    dialect = (session.get_bind() if isinstance(session, orm.Session) else session).dialect
    if dialect.name in _ALL_USAGE_DIALECTS:
        # every row in one statement; what it did not change (a missing row, a limit
        # reached) goes the row-by-row way below, which makes rows and says OverQuota
        done = _update_all_usage(session, dialect.name, project_id, user_id, levels,
                                 deltas)
        levels = [(owner, limits, [r for r in sorted(deltas) if (owner, r) not in done])
                  for owner, limits in levels]
    else:
        levels = [(owner, limits, sorted(deltas)) for owner, limits in levels]
    for owner, limits, resources in levels:
        if resources:
            apply_deltas(session, project_id, owner, {r: deltas[r] for r in resources},
                         limits)


_ALL_USAGE_UPDATES = {}
# where one UPDATE ... FROM ... RETURNING changes every usage row of a reservation:
# PostgreSQL, and SQLite from 3.35 (UPDATE FROM 3.33, RETURNING 3.35)
_ALL_USAGE_DIALECTS = ('postgresql',) + (
    ('sqlite',) if sqlite3.sqlite_version_info >= (3, 35) else ())


def _all_usage_update(dialect, rows, resources):
    """The conditional UPDATE of ``rows`` usage rows (of ``resources`` resources) of a
    project and a user in one statement, built once per shape; each row changes as
    _usage_update's would. On PostgreSQL the rows are locked first in id order (a
    sorted FOR UPDATE), so that concurrent reservations cannot deadlock; SQLite's
    writer holds the database's write lock from its BEGIN IMMEDIATE."""
    key = (dialect, rows, resources)
    if key in _ALL_USAGE_UPDATES:
        return _ALL_USAGE_UPDATES[key]
    if dialect == 'sqlite':
        values = ', '.join('(:u%d, :r%d, :d%d, :l%d)' % (i, i, i, i) for i in range(rows))
        _ALL_USAGE_UPDATES[key] = sa.text(
            'WITH d (user_id, resource, delta, lim) AS (VALUES %s) '
            'UPDATE quota_usages AS q SET in_use = MAX(q.in_use + d.delta, 0), '
            'updated_at = :now FROM d '
            'WHERE q.project_id = :project AND q.resource = d.resource '
            'AND q.user_id IS d.user_id '
            'AND (d.lim IS NULL OR q.in_use + d.delta <= d.lim) '
            'RETURNING user_id, resource' % values).bindparams(
                sa.bindparam('now', type_=sa.DateTime))
    else:
        values = ', '.join(
            '(CAST(:u%d AS VARCHAR), CAST(:r%d AS VARCHAR), CAST(:d%d AS INTEGER), '
            'CAST(:l%d AS INTEGER))' % (i, i, i, i) for i in range(rows))
        _ALL_USAGE_UPDATES[key] = sa.text(
            'WITH locked AS (SELECT id FROM quota_usages WHERE project_id = :project '
            'AND resource IN (%s) AND (user_id IS NULL OR user_id = :user) '
            'ORDER BY id FOR UPDATE) '
            'UPDATE quota_usages AS q SET in_use = GREATEST(q.in_use + d.delta, 0), '
            'updated_at = :now '
            'FROM (VALUES %s) AS d (user_id, resource, delta, lim) '
            'WHERE q.id IN (SELECT id FROM locked) AND q.resource = d.resource '
            'AND q.user_id IS NOT DISTINCT FROM d.user_id '
            'AND (d.lim IS NULL OR q.in_use + d.delta <= d.lim) '
            'RETURNING q.user_id, q.resource' % (
                ', '.join(':res%d' % i for i in range(resources)), values))
    return _ALL_USAGE_UPDATES[key]


def _update_all_usage(session, dialect, project_id, user_id, levels, deltas):
    """{(user_id or None, resource)} of the usage rows the one UPDATE changed."""
    resources = sorted(deltas)
    params = {'project': project_id, 'user': user_id, 'now': utils.utcnow()}
    params.update(('res%d' % i, r) for i, r in enumerate(resources))
    i = 0
    for owner, limits in levels:
        for resource in resources:
            delta, limit = deltas[resource], limits.get(resource, -1)
            limited = delta > 0 and limit is not None and limit >= 0
            params.update({'u%d' % i: owner, 'r%d' % i: resource, 'd%d' % i: delta,
                           'l%d' % i: limit if limited else None})
            i += 1
    stmt = _all_usage_update(dialect, i, len(resources))
    return {(owner, resource) for owner, resource in session.execute(stmt, params)}


def quota_usage_update(context, project_id, deltas, limits, user_id=None):
    """Change one usage (the project's, or user_id's rows) by deltas within limits,
    all or nothing (OverQuota)."""
    with db_session.writer() as session:
        apply_deltas(session, project_id, user_id, deltas, limits)


def quota_apply(context, quota):
    """apply_quota (project and user) in a transaction of its own: all or nothing."""
    with db_session.writer() as session:
        apply_quota(session, quota)


def set_usage(session, project_id, user_id, actual):
    """Make the usage rows {resource: in_use} of the project (user_id None) or of a
    user in it, in the caller's transaction."""
    _ensure_rows(session, project_id, user_id, actual)
    for resource, in_use in actual.items():
        session.execute(sa.update(QuotaUsage)
                        .where(QuotaUsage.project_id == project_id, _user_is(user_id),
                               QuotaUsage.resource == resource)
                        .values(in_use=in_use)
                        .execution_options(synchronize_session=False))


def quota_usage_refresh(context, project_id):
    """Recount instances, cores and ram from the project's live instances, for the
    project and for each of its users (a user without instances drops to 0)."""
    count = sa.select(Instance.user_id, sa.func.count(Instance.id),
                      sa.func.coalesce(sa.func.sum(Instance.vcpus), 0),
                      sa.func.coalesce(sa.func.sum(Instance.memory_mb), 0)).where(
        Instance.project_id == project_id, Instance.deleted == 0).group_by(Instance.user_id)
    resources = ('instances', 'cores', 'ram')
    with db_session.writer() as session:
        by_user = {user_id: dict(zip(resources, (int(n) for n in counts)))
                   for user_id, *counts in session.execute(count).all()}
        actual = {r: sum(usage[r] for usage in by_user.values()) for r in resources}
        set_usage(session, project_id, None, actual)
        known = set(session.scalars(sa.select(QuotaUsage.user_id).where(
            QuotaUsage.project_id == project_id, QuotaUsage.user_id.is_not(None),
            QuotaUsage.resource.in_(resources))))
        for user_id in sorted(known | {u for u in by_user if u is not None}):
            set_usage(session, project_id, user_id,
                       by_user.get(user_id, dict.fromkeys(resources, 0)))
    return actual
