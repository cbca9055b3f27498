"""Server actions that move or copy a server: rebuild, resize, migrations, images, shelve.

What the compute API cannot take yet is refused with a 400 naming it rather
than ignored: personality files on rebuild, preserve_ephemeral,
and a zone or host on unshelve (2.77, 2.91). A rebuild's new description
and hostname are set with compute_api.update once the rebuild is accepted.
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_actions, servers
from nova.api.openstack.compute.schemas import server_actions as schema
from nova.api.openstack.compute.views import servers as views
from nova.auth import passwords
from nova.compute import disk_config
from nova.i18n import _

_REBUILD_FIELDS = {'name': 'name', 'metadata': 'metadata', 'accessIPv4': 'access_ip_v4',
                   'accessIPv6': 'access_ip_v6'}
_REBUILD_UPDATES = {'description': 'display_description', 'hostname': 'hostname'}
_REBUILD_UNSUPPORTED = ('personality', 'trusted_image_certificates')


def _refuse(names):
    if names:
        raise webob.exc.HTTPBadRequest(explanation=(
            _('%s: not supported by this cloud yet') % ', '.join(sorted(names))))


class ServerMoveActionsController(server_actions.ServerActionBase):

    # -------------------------------------------------------------- rebuild
    @wsgi.action('rebuild')
    @validation.schema(schema.rebuild, '2.1', '2.18')
    @validation.schema(schema.rebuild_v219, '2.19', '2.53')
    @validation.schema(schema.rebuild_v254, '2.54', '2.56')
    @validation.schema(schema.rebuild_v257, '2.57', '2.62')
    @validation.schema(schema.rebuild_v263, '2.63', '2.89')
    @validation.schema(schema.rebuild_v290, '2.90', '2.93')
    @validation.schema(schema.rebuild_v294, '2.94')
    def rebuild(self, req, id, body):
        context = req.context
        instance = self._authorized(req, id, 'os_compute_api:servers:rebuild')
        args = body['rebuild']
        _refuse([k for k in _REBUILD_UNSUPPORTED if args.get(k)] +
                (['preserve_ephemeral'] if common.is_true(args.get('preserve_ephemeral'))
                 else []))
        password = args.get('adminPass') or passwords.generate_password(
            servers.ADMIN_PASSWORD_LENGTH)
        replace = {arg: args[key] for key, arg in (('key_name', 'key_name'),
                                                     ('user_data', 'user_data'))
                   if key in args}  # 2.54, 2.57: null removes them
        if 'accessIPv6' in args:
            args = dict(args, accessIPv6=servers.normalized_ipv6(args['accessIPv6']))
        replace.update((arg, args[key]) for key, arg in _REBUILD_FIELDS.items() if key in args)
        replace['auto_disk_config'] = disk_config.api_value(args.get('OS-DCF:diskConfig'))
        try:
            self.compute_api.rebuild(context, instance, args['imageRef'],
                                     admin_password=password, **replace)
        except exception.KeypairNotFound:
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid key_name provided.')) from None
        updates = {column: args[key] for key, column in _REBUILD_UPDATES.items()
                   if key in args}
        if updates:
            self.compute_api.update(context, instance, **updates)
        instance = self.compute_api.get(context, id)
        page = views.ServerViews(req, self.compute_api, [instance])
        server = page.server(instance, full=req.is_version('2.75'), groups=True)
        # the rebuild answer has user_data (2.57) in place of the admin's extended one
        server.pop('OS-EXT-SRV-ATTR:user_data', None)
        server['adminPass'] = password
        if req.is_version('2.54'):
            server['key_name'] = instance.key_name
        if req.is_version('2.57'):
            server['user_data'] = instance.user_data
        return {'server': server}

    # --------------------------------------------------------------- resize
    @wsgi.action('resize')
    @validation.schema(schema.resize)
    def resize(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:servers:resize')
        flavor = servers.get_flavor(req.context, body['resize']['flavorRef'],
                                    'Unable to locate requested flavor.')
        try:
            self.compute_api.resize(req.context, instance, flavor, auto_disk_config=(
                disk_config.api_value(body['resize'].get('OS-DCF:diskConfig'))))
        except exception.NoValidHost as error:  # as Nova: the request cannot be placed
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None

    @wsgi.action('confirmResize')
    @wsgi.response(204)
    @validation.schema(schema.confirm_resize)
    def confirm_resize(self, req, id, body):
        self._simple(req, id, 'os_compute_api:servers:confirm_resize', 'confirm_resize')

    @wsgi.action('revertResize')
    @validation.schema(schema.revert_resize)
    def revert_resize(self, req, id, body):
        self._simple(req, id, 'os_compute_api:servers:revert_resize', 'revert_resize')

    # ----------------------------------------------------------- migrations
    @wsgi.action('migrate')
    @validation.schema(schema.migrate, '2.1', '2.55')
    @validation.schema(schema.migrate_v256, '2.56')
    def migrate(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-migrate-server:migrate')
        host = (body['migrate'] or {}).get('host') if req.is_version('2.56') else None
        kwargs = {'host': host} if host else {}
        if host:
            policy.authorize(req.context, 'os_compute_api:os-migrate-server:migrate:host',
                             servers.target(instance))
        try:
            self.compute_api.migrate(req.context, instance, **kwargs)
        except (exception.NoValidHost, exception.ComputeHostNotFound) as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None

    @wsgi.action('os-migrateLive')
    @validation.schema(schema.migrate_live, '2.1', '2.24')
    @validation.schema(schema.migrate_live_v225, '2.25', '2.29')
    @validation.schema(schema.migrate_live_v230, '2.30', '2.67')
    @validation.schema(schema.migrate_live_v225, '2.68')
    def migrate_live(self, req, id, body):
        """Live migration; 2.30's force is accepted: the compute API checks a named
        host the same way either way."""
        instance = self._authorized(req, id, 'os_compute_api:os-migrate-server:migrate_live')
        args = body['os-migrateLive']
        if args.get('host'):
            policy.authorize(req.context, 'os_compute_api:os-migrate-server:migrate_live:host',
                             servers.target(instance))
        block = args['block_migration']
        block = 'auto' if block == 'auto' else common.is_true(block)
        try:
            self.compute_api.live_migrate(req.context, instance, args.get('host'), block)
        except exception.ComputeHostNotFound as error:  # Nova: 400, the body names the host
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None

    # --------------------------------------------------------------- images
    @wsgi.action('createImage')
    @validation.schema(schema.create_image)
    def create_image(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:servers:create_image')
        args = body['createImage']
        image = self.compute_api.snapshot(req.context, instance, args['name'],
                                          extra_properties=args.get('metadata') or {})
        return self._image_response(req, image)

    @wsgi.action('createBackup')
    @validation.schema(schema.create_backup)
    def create_backup(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-create-backup')
        args = body['createBackup']
        image = self.compute_api.backup(req.context, instance, args['name'],
                                        args['backup_type'], int(args['rotation']),
                                        extra_properties=args.get('metadata') or {})
        return self._image_response(req, image)

    @staticmethod
    def _image_response(req, image):
        """2.45+: {"image_id"}; before: the image's URL in Location, no body."""
        if not image:
            return None  # a rotation of 0 only deletes old backups
        if req.is_version('2.45'):
            return {'image_id': image['id']}
        href = '%s/images/%s' % (common.url_base(req)[0], image['id'])
        return wsgi.ResponseObject(headers={'Location': href})

    # --------------------------------------------------------------- shelve
    @wsgi.action('shelve')
    @validation.schema(schema.shelve)
    def shelve(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-shelve:shelve', 'shelve')

    @wsgi.action('shelveOffload')
    @validation.schema(schema.shelve_offload)
    def shelve_offload(self, req, id, body):
        self._simple(req, id, 'os_compute_api:os-shelve:shelve_offload', 'shelve_offload')

    @wsgi.action('unshelve')
    @validation.schema(schema.unshelve, '2.1', '2.76')
    @validation.schema(schema.unshelve_v277, '2.77', '2.90')
    @validation.schema(schema.unshelve_v291, '2.91')
    def unshelve(self, req, id, body):
        instance = self._authorized(req, id, 'os_compute_api:os-shelve:unshelve')
        args = (body['unshelve'] or {}) if req.is_version('2.77') else {}
        kwargs = {}
        if 'availability_zone' in args:
            kwargs['availability_zone'] = args['availability_zone']
        if args.get('host'):
            policy.authorize(req.context, 'os_compute_api:os-shelve:unshelve_to_host',
                             servers.target(instance))
            kwargs['host'] = args['host']
        try:
            self.compute_api.unshelve(req.context, instance, **kwargs)
        except (exception.ComputeHostNotFound, exception.NoValidHost) as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
