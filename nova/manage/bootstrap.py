"""nova-manage bootstrap: the admin user and project, EC2 keys and a novarc."""
from nova.auth import bootstrap
from nova.conf import CONF
from nova.db import migration
from nova.manage import Category, arg, command


class BootstrapCommands(Category):
    name = 'bootstrap'
    help = 'First start: create the admin user and project and write novarc'

    @command('Create what is missing of the admin user, project, role and EC2 keys, and '
             'write novarc (a new admin password if novarc is missing)',
             arg('--novarc', help='where to write it (default: --novarc_path)'))
    def admin(self, novarc=None):
        migration.check_current()
        path = novarc or CONF.novarc_path
        created = bootstrap.ensure_admin(path)
        print('%s; credentials in %s' % (
            'Created the admin user and project' if created else 'The admin user exists',
            path))
