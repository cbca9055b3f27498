"""/servers/{id}/migrations: a server's live migrations in progress, for admins.

2.22 POST .../migrations/{id}/action {"force_complete": null} finishes a
running live migration now; 2.23 lists and shows them; 2.24 DELETE aborts
one (the guest stays on its source, the migration is cancelled). 2.59 adds
uuid, 2.80 user_id and project_id. The progress counters are null: the
drivers do not report them. A project's managers may do all this too (Nova's
defaults since 2025.2) but see no hosts (servers:migrations:index:host).
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions, servers
from nova.i18n import _

RULE = 'os_compute_api:servers:migrations:%s'
HOST_FIELDS = ('source_compute', 'source_node', 'dest_compute', 'dest_node', 'dest_host')
_COUNTERS = ('memory_total_bytes', 'memory_processed_bytes', 'memory_remaining_bytes',
             'disk_total_bytes', 'disk_processed_bytes', 'disk_remaining_bytes')
_force_complete = {'type': 'object', 'properties': {'force_complete': {'type': 'null'}},
                   'required': ['force_complete'], 'additionalProperties': False}


def _migration_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise webob.exc.HTTPBadRequest(
            explanation=_('Migration id %s is not an integer.') % value) from None


class ServerMigrationsController(server_actions.ServerActionBase):
    def _instance(self, req, server_id, action):
        return self._authorized(req, server_id, RULE % action)

    @staticmethod
    def _view(req, instance, migration):
        hosts = policy.authorize(req.context, RULE % 'index:host', servers.target(instance),
                                 do_raise=False)
        body = {
            'id': migration.id, 'server_uuid': migration.instance_uuid,
            'status': migration.status, 'source_compute': migration.source_compute,
            'source_node': migration.source_node, 'dest_compute': migration.dest_compute,
            'dest_node': migration.dest_node, 'dest_host': migration.dest_host,
            'created_at': common.strtime(migration.created_at),
            'updated_at': common.strtime(migration.updated_at),
        }
        body.update(dict.fromkeys(_COUNTERS))
        if not hosts:  # a project's manager: not where it runs
            body.update(dict.fromkeys(HOST_FIELDS))
        if req.is_version('2.59'):
            body['uuid'] = migration.uuid
        if req.is_version('2.80'):
            body['user_id'] = instance.user_id
            body['project_id'] = instance.project_id
        return body

    @wsgi.api_version('2.23')
    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'index')
        return {'migrations': [self._view(req, instance, m) for m in
                               self.compute_api.get_live_migrations(req.context, instance)]}

    @wsgi.api_version('2.23')
    def show(self, req, server_id, id):
        instance = self._instance(req, server_id, 'show')
        migration = self.compute_api.get_live_migration(req.context, instance,
                                                        _migration_id(id))
        return {'migration': self._view(req, instance, migration)}

    @wsgi.api_version('2.22')
    @wsgi.response(202)
    @validation.schema(_force_complete)
    def action(self, req, server_id, id, body):
        instance = self._instance(req, server_id, 'force_complete')
        try:
            self.compute_api.live_migrate_force_complete(req.context, instance,
                                                         _migration_id(id))
        except exception.MigrationNotFoundForInstance as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None

    @wsgi.api_version('2.24')
    @wsgi.response(202)
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        self.compute_api.live_migrate_abort(req.context, instance, _migration_id(id))
