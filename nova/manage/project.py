"""nova-manage project: accounts (from nova.manage.account) and quotas."""
from nova import context as nova_context
from nova import quota
from nova.db import api as db
from nova.auth import manager
from nova.db import migration
from nova.i18n import _
from nova.manage import UsageError, arg, command, print_table
from nova.manage.account import ProjectMembershipCommands
from nova.volume import quota as volume_quota


def _admin():
    migration.check_current()
    return nova_context.get_admin_context()


def _limit(value):
    return 'unlimited' if value < 0 else value


class ProjectCommands(ProjectMembershipCommands):
    name = 'project'
    help = 'Projects: create, delete, list, add and remove users, quotas'

    @command('Show the quotas of a project (limit and use), or set one: RESOURCE VALUE '
             '(-1 for unlimited)',
             arg('project', help='name or id'), arg('resource', nargs='?'),
             arg('value', nargs='?'))
    def quota(self, project, resource=None, value=None):
        ctxt = _admin()
        project_id = manager.find_project(ctxt, project).id  # unknown: ProjectNotFound, exit 1
        if resource is not None:
            if value is None:
                raise UsageError(_('give a VALUE for %s (-1 for unlimited)') % resource)
            quota.update_project_quota(ctxt, project_id, resource, value)
        quotas = dict(quota.get_project_quotas(ctxt, project_id),
                      **volume_quota.get_project_quotas(ctxt, project_id))
        counted = quota.PROJECT_RESOURCES + quota.VOLUME_PROJECT_RESOURCES
        print_table(['Resource', 'Limit', 'In_Use'],
                    [[name, _limit(q['limit']), q['in_use'] if name in counted else '-']
                     for name, q in quotas.items()])

    @command('Recount the instances, cores, ram, volumes, snapshots and gigabytes a '
             'project uses', arg('project', help='name or id'))
    def quota_refresh(self, project):
        ctxt = _admin()
        project_id = manager.find_project(ctxt, project).id
        usage = dict(db.quota_usage_refresh(ctxt, project_id),
                     **volume_quota.refresh(ctxt, project_id))
        print_table(['Resource', 'In_Use'], sorted(usage.items()))
