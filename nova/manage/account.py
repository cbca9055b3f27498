"""nova-manage project (accounts), role and credentials: who belongs where, EC2 keys.

``ProjectMembershipCommands`` holds the account commands of the 'project'
category; nova/manage/project.py's ProjectCommands (quotas) inherits them,
so that one category serves both.
"""
from nova import crypto
from nova.auth import manager
from nova.auth import roles
from nova.i18n import _
from nova.manage import Category, arg, command, print_table, say
from nova.manage import certs
from nova.manage.user import admin_context


class ProjectMembershipCommands(Category):
    name = 'project'
    help = 'Projects: create, delete, list, add and remove users'

    @command('Create a project', arg('name'), arg('--description'))
    def create(self, name, description=None):
        project = manager.create_project(admin_context(), name, description)
        say(_('Project %s created with id %s.') % (project.name, project.id))

    @command('Delete a project with its role assignments, EC2 credentials and tokens',
             arg('project', help='name or id'))
    def delete(self, project):
        ctxt = admin_context()
        found = manager.find_project(ctxt, project)
        manager.delete_project(ctxt, found.id)
        say(_('Project %s (id %s) deleted.') % (found.name, found.id))

    @command('List projects')
    def list(self):
        print_table(['ID', 'Name', 'Enabled', 'Description'],
                    [[p.id, p.name, p.enabled, p.description]
                     for p in manager.list_projects(admin_context())])

    @command('Add a user to a project (give it a role there)',
             arg('project', help='name or id'), arg('user', help='name or id'),
             arg('--role', default=roles.MEMBER, help='default: %(default)s'))
    def add(self, project, user, role=roles.MEMBER):
        ctxt = admin_context()
        found_project = manager.find_project(ctxt, project)
        found_user = manager.find_user(ctxt, user)
        manager.add_role(ctxt, found_user.id, found_project.id, role)
        say(_('User %s has role %s on project %s.') % (found_user.name, role,
                                                       found_project.name))

    @command('Remove a user from a project (every role it has there)',
             arg('project', help='name or id'), arg('user', help='name or id'))
    def remove(self, project, user):
        ctxt = admin_context()
        found_project = manager.find_project(ctxt, project)
        found_user = manager.find_user(ctxt, user)
        manager.remove_user_from_project(ctxt, found_user.id, found_project.id)
        say(_('User %s removed from project %s.') % (found_user.name, found_project.name))

    @command('Write a zip for bundling images: a key and cert for the user signed by the '
             "cloud's CA, the cloud's cert (cacert.pem), ec2rc.sh with EC2 keys",
             arg('project', help='name or id'), arg('user', help='name or id'),
             arg('file', nargs='?', default='nova.zip', help='default: %(default)s'))
    def zipfile(self, project, user, file='nova.zip'):
        ctxt = admin_context()
        found_user, found_project = _user_and_project(ctxt, user, project)
        credential = next((c for c in manager.list_ec2_credentials(ctxt, found_user.id)
                           if c.project_id == found_project.id), None) or \
            manager.create_ec2_credentials(ctxt, found_user.id, found_project.id)
        certs.write_private(file, certs.credentials_zip(credential))
        say(_('Wrote %s for user %s in project %s.') % (file, found_user.name,
                                                        found_project.name))


def _user_and_project(ctxt, user, project):
    return manager.find_user(ctxt, user), manager.find_project(ctxt, project)


_ASSIGNMENT = (arg('user', help='name or id'), arg('project', help='name or id'),
               arg('role', help='admin, member or reader'))


class RoleCommands(Category):
    name = 'role'
    help = 'Roles of users on projects: add, remove, has'

    @command('Give a user a role on a project', *_ASSIGNMENT)
    def add(self, user, project, role):
        ctxt = admin_context()
        found_user, found_project = _user_and_project(ctxt, user, project)
        manager.add_role(ctxt, found_user.id, found_project.id, role)
        say(_('User %s has role %s on project %s.') % (found_user.name, role,
                                                       found_project.name))

    @command("Take a user's role on a project away (its tokens there are revoked)",
             *_ASSIGNMENT)
    def remove(self, user, project, role):
        ctxt = admin_context()
        found_user, found_project = _user_and_project(ctxt, user, project)
        manager.remove_role(ctxt, found_user.id, found_project.id, role)
        say(_('User %s no longer has role %s on project %s.') % (found_user.name, role,
                                                                 found_project.name))

    @command('Print True and exit 0 when the user has the role (or one implying it) on '
             'the project, else False and exit 1', *_ASSIGNMENT)
    def has(self, user, project, role):
        ctxt = admin_context()
        found_user, found_project = _user_and_project(ctxt, user, project)
        manager.get_role_by_name(ctxt, role)
        result = manager.has_role(ctxt, found_user.id, found_project.id, role)
        print(result)
        return 0 if result else 1


class CredentialCommands(Category):
    name = 'credentials'
    help = 'EC2/S3 credentials (access and secret keys): create, list, delete'

    @command('Create an access and secret key for a user in a project it has a role on',
             arg('user', help='name or id'), arg('project', help='name or id'))
    def create(self, user, project):
        ctxt = admin_context()
        found_user, found_project = _user_and_project(ctxt, user, project)
        credential = manager.create_ec2_credentials(ctxt, found_user.id, found_project.id)
        say(_('Access: %s') % credential.access)
        say(_('Secret: %s') % credential.secret)

    @command('List access keys (of one user)', arg('user', nargs='?', help='name or id'))
    def list(self, user=None):
        ctxt = admin_context()
        user_id = manager.find_user(ctxt, user).id if user else None
        users = {u.id: u.name for u in manager.list_users(ctxt)}
        projects = {p.id: p.name for p in manager.list_projects(ctxt)}
        print_table(['Access', 'User', 'Project', 'Created'],
                    [[c.access, users.get(c.user_id), projects.get(c.project_id),
                      c.created_at.strftime('%Y-%m-%d %H:%M:%S')]
                     for c in manager.list_ec2_credentials(ctxt, user_id)])

    @command("Print the cloud's certificate (cacert.pem), which image bundles are "
             'encrypted for', arg('file', nargs='?', help='write it here instead'))
    def cacert(self, file=None):
        pem = crypto.ca_cert_pem()
        if file:
            with open(file, 'wb') as f:
                f.write(pem)
            say(_('Wrote the cloud certificate to %s.') % file)
        else:
            print(pem.decode('ascii'), end='')

    @command('Delete an access key', arg('access'))
    def delete(self, access):
        ctxt = admin_context()
        manager.delete_ec2_credentials(ctxt, access)
        say(_('Access key %s deleted.') % access)

