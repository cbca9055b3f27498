"""Response bodies of the block-storage API, as Cinder renders them per microversion."""
from nova import policy
from nova.api.openstack import common
from nova.conf import CONF
from nova.volume import states

# fields a version adds to a volume's detail: (version, name, admin only)
_VOLUME_FIELDS = (('3.13', 'group_id', False), ('3.21', 'provider_id', True),
                  ('3.48', 'service_uuid', True), ('3.48', 'shared_targets', False),
                  ('3.61', 'cluster_name', True), ('3.63', 'volume_type_id', False),
                  ('3.64', 'encryption_key_id', False), ('3.65', 'consumes_quota', False))


def links(req, collection, item_id):
    return common.links(common.url_base(req), collection, item_id)


def collection(req, name, items, limit, max_limit, count=None):
    """{name: items, name_links: [next]} (a next link when the page is full)."""
    body = {name: items}
    page = limit if limit is not None else max_limit
    nexts = common.next_link(req, items, page, name)
    if nexts:
        body[name + '_links'] = nexts
    if count is not None:
        body['count'] = count
    return body


def attachment_summary(attachment):
    """An attachment inside a volume's body."""
    return {'server_id': attachment.instance_uuid, 'attachment_id': attachment.uuid,
            'attached_at': common.strtime(attachment.attach_time),
            'host_name': attachment.attached_host, 'volume_id': attachment.volume_id,
            'device': attachment.mountpoint, 'id': attachment.volume_id}


def volume_summary(req, volume):
    return {'id': volume.uuid, 'name': volume.display_name,
            'links': links(req, 'volumes', volume.uuid)}


def backend_host(host):
    """Cinder's 'host@backend#pool' of a volume's host (None until placed): this
    cloud's hosts have one backend and one pool, named --volume_backend_name or,
    without one, the --volume_driver."""
    if not host:
        return None
    backend = CONF.volume_backend_name or CONF.volume_driver.rsplit('.', 1)[-1]
    return '%s@%s#%s' % (host, backend, backend)


def type_name_of(volume):
    """The type_names of one volume read with its type's name (nova.db volume_get,
    a create): {volume type uuid: name}, without reading the types."""
    name = volume.volume_type_name
    return {} if name is None else {volume.volume_type_id: name}


def volume_detail(req, volume, type_names, extended=True):
    """A volume's detail; type_names: {volume type uuid: name}. Without extended
    (the bodies of a create and an update, as Cinder's), none of the attributes
    Cinder's extensions add to show and list: tenant, host, migration status,
    image metadata."""
    context = req.context
    body = {
        'id': volume.uuid, 'status': volume.status, 'size': volume.size,
        'availability_zone': volume.availability_zone,
        'created_at': common.strtime(volume.created_at),
        'updated_at': common.strtime(volume.updated_at),
        'attachments': [attachment_summary(a) for a in volume.attachments
                        if a.attach_status == states.ATTACHED],
        'name': volume.display_name, 'description': volume.display_description,
        'volume_type': type_names.get(volume.volume_type_id, volume.volume_type_id),
        'snapshot_id': volume.snapshot_id, 'source_volid': volume.source_volid,
        'metadata': volume.metadata_dict, 'links': links(req, 'volumes', volume.uuid),
        'user_id': volume.user_id, 'bootable': 'true' if volume.bootable else 'false',
        'encrypted': False, 'replication_status': None, 'consistencygroup_id': None,
        'multiattach': bool(volume.multiattach),
    }
    is_admin = policy.check_is_admin(context)
    if extended:
        body['os-vol-tenant-attr:tenant_id'] = volume.project_id
        if volume.image_metadata:
            body['volume_image_metadata'] = dict(volume.image_metadata)
    if extended and is_admin:
        body.update({'os-vol-host-attr:host': backend_host(volume.host),
                     'os-vol-mig-status-attr:migstat': None,
                     'os-vol-mig-status-attr:name_id': None})
    values = {'group_id': None, 'provider_id': None, 'service_uuid': None,
              'shared_targets': False, 'cluster_name': None,
              'volume_type_id': volume.volume_type_id, 'encryption_key_id': None,
              'consumes_quota': True}
    for version, name, admin_only in _VOLUME_FIELDS:
        if req.is_version(version) and (is_admin or not admin_only):
            body[name] = values[name]
    return body


def snapshot(req, snapshot):
    body = {
        'id': snapshot.uuid, 'created_at': common.strtime(snapshot.created_at),
        'updated_at': common.strtime(snapshot.updated_at), 'name': snapshot.display_name,
        'description': snapshot.display_description, 'volume_id': snapshot.volume_id,
        'status': snapshot.status, 'size': snapshot.volume_size,
        'metadata': dict(snapshot.metadata_ or {}),
        'os-extended-snapshot-attributes:progress': snapshot.progress,
        'os-extended-snapshot-attributes:project_id': snapshot.project_id,
    }
    if req.is_version('3.14'):
        body['group_snapshot_id'] = None
    if req.is_version('3.41'):
        body['user_id'] = snapshot.user_id
    if req.is_version('3.65'):
        body['consumes_quota'] = True
    return body


def volume_type(req, volume_type):
    body = {'id': volume_type.uuid, 'name': volume_type.name,
            'description': volume_type.description, 'is_public': volume_type.is_public,
            'os-volume-type-access:is_public': volume_type.is_public, 'qos_specs_id': None}
    if policy.check_is_admin(req.context):
        body['extra_specs'] = dict(volume_type.extra_specs or {})
    return body


def attachment(attachment, detail=True):
    body = {'id': attachment.uuid, 'status': attachment.attach_status,
            'instance': attachment.instance_uuid, 'volume_id': attachment.volume_id}
    if detail:
        body.update({'attached_at': common.strtime(attachment.attach_time),
                     'detached_at': common.strtime(attachment.detach_time),
                     'attach_mode': attachment.attach_mode,
                     'connection_info': attachment.connection_info or {}})
    return body
