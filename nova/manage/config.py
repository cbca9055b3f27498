"""nova-manage config: every flag and its effective value."""
import nova.conf
from nova.conf import CONF
from nova.manage import Category, arg, command, print_table


class ConfigCommands(Category):
    name = 'config'
    help = 'Flags: list'

    @command('List every flag with its effective value (secrets masked)',
             arg('filter', nargs='?', help='only flags whose name contains this'))
    def list(self, filter=None):
        rows = []
        for group, opts in nova.conf.list_opts():
            for opt in sorted(opts, key=lambda o: o.dest):
                if filter and filter not in opt.dest:
                    continue
                value = CONF[opt.dest] if group == 'DEFAULT' else CONF[group][opt.dest]
                shown = '****' if opt.secret and value else value
                rows.append([opt.dest, shown])
        if nova.conf.LOADED_FLAGFILES:
            print('Flagfiles: %s' % ', '.join(nova.conf.LOADED_FLAGFILES))
        print_table(['Flag', 'Value'], rows)
