"""Security groups of a project and their ingress rules (rows loaded with the group).

A duplicate name or rule is caught by the unique constraints, so two
concurrent requests cannot both create one.
"""
import sqlalchemy as sa

from nova import exception
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import session as db_session

__all__ = ['security_group_create', 'security_group_get', 'security_group_get_by_name',
           'security_group_get_all', 'security_group_update', 'security_group_destroy',
           'security_group_in_use', 'security_group_rule_create_many',
           'security_group_rule_destroy_many', 'security_group_rule_get',
           'security_group_rule_destroy']

SecurityGroup = models.SecurityGroup
SecurityGroupRule = models.SecurityGroupRule
RULE_FIELDS = ('protocol', 'from_port', 'to_port', 'cidr', 'source_group_uuid')


def security_group_create(context, values):
    """A new group; SecurityGroupExists if the project has one of that name."""
    group = SecurityGroup(**values)
    name, project_id = group.name, group.project_id
    with errors.duplicate_raises(lambda: exception.SecurityGroupExists(
            project_id=project_id, name=name)):
        with db_session.writer() as session:
            session.add(group)
            session.flush()
            session.refresh(group, ['rules'])
    return group


def _get(session, context, *criteria, not_found):
    return query.first(session, query.model_query(context, SecurityGroup).where(*criteria),
                       not_found)


def security_group_get(context, group_uuid):
    with db_session.reader() as session:
        return _get(session, context, SecurityGroup.uuid == group_uuid,
                    not_found=lambda: exception.SecurityGroupNotFound(group=group_uuid))


def security_group_get_by_name(context, project_id, name):
    with db_session.reader() as session:
        return _get(session, context, SecurityGroup.project_id == project_id,
                    SecurityGroup.name == name,
                    not_found=lambda: exception.SecurityGroupNotFound(group=name))


def security_group_get_all(context, project_id=None):
    """Every group (of one project), oldest first."""
    stmt = query.model_query(context, SecurityGroup)
    if project_id is not None:
        stmt = stmt.where(SecurityGroup.project_id == project_id)
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(SecurityGroup.id)))


def security_group_in_use(context, group_uuid):
    """Whether a live rule of another group names this one as its source."""
    stmt = sa.select(sa.func.count(SecurityGroupRule.id)).join(
        SecurityGroup, SecurityGroup.id == SecurityGroupRule.parent_group_id).where(
        SecurityGroupRule.source_group_uuid == group_uuid, SecurityGroupRule.deleted == 0,
        SecurityGroup.uuid != group_uuid)
    with db_session.reader() as session:
        return bool(session.scalar(stmt))


def security_group_update(context, group_uuid, values):
    """Change a group's name or description; SecurityGroupExists if the new name is taken."""
    with errors.duplicate_raises(lambda: exception.SecurityGroupExists(
            project_id=context.project_id, name=values.get('name'))):
        with db_session.writer() as session:
            group = _get(session, context, SecurityGroup.uuid == group_uuid,
                         not_found=lambda: exception.SecurityGroupNotFound(group=group_uuid))
            for name, value in values.items():
                setattr(group, name, value)
            session.flush()
            session.refresh(group, ['rules'])
    return group


def security_group_destroy(context, group_uuid, drop_referencing_rules=False):
    """Soft-delete a group and its rules (and, when asked, the rules of other
    groups that name it as their source)."""
    with db_session.writer() as session:
        group = _get(session, context, SecurityGroup.uuid == group_uuid,
                     not_found=lambda: exception.SecurityGroupNotFound(group=group_uuid))
        session.execute(query.soft_delete(SecurityGroupRule,
                                          SecurityGroupRule.parent_group_id == group.id))
        if drop_referencing_rules:
            session.execute(query.soft_delete(
                SecurityGroupRule, SecurityGroupRule.source_group_uuid == group_uuid))
        session.execute(query.soft_delete(SecurityGroup, SecurityGroup.id == group.id))


def _rule_criteria(group_id, rule):
    return [SecurityGroupRule.parent_group_id == group_id, SecurityGroupRule.deleted == 0] + [
        getattr(SecurityGroupRule, name) == rule[name] for name in RULE_FIELDS]


def security_group_rule_create_many(context, group_id, rules):
    """Add rules (dicts of RULE_FIELDS) all or none; SecurityGroupRuleExists on a
    duplicate. The new rows, in order."""
    rows = [SecurityGroupRule(parent_group_id=group_id, **rule) for rule in rules]
    with errors.duplicate_raises(lambda: exception.SecurityGroupRuleExists()):
        with db_session.writer() as session:
            session.add_all(rows)
            session.flush()
    return rows


def security_group_rule_destroy_many(context, group_id, rules):
    """Remove rules all or none; SecurityGroupRuleNotFound if one does not exist."""
    with db_session.writer() as session:
        for rule in rules:
            stmt = query.soft_delete(SecurityGroupRule, *_rule_criteria(group_id, rule))
            if session.execute(stmt).rowcount == 0:
                raise exception.SecurityGroupRuleNotFound()


def _live_rule(rule_id):
    return sa.select(SecurityGroupRule).join(
        SecurityGroup, SecurityGroup.id == SecurityGroupRule.parent_group_id).where(
        SecurityGroupRule.id == rule_id, SecurityGroupRule.deleted == 0,
        SecurityGroup.deleted == 0)


def security_group_rule_get(context, rule_id):
    """(rule, its group) by the rule's integer id; SecurityGroupRuleNotFound."""
    with db_session.reader() as session:
        rule = session.scalars(_live_rule(rule_id)).first()
        if rule is None:
            raise exception.SecurityGroupRuleNotFound()
        group = session.get(SecurityGroup, rule.parent_group_id)
        return rule, group


def security_group_rule_destroy(context, rule_id):
    """Soft-delete one rule by id; SecurityGroupRuleNotFound if it is gone."""
    with db_session.writer() as session:
        stmt = query.soft_delete(SecurityGroupRule, SecurityGroupRule.id == rule_id)
        if session.execute(stmt).rowcount == 0:
            raise exception.SecurityGroupRuleNotFound()
