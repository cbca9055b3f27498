"""Image bodies as the Compute API's images proxy shows them (up to 2.35)."""
from nova.api.openstack import common
from nova.auth import endpoints

COLLECTION = 'images'
# Glance status -> the Compute API's; progress as Nova reports it
STATUS = {'queued': 'SAVING', 'saving': 'SAVING', 'uploading': 'SAVING',
          'importing': 'SAVING', 'active': 'ACTIVE', 'killed': 'ERROR',
          'deleted': 'DELETED', 'pending_delete': 'DELETED'}
PROGRESS = {'queued': 25, 'saving': 50, 'active': 100}


def links(req, image_id, bases=None):
    """self, bookmark, and the image service's own URL (alternate)."""
    bases = bases or common.url_base(req)
    host = endpoints.request_host(req.host)
    return common.links(bases, COLLECTION, image_id) + [{
        'rel': 'alternate', 'type': 'application/vnd.openstack.image',
        'href': endpoints.url('image', '/images/%s' % image_id, host)}]


def basic(req, image, bases=None):
    return {'id': image['id'], 'name': image['name'], 'links': links(req, image['id'], bases)}


def detail(req, image, bases=None):
    bases = bases or common.url_base(req)
    status = 'deleted' if image.get('deleted') else image['status']
    body = dict(basic(req, image, bases), **{
        'minRam': int(image['min_ram'] or 0),
        'minDisk': int(image['min_disk'] or 0),
        'metadata': dict(image['properties']),
        'created': common.isotime(image['created_at']),
        'updated': common.isotime(image['updated_at']),
        'status': STATUS.get(status, 'UNKNOWN'),
        'progress': PROGRESS.get(status, 0),
        'OS-EXT-IMG-SIZE:size': image['size'],
    })
    instance_uuid = image['properties'].get('instance_uuid')
    if instance_uuid:
        body['server'] = {'id': instance_uuid,
                          'links': common.links(bases, 'servers', instance_uuid)}
    auto_disk_config = image['properties'].get('auto_disk_config')
    if auto_disk_config is not None:
        body['OS-DCF:diskConfig'] = 'AUTO' if common.is_true(auto_disk_config) else 'MANUAL'
    return body
