"""nova-manage bootstrap: the admin user and project, EC2 keys and a novarc; the
built-in image (what nova-all's first start does, for clouds of separate daemons);
the service user compute hosts call the image API as (clouds of several hosts)."""
from nova import context as nova_context
from nova.auth import bootstrap
from nova.conf import CONF
from nova.db import migration
from nova.i18n import _
from nova.image import service as image_service
from nova.manage import Category, arg, command, say


class BootstrapCommands(Category):
    name = 'bootstrap'
    help = ('First start: the admin user and project with their novarc; the built-in image; '
            'the image API service user of compute hosts')

    @command('Create what is missing of the admin user, project, role and EC2 keys, and '
             'write novarc (a new admin password if novarc is missing)',
             arg('--novarc', help='where to write it (default: --novarc_path)'))
    def admin(self, novarc=None):
        migration.check_current()
        path = novarc or CONF.novarc_path
        created = bootstrap.ensure_admin(path)
        say(_('%s; credentials in %s') % (
            'Created the admin user and project' if created else 'The admin user exists',
            path))

    @command('Register and upload the built-in placeholder image if the cloud has no '
             'image yet (run it where nova-image runs: it writes to its store)')
    def image(self):
        migration.check_current()
        image = image_service.ensure_default_image(nova_context.get_admin_context())
        if image is None:
            say(_('The cloud has an image already; nothing registered'))
        else:
            say(_('Registered the built-in image %s (%s, %d bytes)') % (
                image['id'], image['name'], image['size']))

    @command('Create (or check) the service user compute hosts call the image API as when '
             'a request carries no token, and print the flags for their flagfiles',
             arg('--name', default='nova', help='user name (default: nova)'),
             arg('--project', default='service', help='its project (default: service)'),
             arg('--password', help='set this password (default: a generated one for a new '
                 'user; an existing user keeps its own)'))
    def service_user(self, name='nova', project='service', password=None):
        migration.check_current()
        created, password = bootstrap.ensure_service_user(name, project, password)
        values = {'name': name, 'project': project,
                  'roles': ', '.join(bootstrap.SERVICE_ROLES)}
        if created:
            say(_('Created the service user %(name)s in project %(project)s '
                  '(roles %(roles)s)') % values)
        else:
            say(_('The service user %(name)s exists in project %(project)s '
                  '(roles %(roles)s)') % values)
        if password is None:
            say(_('Its password is unchanged (it is not stored in clear; --password sets a '
                  'new one): compute hosts keep their --image_api_password and these lines:'))
        else:
            say(_('Put these lines in the flagfile of every compute host '
                  '(--compute_image_api=http):'))
        for line in bootstrap.image_api_flags(name, project, password):
            print(line)  # flags: never translated
