"""nova-manage config: every flag and its effective value."""
import nova.conf
from nova.i18n import _
from nova.manage import Category, arg, command, print_table, say


class ConfigCommands(Category):
    name = 'config'
    help = 'Flags: list'

    @command('List every flag with its effective value (secrets masked)',
             arg('filter', nargs='?', help='only flags whose name contains this'))
    def list(self, filter=None):
        rows = [[name, value] for _group, name, value in nova.conf.effective_values()
                if not filter or filter in name]
        if nova.conf.LOADED_FLAGFILES:
            say(_('Flagfiles: %s') % ', '.join(nova.conf.LOADED_FLAGFILES))
        print_table(['Flag', 'Value'], rows)
