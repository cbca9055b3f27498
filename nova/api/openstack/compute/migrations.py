"""/os-migrations: every resize and migration in the cloud, for admins.

2.23 adds migration_type and, for live migrations in progress, links to the
server's migration; 2.59 adds uuid and pages newest first (limit, marker =
uuid, changes-since; 2.66 changes-before); 2.80 shows and filters by the
server's user_id and project_id. Hidden (internal) migrations are not listed.
A project's managers list their project's migrations only, without hosts
(os-migrations:index:all_projects and :host are for administrators).
"""
import datetime

import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import parameter_types as types
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.compute import api as compute_api
from nova.i18n import _

_string = types.multi_params({'type': 'string'})
_time = types.multi_params({'type': 'string', 'format': 'date-time'})
_query = {
    'type': 'object',
    'properties': {'hidden': _string, 'host': _string, 'instance_uuid': _string,
                   'source_compute': _string, 'status': _string, 'migration_type': _string},
    'additionalProperties': True,
}
_query_v259 = types.extended(dict(_query, additionalProperties=False), (),
                             limit=types.multi_params(types.non_negative_integer),
                             marker=_string, **{'changes-since': _time})
_query_v266 = types.extended(_query_v259, (), **{'changes-before': _time})
_query_v280 = types.extended(_query_v266, (), user_id=_string, project_id=_string)

_FILTERS = ('host', 'instance_uuid', 'source_compute', 'status', 'migration_type')
_FIELDS = ('id', 'source_compute', 'source_node', 'dest_compute', 'dest_node', 'dest_host',
           'old_instance_type_id', 'new_instance_type_id', 'instance_uuid', 'status')
_HOST_FIELDS = ('source_compute', 'source_node', 'dest_compute', 'dest_node', 'dest_host')
LIVE_IN_PROGRESS = ('queued', 'preparing', 'running', 'post-migrating')


def _naive_utc(value):
    parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _filters(req):
    filters = {name: req.GET[name] for name in _FILTERS if name in req.GET}
    filters['hidden'] = common.is_true(req.GET.get('hidden', 'false'))
    if req.is_version('2.59'):
        for name in ('changes-since', 'changes-before'):
            if name in req.GET and (name == 'changes-since' or req.is_version('2.66')):
                filters[name] = _naive_utc(req.GET[name])
        since, before = filters.get('changes-since'), filters.get('changes-before')
        if since and before and since > before:
            raise webob.exc.HTTPBadRequest(explanation=(
                _('The value of changes-since must be less than or equal to changes-before.')))
    if req.is_version('2.80'):
        filters.update({name: req.GET[name] for name in ('user_id', 'project_id')
                        if name in req.GET})
    return filters


class MigrationsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    @validation.query_schema(_query, '2.1', '2.58')
    @validation.query_schema(_query_v259, '2.59', '2.65')
    @validation.query_schema(_query_v266, '2.66', '2.79')
    @validation.query_schema(_query_v280, '2.80')
    def index(self, req):
        context = req.context
        own = {'project_id': context.project_id}
        policy.authorize(context, 'os_compute_api:os-migrations:index', own)
        filters = _filters(req)
        if not policy.authorize(context, 'os_compute_api:os-migrations:index:all_projects',
                                own, do_raise=False):
            filters['project_id'] = context.project_id
        hosts = policy.authorize(context, 'os_compute_api:os-migrations:index:host', own,
                                 do_raise=False)
        limit = marker = None
        sort = (['id'], ['asc'])
        if req.is_version('2.59'):
            limit, marker = common.limit_and_marker(req)
            sort = (None, None)  # newest first
        try:
            migrations = self.compute_api.get_migrations(
                context, filters, sort_keys=sort[0], sort_dirs=sort[1], limit=limit,
                marker=marker)
        except exception.MarkerNotFound:
            raise webob.exc.HTTPBadRequest(
                explanation=_('Marker %s could not be found.') % marker) from None
        owners = self.compute_api.get_all_by_uuids_with_deleted(
            context, {m.instance_uuid for m in migrations if m.instance_uuid}) \
            if req.is_version('2.80') else {}
        body = {'migrations': [self._view(req, m, owners, hosts) for m in migrations]}
        if req.is_version('2.59'):
            links = common.next_link(req, body['migrations'], limit, 'os-migrations', 'uuid')
            if links:
                body['migrations_links'] = links
        return body

    @staticmethod
    def _view(req, migration, owners, hosts=True):
        body = {field: getattr(migration, field) for field in _FIELDS}
        if not hosts:
            body.update(dict.fromkeys(_HOST_FIELDS))
        body['created_at'] = common.strtime(migration.created_at)
        body['updated_at'] = common.strtime(migration.updated_at)
        if req.is_version('2.23'):
            body['migration_type'] = migration.migration_type
            if (migration.migration_type == 'live-migration' and
                    migration.status in LIVE_IN_PROGRESS):
                body['links'] = common.links(common.url_base(req), 'servers/%s/migrations'
                                             % migration.instance_uuid, migration.id)
        if req.is_version('2.59'):
            body['uuid'] = migration.uuid
        if req.is_version('2.80'):
            instance = owners.get(migration.instance_uuid)
            body['user_id'] = instance.user_id if instance else None
            body['project_id'] = instance.project_id if instance else None
        return body
