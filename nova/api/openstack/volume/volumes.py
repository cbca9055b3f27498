"""/volumes: list, detail, show, create, update, delete, and their metadata.

Everything goes through nova.volume.api, which decides what a project may
see (another project's volume is 404) and what each status allows; this
module turns requests and rows into Cinder's bodies and status codes.
"""
from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import listing
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume import views
from nova.i18n import _

# query filter -> volume API filter
FILTERS = {'name': 'display_name', 'status': 'status', 'metadata': 'metadata',
           'bootable': 'bootable', 'availability_zone': 'availability_zone',
           'name~': 'display_name~', 'volume_type': 'volume_type_id'}
_COLUMNS = ('uuid', 'display_name', 'status', 'size', 'availability_zone', 'created_at',
            'updated_at', 'bootable', 'display_description')


def authorize(req, action, target=None):
    policy.authorize(req.context, action, target)


class VolumesController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _get(self, req, volume_id):
        return self.volume_api.get(req.context, volume_id)

    def _list(self, req, detail):
        authorize(req, 'volume:get_all')
        limit, marker = listing.paging(req)
        keys, dirs = listing.sorting(req, _COLUMNS)
        filters = listing.filters(req, FILTERS)
        if 'volume_type_id' in filters:
            filters['volume_type_id'] = self.volume_api.get_type(
                req.context, filters['volume_type_id']).uuid
        volumes = self.volume_api.get_all(req.context, filters, sort_keys=keys,
                                          sort_dirs=dirs, limit=limit, marker=marker,
                                          all_projects=listing.all_projects(req))
        count = None
        if req.is_version('3.45') and common.is_true(req.GET.get('with_count', 'false')):
            count = len(self.volume_api.get_all(req.context, filters,
                                                all_projects=listing.all_projects(req)))
        if detail:
            names = self.volume_api.type_names(req.context)
            items = [views.volume_detail(req, v, names) for v in volumes]
        else:
            items = [views.volume_summary(req, v) for v in volumes]
        return views.collection(req, 'volumes', items, limit, limit, count)

    def index(self, req):
        return self._list(req, detail=False)

    def detail(self, req):
        return self._list(req, detail=True)

    def show(self, req, id):
        authorize(req, 'volume:get')
        volume = self._get(req, id)
        return {'volume': views.volume_detail(req, volume, views.type_name_of(volume))}

    @wsgi.response(202)
    @validation.schema(schemas.create_volume)
    def create(self, req, body):
        authorize(req, 'volume:create')
        values = body['volume']
        image_id = values.get('imageRef') or values.get('image_id')
        if image_id:
            authorize(req, 'volume:create_from_image')
        volume = self.volume_api.create(
            req.context, size=values.get('size'),
            name=values.get('name', values.get('display_name')),
            description=values.get('description', values.get('display_description')),
            snapshot_id=values.get('snapshot_id'), image_id=image_id,
            source_volid=values.get('source_volid'), volume_type=values.get('volume_type'),
            availability_zone=values.get('availability_zone'),
            metadata=values.get('metadata'),
            multiattach=values.get('multiattach') is not None and common.is_true(
                values['multiattach']))
        return {'volume': views.volume_detail(req, volume, views.type_name_of(volume),
                                              extended=False)}

    @validation.schema(schemas.update_volume)
    def update(self, req, id, body):
        authorize(req, 'volume:update')
        volume = self._get(req, id)
        values = body['volume']
        volume = self.volume_api.update(
            req.context, volume, name=values.get('name', values.get('display_name')),
            description=values.get('description', values.get('display_description')))
        if 'metadata' in values:
            self.volume_api.update_metadata(req.context, volume, values['metadata'],
                                            delete=True)
            volume = self._get(req, id)
        return {'volume': views.volume_detail(req, volume, self.volume_api.type_names(req.context),
                                              extended=False)}

    @wsgi.response(202)
    def delete(self, req, id):
        authorize(req, 'volume:delete')
        volume = self._get(req, id)
        self.volume_api.delete(req.context, volume,
                               cascade=common.is_true(req.GET.get('cascade', 'false')))


class VolumeMetadataController(wsgi.Controller):
    """/volumes/{volume_id}/metadata[/{key}]."""

    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _volume(self, req, volume_id, action):
        authorize(req, action)
        return self.volume_api.get(req.context, volume_id)

    def index(self, req, volume_id):
        return {'metadata': self._volume(req, volume_id,
                                         'volume:get_volume_metadata').metadata_dict}

    @validation.schema(schemas.metadata)
    def create(self, req, volume_id, body):
        volume = self._volume(req, volume_id, 'volume:create_volume_metadata')
        return {'metadata': self.volume_api.update_metadata(req.context, volume,
                                                            body['metadata'])}

    @validation.schema(schemas.metadata)
    def update_all(self, req, volume_id, body):
        volume = self._volume(req, volume_id, 'volume:update_volume_metadata')
        return {'metadata': self.volume_api.update_metadata(req.context, volume,
                                                            body['metadata'], delete=True)}

    def show(self, req, volume_id, id):
        metadata = self._volume(req, volume_id, 'volume:get_volume_metadata').metadata_dict
        if id not in metadata:
            raise exception.NotFound(message=_('Metadata item was not found'))
        return {'meta': {id: metadata[id]}}

    @validation.schema(schemas.metadata_item)
    def update(self, req, volume_id, id, body):
        volume = self._volume(req, volume_id, 'volume:update_volume_metadata')
        if list(body['meta']) != [id]:
            raise exception.InvalidInput(reason=_('Request body and URI mismatch'))
        self.volume_api.update_metadata(req.context, volume, body['meta'])
        return {'meta': body['meta']}

    def delete(self, req, volume_id, id):
        volume = self._volume(req, volume_id, 'volume:delete_volume_metadata')
        self.volume_api.delete_metadata(req.context, volume, id)
        return wsgi.ResponseObject(code=200)  # Cinder answers 200, without a body
