"""/os-server-groups: affinity and anti-affinity groups of a project's servers.

Before 2.64 a group shows ``policies`` (a one-item list) and empty
``metadata``; from 2.64 ``policy`` and ``rules``. 2.13 adds project_id and
user_id. Admins list every project's groups with ``all_projects``.
"""
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import server_groups as schema
from nova.compute import server_groups as server_groups_api

_RULE = 'os_compute_api:os-server-groups:%s'


def _view(req, group):
    body = {'id': group.uuid, 'name': group.name, 'members': group.members}
    if req.is_version('2.64'):
        rules = dict(group.rules or {})
        if 'max_server_per_host' in rules:
            rules['max_server_per_host'] = int(rules['max_server_per_host'])
        body.update(policy=group.policy, rules=rules)
    else:
        body.update(policies=[group.policy], metadata={})
    if req.is_version('2.13'):
        body.update(project_id=group.project_id, user_id=group.user_id)
    return body


def _target(group):
    return {'project_id': group.project_id, 'user_id': group.user_id}


class ServerGroupController(wsgi.Controller):
    def __init__(self, api=None):
        self.api = api or server_groups_api.InstanceGroupAPI()

    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def index(self, req):
        context = req.context
        policy.authorize(context, _RULE % 'index')
        everyone = common.is_true(req.GET.get('all_projects', '')) and policy.authorize(
            context, _RULE % 'index:all_projects', {}, do_raise=False)
        groups = self.api.get_all(context, all_projects=everyone)
        offset = int(req.GET.get('offset', 0))
        limit, _marker = common.limit_and_marker(req)
        return {'server_groups': [_view(req, g) for g in groups[offset:offset + limit]]}

    def show(self, req, id):
        group = self.api.get(req.context, id)
        policy.authorize(req.context, _RULE % 'show', _target(group))
        return {'server_group': _view(req, group)}

    @validation.schema(schema.create, '2.1', '2.14')
    @validation.schema(schema.create_v215, '2.15', '2.63')
    @validation.schema(schema.create_v264, '2.64')
    def create(self, req, body):
        policy.authorize(req.context, _RULE % 'create')
        values = body['server_group']
        if req.is_version('2.64'):
            chosen, rules = values['policy'], values.get('rules')
        else:
            chosen, rules = values['policies'][0], None
        group = self.api.create(req.context, values['name'], chosen, rules)
        return {'server_group': _view(req, group)}

    @wsgi.response(204)
    def delete(self, req, id):
        group = self.api.get(req.context, id)
        policy.authorize(req.context, _RULE % 'delete', _target(group))
        self.api.delete(req.context, id)
