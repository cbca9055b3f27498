"""Quota limits per project and usage counters, changed atomically in the database.

A usage change is one conditional UPDATE per resource: ``in_use + delta`` is
written only if it stays within the limit, so concurrent requests cannot
overshoot whatever the isolation level. Any resource refused rolls back the
whole transaction (and whatever the caller wrote in it). Project-wide usage
rows have user_id NULL; a user's own resources (key pairs) live in rows whose
project_id is ALL_PROJECTS, as a user's key pairs count in every project.
"""
import sqlalchemy as sa

from nova import exception
from nova.db import errors
from nova.db import models
from nova.db import session as db_session

Quota = models.Quota
QuotaClass = models.QuotaClass
QuotaUsage = models.QuotaUsage
Instance = models.Instance

ALL_PROJECTS = '*'


def quota_get_all_by_project(context, project_id):
    """{resource: hard_limit} for the limits overridden for this project."""
    stmt = sa.select(Quota.resource, Quota.hard_limit).where(Quota.project_id == project_id)
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


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
            with session.begin_nested():
                session.add(QuotaUsage(project_id=project_id, user_id=user_id,
                                       resource=resource, in_use=0))
        except sa.exc.IntegrityError as e:
            if not errors.is_duplicate(e):
                raise


def apply_deltas(session, project_id, user_id, deltas, limits):
    """Add deltas to usage inside the caller's transaction, or raise OverQuota.

    A positive delta passes only if ``in_use + delta <= limit`` (a limit below
    0, or none, is unlimited); a release always passes and stops at 0.
    """
    deltas = {resource: delta for resource, delta in deltas.items() if delta}
    if not deltas:
        return
    _ensure_rows(session, project_id, user_id, deltas)
    refused = []
    for resource in sorted(deltas):
        delta, limit = deltas[resource], limits.get(resource, -1)
        stmt = (sa.update(QuotaUsage)
                .where(QuotaUsage.project_id == project_id, _user_is(user_id),
                       QuotaUsage.resource == resource)
                .values(in_use=sa.case((QuotaUsage.in_use + delta < 0, 0),
                                       else_=QuotaUsage.in_use + delta))
                .execution_options(synchronize_session=False))
        if delta > 0 and limit is not None and limit >= 0:
            stmt = stmt.where(QuotaUsage.in_use + delta <= limit)
        if session.execute(stmt).rowcount == 0:
            refused.append(resource)
    if refused:
        used = dict(session.execute(sa.select(QuotaUsage.resource, QuotaUsage.in_use).where(
            QuotaUsage.project_id == project_id, _user_is(user_id),
            QuotaUsage.resource.in_(refused))).all())
        raise exception.OverQuota(overs=refused, req={r: deltas[r] for r in refused},
                                  used=used, allowed={r: limits[r] for r in refused})


def apply_quota(session, quota):
    """apply_deltas for a {'project_id', 'user_id', 'deltas', 'limits'} dict (or None)."""
    if quota:
        apply_deltas(session, quota['project_id'], quota.get('user_id'),
                     quota['deltas'], quota.get('limits') or {})


def quota_usage_update(context, project_id, deltas, limits, user_id=None):
    """Change usage by deltas within limits, all or nothing (OverQuota)."""
    with db_session.writer() as session:
        apply_deltas(session, project_id, user_id, deltas, limits)


def set_usage(session, project_id, actual):
    """Make the project-wide usage rows {resource: in_use}, in the caller's transaction."""
    _ensure_rows(session, project_id, None, actual)
    for resource, in_use in actual.items():
        session.execute(sa.update(QuotaUsage)
                        .where(QuotaUsage.project_id == project_id,
                               QuotaUsage.user_id.is_(None),
                               QuotaUsage.resource == resource)
                        .values(in_use=in_use)
                        .execution_options(synchronize_session=False))


def quota_usage_refresh(context, project_id):
    """Recount instances, cores and ram from the project's live instances."""
    count = sa.select(sa.func.count(Instance.id),
                      sa.func.coalesce(sa.func.sum(Instance.vcpus), 0),
                      sa.func.coalesce(sa.func.sum(Instance.memory_mb), 0)).where(
        Instance.project_id == project_id, Instance.deleted == 0)
    with db_session.writer() as session:
        instances, cores, ram = session.execute(count).one()
        actual = {'instances': instances, 'cores': cores, 'ram': ram}
        set_usage(session, project_id, actual)
    return actual
