"""nova-manage flavor: create, delete, list flavors; access and extra specs."""
from nova import context as nova_context
from nova import exception
from nova.compute import flavors
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, UsageError, arg, command, print_table, say


def _admin():
    migration.check_current()
    return nova_context.get_admin_context()


class FlavorCommands(Category):
    name = 'flavor'
    help = 'Flavors (instance types): create, delete, list, access, extra specs'

    @command('Create a flavor',
             arg('name'), arg('memory', type=int, help='memory in MB'),
             arg('vcpus', type=int), arg('root_gb', type=int, help='root disk in GB'),
             arg('--ephemeral', type=int, default=0, help='ephemeral disk in GB'),
             arg('--swap', type=int, default=0, help='swap in MB'),
             arg('--flavorid', help="public id (default: a new UUID; 'auto' too)"),
             arg('--private', action='store_true', help='only projects given access see it'),
             arg('--rxtx-factor', dest='rxtx_factor', type=float, default=1.0),
             arg('--description'))
    def create(self, name, memory, vcpus, root_gb, ephemeral=0, swap=0, flavorid=None,
               private=False, rxtx_factor=1.0, description=None):
        flavor = flavors.create(name, memory, vcpus, root_gb, ephemeral_gb=ephemeral,
                                flavorid=flavorid, swap=swap, rxtx_factor=rxtx_factor,
                                is_public=not private, description=description, ctxt=_admin())
        say(_('Flavor %s created with id %s.') % (flavor.name, flavor.flavorid))

    @command('Delete a flavor (instances using it keep their copy)',
             arg('flavor', help='name or id'))
    def delete(self, flavor):
        ctxt = _admin()
        found = flavors.get_by_name_or_id(flavor, ctxt)
        flavors.destroy(found.flavorid, ctxt)
        say(_('Flavor %s (id %s) deleted.') % (found.name, found.flavorid))

    @command('List flavors', arg('--all', dest='inactive', action='store_true',
                                 help='deleted flavors too'))
    def list(self, inactive=False):
        rows = [[f.flavorid, f.name, f.memory_mb, f.vcpus, f.root_gb, f.ephemeral_gb,
                 f.swap or '', f.is_public] + (['deleted' if f.deleted else ''] if inactive else [])
                for f in flavors.get_all(_admin(), inactive=inactive)]
        headers = ['ID', 'Name', 'Memory_MB', 'VCPUs', 'Root_GB', 'Ephemeral_GB', 'Swap',
                   'Public']
        print_table(headers + (['Deleted'] if inactive else []), rows)

    @command('Let a project use a private flavor', arg('flavor', help='name or id'),
             arg('project_id'))
    def access_add(self, flavor, project_id):
        ctxt = _admin()
        found = flavors.get_by_name_or_id(flavor, ctxt)
        flavors.add_access(found.flavorid, project_id, ctxt)
        say(_('Project %s can use flavor %s.') % (project_id, found.name))

    @command("Take a project's access to a private flavor away", arg('flavor', help='name or id'),
             arg('project_id'))
    def access_remove(self, flavor, project_id):
        ctxt = _admin()
        found = flavors.get_by_name_or_id(flavor, ctxt)
        flavors.remove_access(found.flavorid, project_id, ctxt)
        say(_('Project %s can no longer use flavor %s.') % (project_id, found.name))

    @command('Show the projects that may use a private flavor', arg('flavor', help='name or id'))
    def access_list(self, flavor):
        found = flavors.get_by_name_or_id(flavor, _admin())
        print_table(['Flavor_ID', 'Project_ID'], [[found.flavorid, p] for p in found.projects])

    @command('Set extra specs', arg('flavor', help='name or id'),
             arg('specs', nargs='+', metavar='key=value'))
    def set_key(self, flavor, specs):
        pairs = {}
        for spec in specs:
            key, sep, value = spec.partition('=')
            if not sep:
                raise UsageError(_('extra spec %r is not key=value') % spec)
            pairs[key] = value
        ctxt = _admin()
        found = flavors.get_by_name_or_id(flavor, ctxt)
        current = flavors.set_extra_specs(found.flavorid, pairs, ctxt)
        print_table(['Key', 'Value'], sorted(current.items()))

    @command('Remove extra specs', arg('flavor', help='name or id'), arg('keys', nargs='+'))
    def unset_key(self, flavor, keys):
        ctxt = _admin()
        found = flavors.get_by_name_or_id(flavor, ctxt)
        missing = [key for key in keys if key not in found.extra_specs]
        if missing:
            raise exception.FlavorExtraSpecsNotFound(flavor_id=found.flavorid,
                                                     extra_specs_key=', '.join(missing))
        for key in keys:
            flavors.unset_extra_spec(found.flavorid, key, ctxt)
        say(_('Removed %s from flavor %s.') % (', '.join(keys), found.name))
