"""/os-volumes and /os-snapshots: the block-storage service as the Compute API proxied
it, up to 2.35 (404 from 2.36: clients use the block-storage API itself)."""
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import volumes as schema
from nova.volume import states

MAX_VERSION = '2.35'
RULE = 'os_compute_api:os-volumes:%s'


def _authorize(req, action):
    policy.authorize(req.context, RULE % action)


def _paging(req):
    """(limit, marker, offset): the proxies page as Nova's did, with offset and limit
    (offset counted from the marker, if one is given)."""
    limit, marker = common.limit_and_marker(req)
    return limit, marker, common._int_param(req, 'offset') or 0


def volume_view(volume, type_names):
    return {
        'id': volume.uuid, 'status': volume.status, 'size': volume.size,
        'availabilityZone': volume.availability_zone,
        'createdAt': common.strtime(volume.created_at),
        'displayName': volume.display_name, 'displayDescription': volume.display_description,
        'volumeType': type_names.get(volume.volume_type_id, volume.volume_type_id),
        'snapshotId': volume.snapshot_id, 'metadata': volume.metadata_dict,
        'attachments': [{'id': a.volume_id, 'volumeId': a.volume_id,
                         'serverId': a.instance_uuid, 'device': a.mountpoint}
                        for a in volume.attachments if a.attach_status == states.ATTACHED]
        or [{}],
    }


def snapshot_view(snapshot):
    return {'id': snapshot.uuid, 'volumeId': snapshot.volume_id, 'status': snapshot.status,
            'size': snapshot.volume_size, 'createdAt': common.strtime(snapshot.created_at),
            'displayName': snapshot.display_name,
            'displayDescription': snapshot.display_description}


class VolumeController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _list(self, req):
        limit, marker, offset = _paging(req)
        return self.volume_api.get_all(req.context, limit=offset + limit,
                                       marker=marker)[offset:]

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        _authorize(req, 'list')
        names = self.volume_api.type_names(req.context)
        return {'volumes': [volume_view(v, names) for v in self._list(req)]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def detail(self, req):
        _authorize(req, 'detail')
        names = self.volume_api.type_names(req.context)
        return {'volumes': [volume_view(v, names) for v in self._list(req)]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        _authorize(req, 'show')
        return {'volume': volume_view(self.volume_api.get(req.context, id),
                                      self.volume_api.type_names(req.context))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_volume)
    def create(self, req, body):
        _authorize(req, 'create')
        values = body['volume']
        volume = self.volume_api.create(
            req.context, size=values['size'], name=values.get('display_name'),
            description=values.get('display_description'),
            snapshot_id=values.get('snapshot_id'), volume_type=values.get('volume_type'),
            availability_zone=values.get('availability_zone'),
            metadata=values.get('metadata'))
        location = '%s/os-volumes/%s' % (common.url_base(req)[0], volume.uuid)
        return wsgi.ResponseObject({'volume': volume_view(
            volume, self.volume_api.type_names(req.context))}, headers={'Location': location})

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        _authorize(req, 'delete')
        self.volume_api.delete(req.context, self.volume_api.get(req.context, id))


class SnapshotController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _list(self, req):
        limit, marker, offset = _paging(req)
        return [snapshot_view(s) for s in self.volume_api.get_all_snapshots(
            req.context, limit=offset + limit, marker=marker)[offset:]]

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        _authorize(req, 'snapshots:list')
        return {'snapshots': self._list(req)}

    @wsgi.api_version('2.1', MAX_VERSION)
    def detail(self, req):
        _authorize(req, 'snapshots:detail')
        return {'snapshots': self._list(req)}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        _authorize(req, 'snapshots:show')
        return {'snapshot': snapshot_view(self.volume_api.get_snapshot(req.context, id))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_snapshot)
    def create(self, req, body):
        _authorize(req, 'snapshots:create')
        values = body['snapshot']
        volume = self.volume_api.get(req.context, values['volume_id'])
        snapshot = self.volume_api.create_snapshot(
            req.context, volume, name=values.get('display_name'),
            description=values.get('display_description'),
            force=common.is_true(values.get('force', False)))
        return {'snapshot': snapshot_view(snapshot)}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        _authorize(req, 'snapshots:delete')
        self.volume_api.delete_snapshot(req.context, self.volume_api.get_snapshot(req.context,
                                                                                   id))
