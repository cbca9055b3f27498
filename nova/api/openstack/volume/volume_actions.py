"""POST /volumes/{id}/action: extend, admin resets and force delete, bootable flag,
upload to an image, and the attach bookkeeping a compute service (or a client
acting as one) does: reserve, initialize_connection, attach, begin_detaching,
detach, and their roll-backs."""
import webob.exc

from nova import exception
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume.volumes import authorize
from nova.i18n import _
from nova.volume import states


class VolumeActionsController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _volume(self, req, id, action):
        authorize(req, action)
        return self.volume_api.get(req.context, id)

    @wsgi.action('os-extend')
    @validation.schema(schemas.extend)
    def extend(self, req, id, body):
        volume = self._volume(req, id, 'volume:extend')
        if volume.status == states.IN_USE and req.is_version('3.42'):
            raise exception.InvalidVolume(reason=_('volume %s is in-use: this cloud extends '
                                                 'available volumes only') % id)
        self.volume_api.extend(req.context, volume, body['os-extend']['new_size'])

    @wsgi.action('os-reset_status')
    @validation.schema(schemas.reset_status)
    def reset_status(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_admin_actions:reset_status')
        values = body['os-reset_status']
        self.volume_api.reset_status(req.context, volume, status=values.get('status'),
                                     attach_status=values.get('attach_status'))

    @wsgi.action('os-force_delete')
    @validation.schema(schemas.force_delete)
    def force_delete(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_admin_actions:force_delete')
        self.volume_api.delete(req.context, volume, force=True)

    @wsgi.action('os-set_bootable')
    @validation.schema(schemas.set_bootable)
    def set_bootable(self, req, id, body):
        volume = self._volume(req, id, 'volume:update')
        self.volume_api.set_bootable(req.context, volume,
                                     common.is_true(body['os-set_bootable']['bootable']))
        return wsgi.ResponseObject(code=200)  # Cinder's: 200 with no body (not 204)

    @wsgi.action('os-volume_upload_image')
    @validation.schema(schemas.upload_image)
    def upload_image(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:upload_image')
        values = body['os-volume_upload_image']
        disk_format = values.get('disk_format', 'raw')
        image = self.volume_api.copy_volume_to_image(
            req.context, volume, values['image_name'], disk_format=disk_format,
            container_format=values.get('container_format', 'bare'),
            force=common.is_true(values.get('force', False)))
        return {'os-volume_upload_image': {
            'id': volume.uuid, 'updated_at': common.strtime(volume.updated_at),
            'status': states.UPLOADING, 'display_description': volume.display_description,
            'size': volume.size, 'volume_type': None, 'image_id': image['id'],
            'container_format': image['container_format'],
            'disk_format': image['disk_format'], 'image_name': image['name'],
            'visibility': image.get('visibility'), 'protected': image.get('protected')}}

    # -- attach bookkeeping ------------------------------------------------------
    @wsgi.response(200)
    @wsgi.action('os-initialize_connection')
    @validation.schema(schemas.initialize_connection)
    def initialize_connection(self, req, id, body):
        volume = self._volume(req, id,
                              'volume_extension:volume_actions:initialize_connection')
        info = self.volume_api.initialize_connection(
            req.context, volume, body['os-initialize_connection']['connector'])
        return {'connection_info': info}

    @wsgi.action('os-terminate_connection')
    @validation.schema(schemas.terminate_connection)
    def terminate_connection(self, req, id, body):
        """Nothing to undo on the target: every initiator reaches it with its CHAP
        account (tgt's ACL is ALL); the volume must exist and be the caller's."""
        self._volume(req, id, 'volume_extension:volume_actions:terminate_connection')

    @wsgi.action('os-reserve')
    @validation.schema(schemas.reserve)
    def reserve(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:reserve')
        self.volume_api.reserve(req.context, volume, None)

    @wsgi.action('os-unreserve')
    @validation.schema(schemas.unreserve)
    def unreserve(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:unreserve')
        self.volume_api.unreserve(req.context, volume)

    @wsgi.action('os-attach')
    @validation.schema(schemas.attach)
    def attach(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:attach')
        values = body['os-attach']
        if not values.get('instance_uuid') and not values.get('host_name'):
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid request to attach volume to '
                                                       'an invalid target'))
        self.volume_api.attach_legacy(req.context, volume, values.get('instance_uuid'),
                                      values['mountpoint'], values.get('host_name'),
                                      values.get('mode', 'rw'))

    @wsgi.action('os-begin_detaching')
    @validation.schema(schemas.begin_detaching)
    def begin_detaching(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:begin_detaching')
        self.volume_api.begin_detaching(req.context, volume)

    @wsgi.action('os-roll_detaching')
    @validation.schema(schemas.roll_detaching)
    def roll_detaching(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:roll_detaching')
        self.volume_api.roll_detaching(req.context, volume)

    @wsgi.action('os-detach')
    @validation.schema(schemas.detach)
    def detach(self, req, id, body):
        volume = self._volume(req, id, 'volume_extension:volume_actions:detach')
        attachment_id = (body.get('os-detach') or {}).get('attachment_id')
        attachments = [a for a in volume.attachments
                       if attachment_id in (None, a.uuid)]
        if attachment_id is None and len(attachments) > 1:
            raise exception.InvalidVolume(reason=_('volume %s has several attachments: name '
                                                 'the attachment_id') % id)
        if not attachments:
            raise exception.VolumeAttachmentNotFound(
                filter='attachment_id = %s, volume_id = %s' % (attachment_id, id))
        self.volume_api.detach(req.context, attachments[0].uuid)
