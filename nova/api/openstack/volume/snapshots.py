"""/snapshots: list, detail, show, create, update, delete, and admin actions."""
from nova import exception
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import listing
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume import views
from nova.api.openstack.volume.volumes import authorize
from nova.i18n import _

FILTERS = {'name': 'display_name', 'status': 'status', 'volume_id': 'volume_id',
           'name~': 'display_name~'}
_COLUMNS = ('uuid', 'display_name', 'status', 'created_at', 'updated_at', 'volume_id',
            'display_description')


class SnapshotsController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _list(self, req, detail):
        authorize(req, 'volume:get_all_snapshots')
        limit, marker = listing.paging(req)
        keys, dirs = listing.sorting(req, _COLUMNS)
        snapshots = self.volume_api.get_all_snapshots(
            req.context, listing.filters(req, FILTERS), sort_keys=keys, sort_dirs=dirs,
            limit=limit, marker=marker, all_projects=listing.all_projects(req))
        if detail:
            items = [views.snapshot(req, s) for s in snapshots]
        else:
            items = [{k: v for k, v in views.snapshot(req, s).items()
                      if not k.startswith('os-extended')} for s in snapshots]
        return views.collection(req, 'snapshots', items, limit, limit)

    def index(self, req):
        return self._list(req, detail=False)

    def detail(self, req):
        return self._list(req, detail=True)

    def show(self, req, id):
        authorize(req, 'volume:get_snapshot')
        return {'snapshot': views.snapshot(req, self.volume_api.get_snapshot(req.context,
                                                                              id))}

    @wsgi.response(202)
    @validation.schema(schemas.create_snapshot)
    def create(self, req, body):
        authorize(req, 'volume:create_snapshot')
        values = body['snapshot']
        volume = self.volume_api.get(req.context, values['volume_id'])
        force = common.is_true(values.get('force') or False)
        if req.is_version('3.66'):
            if values.get('force') is not None and not force:
                raise exception.InvalidInput(reason=_("Since microversion 3.66 the 'force' "
                                                    "flag is invalid for this request."))
            force = True  # in-use volumes are snapshotted without it
        snapshot = self.volume_api.create_snapshot(
            req.context, volume, name=values.get('name', values.get('display_name')),
            description=values.get('description', values.get('display_description')),
            force=force, metadata=values.get('metadata'))
        return {'snapshot': views.snapshot(req, snapshot)}

    @validation.schema(schemas.update_snapshot)
    def update(self, req, id, body):
        authorize(req, 'volume:update_snapshot')
        snapshot = self.volume_api.get_snapshot(req.context, id)
        values = body['snapshot']
        snapshot = self.volume_api.update_snapshot(
            req.context, snapshot, name=values.get('name', values.get('display_name')),
            description=values.get('description', values.get('display_description')))
        return {'snapshot': views.snapshot(req, snapshot)}

    @wsgi.response(202)
    def delete(self, req, id):
        authorize(req, 'volume:delete_snapshot')
        self.volume_api.delete_snapshot(req.context, self.volume_api.get_snapshot(req.context,
                                                                                   id))


class SnapshotActionsController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    @wsgi.action('os-reset_status')
    @validation.schema(schemas.snapshot_reset_status)
    def reset_status(self, req, id, body):
        authorize(req, 'volume_extension:snapshot_admin_actions:reset_status')
        snapshot = self.volume_api.get_snapshot(req.context, id)
        self.volume_api.reset_snapshot_status(req.context, snapshot,
                                              body['os-reset_status']['status'])

    @wsgi.action('os-force_delete')
    @validation.schema(schemas.force_delete)
    def force_delete(self, req, id, body):
        authorize(req, 'volume_extension:snapshot_admin_actions:force_delete')
        snapshot = self.volume_api.get_snapshot(req.context, id)
        self.volume_api.delete_snapshot(req.context, snapshot, force=True)


