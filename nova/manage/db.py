"""nova-manage db: schema migrations."""
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, arg, command, say


class DbCommands(Category):
    name = 'db'
    help = 'Database schema: sync, version'

    @command('Upgrade the database schema to the latest (or a given) revision',
             arg('version', nargs='?', default=None, help='target revision'))
    def sync(self, version=None):
        migration.db_sync(version)
        say(_('Database is at revision %s') % migration.db_version())

    @command('Print the current database revision')
    def version(self):
        print(migration.db_version() or 'None (empty database: run nova-manage db sync)')
