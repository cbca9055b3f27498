"""Server groups: instances placed together or apart by one policy."""
import uuid as uuid_lib

from nova import exception
from nova import quota
from nova.db import api as db

POLICIES = ('affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity')


class InstanceGroupAPI:
    @staticmethod
    def uuids_of_instance(context, instance_uuid):
        """[the uuid of the group the instance is in], or []."""
        try:
            return [db.instance_group_get_by_instance(context, instance_uuid).uuid]
        except exception.InstanceGroupNotFound:
            return []

    def create(self, context, name, policy, rules=None):
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise exception.InvalidInput(reason='name must be 1-255 characters')
        if policy not in POLICIES:
            raise exception.InvalidInput(reason='policy must be one of %s' % ', '.join(POLICIES))
        rules = dict(rules or {})
        if rules:
            if policy != 'anti-affinity' or set(rules) != {'max_server_per_host'}:
                raise exception.InvalidInput(
                    reason='only anti-affinity takes a rule: max_server_per_host')
            try:
                if int(rules['max_server_per_host']) < 1:
                    raise ValueError
            except (TypeError, ValueError):
                raise exception.InvalidInput(reason='max_server_per_host must be >= 1')
        resource = 'server_groups'
        return db.instance_group_create(context, {
            'uuid': str(uuid_lib.uuid4()), 'name': name, 'policy': policy,
            'rules': rules, 'project_id': context.project_id, 'user_id': context.user_id},
            limit=quota.limits_for(context, context.project_id)[resource],
            user_limit=quota.limits_for(context, context.project_id, context.user_id)[resource])

    def get(self, context, group_uuid):
        group = db.instance_group_get(context, group_uuid)
        if not context.is_admin and group.project_id != context.project_id:
            raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
        return group

    def get_all(self, context, all_projects=False):
        project = None if (context.is_admin and all_projects) else context.project_id
        return db.instance_group_get_all(context, project)

    def delete(self, context, group_uuid):
        self.get(context, group_uuid)
        db.instance_group_delete(context, group_uuid)
