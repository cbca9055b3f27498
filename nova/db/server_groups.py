"""Server groups (instance_groups): a placement policy and its member instances.

Rows come with members loaded (.members: instance uuids).
"""
import uuid as uuid_lib

import sqlalchemy as sa
from sqlalchemy import orm

from nova import exception
from nova.db import bulk
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

Instance = models.Instance
InstanceGroup = models.InstanceGroup
Member = models.InstanceGroupMember

_LOAD = (orm.selectinload(InstanceGroup.member_rows),)


def _query(context):
    return query.model_query(context, InstanceGroup).options(*_LOAD)


def _live_id(session, group_uuid):
    group_id = session.scalar(sa.select(InstanceGroup.id).where(
        InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0))
    if group_id is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return group_id


RESOURCE = 'server_groups'


def instance_group_create(context, values, members=None, limit=None, user_limit=None):
    """A group (uuid, name, project_id, user_id, policy, rules) with members; its
    project's server_groups usage, and its user's share of it, go up in the same
    transaction, OverQuota beyond limit or user_limit (None or below 0: no limit)."""
    group_uuid = values.get('uuid') or str(uuid_lib.uuid4())
    group = InstanceGroup(**dict(values, uuid=group_uuid))
    with errors.duplicate_raises(lambda: exception.InstanceGroupIdExists(group_uuid=group_uuid)):
        with db_session.writer() as session:
            if group.project_id is not None:  # a project's group: its quota
                quotas.apply_quota(session, {
                    'project_id': group.project_id, 'user_id': group.user_id,
                    'deltas': {RESOURCE: 1},
                    'limits': {} if limit is None else {RESOURCE: limit},
                    'user_limits': {} if user_limit is None else {RESOURCE: user_limit}})
            session.add(group)
            session.flush()
            rows = [{'group_id': group.id, 'instance_uuid': member}
                    for member in dict.fromkeys(members or ())]
            bulk.insert_values(session, Member, rows)
    bulk.set_children(group, 'member_rows', Member, rows)
    return group


def instance_group_get(context, group_uuid):
    with db_session.reader() as session:
        return query.first(session, _query(context).where(InstanceGroup.uuid == group_uuid),
                           lambda: exception.InstanceGroupNotFound(group_uuid=group_uuid))


def instance_group_get_all(context, project_id=None):
    """Every group, or a project's."""
    stmt = _query(context).order_by(InstanceGroup.id)
    if project_id is not None:
        stmt = stmt.where(InstanceGroup.project_id == project_id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def instance_group_delete(context, group_uuid):
    """Soft-delete a group and its memberships, releasing its server_groups usage."""
    with db_session.writer() as session:
        group_id = _live_id(session, group_uuid)
        project_id, user_id = session.execute(sa.select(
            InstanceGroup.project_id, InstanceGroup.user_id).where(
            InstanceGroup.id == group_id)).one()
        session.execute(query.soft_delete(InstanceGroup, InstanceGroup.id == group_id))
        session.execute(query.soft_delete(Member, Member.group_id == group_id))
        if project_id is not None:
            quotas.apply_quota(session, {'project_id': project_id, 'user_id': user_id,
                                         'deltas': {RESOURCE: -1}})


def instance_group_members_add(context, group_uuid, instance_uuids):
    """Add instances not yet members; returns the uuids added."""
    with db_session.writer() as session:
        group_id = _live_id(session, group_uuid)
        present = set(session.scalars(sa.select(Member.instance_uuid).where(
            Member.group_id == group_id, Member.deleted == 0)))
        added = [uuid for uuid in dict.fromkeys(instance_uuids) if uuid not in present]
        bulk.insert_values(session, Member, [{'group_id': group_id, 'instance_uuid': uuid}
                                             for uuid in added])
    return added


def instance_group_get_by_instance(context, instance_uuid):
    """The group the instance belongs to; InstanceGroupNotFound if none."""
    stmt = _query(context).where(InstanceGroup.id.in_(sa.select(Member.group_id).where(
        Member.instance_uuid == instance_uuid, Member.deleted == 0)))
    with db_session.reader() as session:
        return query.first(session, stmt, lambda: exception.InstanceGroupNotFound(
            'Instance %s is in no server group.' % instance_uuid, group_uuid=None))


def instance_group_get_member_hosts(context, group_uuid):
    """{host} of the group's live members that have one (one joined SELECT)."""
    stmt = (sa.select(Instance.host).distinct()
            .join(Member, Member.instance_uuid == Instance.uuid)
            .join(InstanceGroup, InstanceGroup.id == Member.group_id)
            .where(InstanceGroup.uuid == group_uuid, InstanceGroup.deleted == 0,
                   Member.deleted == 0, Instance.deleted == 0, Instance.host.is_not(None)))
    with db_session.reader() as session:
        return set(session.scalars(stmt))
