"""/servers/{server_id}/os-volume_attachments: a server's volumes, attach, detach.

As Nova: the list and show carry tag (2.70) and delete_on_termination (2.79),
and from 2.89 attachment_id and bdm_uuid instead of id; an attach takes a tag
from 2.49 and delete_on_termination from 2.79 and answers 200 with the device;
the update (PUT, 202) swaps the attached volume for the one in the body
(admins by default; the host's driver must swap disks, else 409), and from
2.85 a body naming the same volume changes delete_on_termination instead. A
multiattach volume attaches from 2.60 (400 before; 409 where the host's driver
cannot share a disk). Detach is 202. The volume itself is the block-storage
API's (another project's is 404).
"""
from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import volumes as schema
from nova.compute import vm_states

RULE = 'os_compute_api:os-volumes-attachments:%s'


def attachment_view(req, instance, bdm):
    body = {'device': bdm.device_name, 'serverId': instance.uuid, 'volumeId': bdm.volume_id}
    if not req.is_version('2.89'):
        body['id'] = bdm.volume_id
    if req.is_version('2.70'):
        body['tag'] = bdm.tag
    if req.is_version('2.79'):
        body['delete_on_termination'] = bool(bdm.delete_on_termination)
    if req.is_version('2.89'):
        body.update(attachment_id=bdm.attachment_id, bdm_uuid=bdm.uuid)
    return body


class VolumeAttachmentController(wsgi.Controller):
    def __init__(self, api):
        self.compute_api = api

    def _instance(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, RULE % action, servers.target(instance))
        return instance

    def index(self, req, server_id):
        instance = self._instance(req, server_id, 'index')
        bdms = self.compute_api.get_volume_attachments(req.context, instance)
        offset = common._int_param(req, 'offset') or 0
        limit = common._int_param(req, 'limit')
        bdms = bdms[offset:offset + limit if limit is not None else None]
        return {'volumeAttachments': [attachment_view(req, instance, b) for b in bdms]}

    def show(self, req, server_id, id):
        instance = self._instance(req, server_id, 'show')
        bdm = self.compute_api.get_volume_attachment(req.context, instance, id)
        return {'volumeAttachment': attachment_view(req, instance, bdm)}

    @validation.schema(schema.attach, '2.0', '2.48')
    @validation.schema(schema.attach_v249, '2.49', '2.78')
    @validation.schema(schema.attach_v279, '2.79')
    def create(self, req, server_id, body):
        instance = self._instance(req, server_id, 'create')
        if instance.vm_state == vm_states.SHELVED_OFFLOADED and not req.is_version('2.20'):
            raise exception.InstanceInvalidState(  # 409, as Nova before 2.20
                attr='vm_state', instance_uuid=instance.uuid, state=instance.vm_state,
                method='attach_volume')
        values = body['volumeAttachment']
        bdm = self.compute_api.attach_volume(
            req.context, instance, values['volumeId'], device=values.get('device'),
            tag=values.get('tag'),
            delete_on_termination=common.is_true(values.get('delete_on_termination', False)),
            supports_multiattach=req.is_version('2.60'))
        return {'volumeAttachment': attachment_view(req, instance, bdm)}

    @wsgi.response(202)
    @validation.schema(schema.update, '2.0', '2.84')
    @validation.schema(schema.update_v285, '2.85')
    def update(self, req, server_id, id, body):
        values = body['volumeAttachment']
        # as Nova: before 2.85 a PUT is always a swap (to the same volume: refused,
        # it is not available); from 2.85 the same volume is an update
        swap = not req.is_version('2.85') or values['volumeId'] != id
        instance = self._instance(req, server_id, 'swap' if swap else 'update')
        on_termination = values.get('delete_on_termination')
        if swap:
            if on_termination is not None:
                raise exception.InvalidInput(reason='delete_on_termination can only be '
                                                    'changed without a swap')
            self.compute_api.swap_volume(req.context, instance, id, values['volumeId'])
            return
        self.compute_api.update_volume_attachment(
            req.context, instance, id,
            delete_on_termination=None if on_termination is None else
            common.is_true(on_termination))

    @wsgi.response(202)
    def delete(self, req, server_id, id):
        instance = self._instance(req, server_id, 'delete')
        self.compute_api.detach_volume(req.context, instance, id)
