"""nova-manage user: create, delete, list, modify the users of the auth manager."""
from nova import context as nova_context
from nova.auth import manager
from nova.auth import passwords
from nova.auth import roles
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, UsageError, arg, command, print_table, say


def admin_context():
    migration.check_current()
    return nova_context.get_admin_context()


class UserCommands(Category):
    name = 'user'
    help = 'Users: create, delete, list, modify'

    @command('Create a user (a password is generated and printed when none is given)',
             arg('name'), arg('--password'), arg('--email'),
             arg('--project', help='give the user a role on this project (name or id); '
                                   'it becomes the default project'),
             arg('--role', help='the role on --project (default: %s)' % roles.MEMBER))
    def create(self, name, password=None, email=None, project=None, role=None):
        if role and not project:
            raise UsageError(_('--role needs --project'))
        ctxt = admin_context()
        found = manager.find_project(ctxt, project) if project else None
        generated = None if password else passwords.generate_password()
        user = manager.create_user(ctxt, name, password or generated, email=email,
                                   default_project_id=found.id if found else None)
        if found:
            manager.add_role(ctxt, user.id, found.id, role or roles.MEMBER)
        say(_('User %s created with id %s.') % (user.name, user.id))
        if generated:
            say(_('Password: %s') % generated)

    @command('Delete a user with its roles, EC2 credentials and tokens',
             arg('user', help='name or id'))
    def delete(self, user):
        ctxt = admin_context()
        found = manager.find_user(ctxt, user)
        manager.delete_user(ctxt, found.id)
        say(_('User %s (id %s) deleted.') % (found.name, found.id))

    @command('List users')
    def list(self):
        print_table(['ID', 'Name', 'Enabled', 'Email', 'Default_Project'],
                    [[u.id, u.name, u.enabled, u.email, u.default_project_id]
                     for u in manager.list_users(admin_context())])

    @command('Change a user; a new password or --disable revokes its tokens',
             arg('user', help='name or id'), arg('--password'), arg('--email'),
             arg('--enable', dest='enabled', action='store_true', default=None),
             arg('--disable', dest='enabled', action='store_false'))
    def modify(self, user, password=None, email=None, enabled=None):
        if password is None and email is None and enabled is None:
            raise UsageError(_('nothing to change: give --password, --email, --enable '
                               'or --disable'))
        ctxt = admin_context()
        found = manager.find_user(ctxt, user)
        manager.update_user(ctxt, found.id, password=password, email=email, enabled=enabled)
        say(_('User %s modified.') % found.name)
