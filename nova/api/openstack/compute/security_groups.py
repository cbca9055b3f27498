"""/os-security-groups and /os-security-group-rules: the legacy proxies (to 2.35),
and /servers/{id}/os-security-groups (every version).

Nova served these from nova-network (and later proxied Neutron); here they are
views of nova.network.security_groups, the same groups EC2 shows. Group ids are
their UUIDs (as with Neutron), rule ids integers (as with nova-network). From
2.36 the proxies answer 404: clients use the network API. As in Nova, deleting
a group drops other groups' rules that name it, and a group in use, the
'default' group, a duplicate name or rule are 400.
"""
import uuid

import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import security_groups as schema
from nova.compute import api as compute_api
from nova.i18n import _
from nova.network import security_groups as groups_api

MAX_VERSION = '2.35'
RULE = 'os_compute_api:os-security-groups:%s'
BAD_REQUEST = (exception.SecurityGroupExists, exception.SecurityGroupInUse,
               exception.SecurityGroupRuleExists, exception.Invalid)


def _bad_request(error):
    return webob.exc.HTTPBadRequest(explanation=error.format_message())


def _rule_view(rule, group, sources):
    """One rule as Nova shows it; sources: {uuid: group} holding its source group."""
    view = {'id': rule.id, 'parent_group_id': group.uuid, 'group': {}, 'ip_range': {},
            'ip_protocol': None, 'from_port': None, 'to_port': None}
    if rule.protocol != '-1':
        view.update(ip_protocol=rule.protocol, from_port=rule.from_port, to_port=rule.to_port)
    if rule.source_group_uuid:
        source = sources[rule.source_group_uuid]
        view['group'] = {'name': source.name, 'tenant_id': source.project_id}
    else:
        view['ip_range'] = {'cidr': rule.cidr}
    return view


def _group_view(group, sources):
    return {'id': group.uuid, 'name': group.name, 'description': group.description or '',
            'tenant_id': group.project_id,
            'rules': [_rule_view(rule, group, sources) for rule in group.rules]}


def _target(group):
    return {'project_id': group.project_id, 'user_id': group.user_id}


class _Base(wsgi.Controller):
    def __init__(self, api=None):
        self.api = api or groups_api.SecurityGroupAPI()

    def _group(self, context, group_id):
        """The group by id; 404 for one that does not exist or the caller cannot see."""
        try:
            return self.api.get(context, str(group_id))
        except exception.SecurityGroupNotFound as error:
            raise webob.exc.HTTPNotFound(explanation=error.format_message()) from None

    def _sources(self, context, groups, rules=()):
        """{uuid: group} holding every source group that the rules of groups
        (and the further rules) name."""
        known = {group.uuid: group for group in groups}
        for rule in [rule for group in groups for rule in group.rules] + list(rules):
            if rule.source_group_uuid and rule.source_group_uuid not in known:
                known[rule.source_group_uuid] = self.api.get(
                    context.elevated(), rule.source_group_uuid)
        return known

    def _views(self, context, groups):
        sources = self._sources(context, groups)
        return [_group_view(group, sources) for group in groups]


class SecurityGroupController(_Base):

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.query_schema(schema.index_query)
    def index(self, req):
        context = req.context
        policy.authorize(context, RULE % 'get')
        everyone = common.is_true(req.GET.get('all_tenants', '')) and context.is_admin
        groups = self.api.list(context, all_projects=everyone)
        offset = int(req.GET.get('offset', 0))
        limit, _marker = common.limit_and_marker(req)
        return {'security_groups': self._views(context, groups[offset:offset + limit])}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        group = self._group(req.context, id)
        policy.authorize(req.context, RULE % 'show', _target(group))
        return {'security_group': self._views(req.context, [group])[0]}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create)
    def create(self, req, body):
        policy.authorize(req.context, RULE % 'create')
        values = body['security_group']
        try:
            group = self.api.create(req.context, values['name'], values.get('description') or '')
        except BAD_REQUEST as error:
            raise _bad_request(error) from None
        return {'security_group': self._views(req.context, [group])[0]}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.update)
    def update(self, req, id, body):
        group = self._group(req.context, id)
        policy.authorize(req.context, RULE % 'update', _target(group))
        values = body['security_group']
        try:
            group = self.api.update(req.context, group, name=values.get('name'),
                                    description=values.get('description'))
        except BAD_REQUEST as error:
            raise _bad_request(error) from None
        return {'security_group': self._views(req.context, [group])[0]}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        group = self._group(req.context, id)
        policy.authorize(req.context, RULE % 'delete', _target(group))
        try:
            self.api.destroy(req.context, group, drop_referencing_rules=True)
        except BAD_REQUEST as error:
            raise _bad_request(error) from None


def _uuid_or_400(value, field):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('%s %r is not a security group id (a UUID)') % (field, value)) from None


class SecurityGroupRulesController(_Base):

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_rule)
    def create(self, req, body):
        context = req.context
        values = body['security_group_rule']
        group = self._group(context, _uuid_or_400(values['parent_group_id'],
                                                  'parent_group_id'))
        policy.authorize(context, RULE % 'rule:create', _target(group))
        source = values.get('group_id')
        if source is not None:
            source = self._group(context, _uuid_or_400(source, 'group_id')).uuid
        try:
            rule = groups_api.validate_rule(
                values.get('ip_protocol'), values.get('from_port'), values.get('to_port'),
                cidr=None if source else (values.get('cidr') or '0.0.0.0/0'),
                source_group_uuid=source, canonical_cidr=False)
            [row] = self.api.add_rules(context, group, [rule])
        except exception.SecurityGroupNotFound as error:
            raise webob.exc.HTTPNotFound(explanation=error.format_message()) from None
        except BAD_REQUEST as error:
            raise _bad_request(error) from None
        sources = self._sources(context, [group], [row])
        return {'security_group_rule': _rule_view(row, group, sources)}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        context = req.context
        try:
            rule_id = int(id)
            if not 0 < rule_id < 2 ** 31:  # beyond what a database integer holds
                raise ValueError(id)
            rule, group = self.api.get_rule(context, rule_id)
            policy.authorize(context, RULE % 'rule:delete', _target(group))
            self.api.remove_rule(context, rule)
        except (ValueError, exception.SecurityGroupRuleNotFound):
            raise webob.exc.HTTPNotFound(
                explanation=_('Security group rule %s not found.') % id) from None


class ServerSecurityGroupController(_Base):
    """The groups one server is in (kept after 2.36, as in Nova)."""

    def __init__(self, compute=None, api=None):
        super().__init__(api)
        self.compute_api = compute or compute_api.API()

    def index(self, req, server_id):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, RULE % 'list', servers.target(instance))
        groups = self.api.for_instance(req.context, instance)
        return {'security_groups': self._views(req.context, groups)}
