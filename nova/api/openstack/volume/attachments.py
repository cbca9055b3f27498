"""/attachments (3.27; os-complete 3.44): the attach workflow clients drive.

create reserves the volume for an instance (with a connector: also connects,
as an update would); update with the initiator's connector returns the
connection_info from the volume's host; os-complete marks the volume in-use;
delete detaches (the volume is available once it has no attachment left).
"""
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume import views
from nova.api.openstack.volume.volumes import authorize
from nova.volume import states


def _api_version(func):
    return wsgi.api_version('3.27')(func)


class AttachmentsController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _attachment(self, req, id):
        attachment = self.volume_api.get_attachment(req.context, id)
        self.volume_api.get(req.context, attachment.volume_id)  # the caller's volume?
        return attachment

    def _list(self, req, detail):
        authorize(req, 'volume:attachment_get')
        volume_ids = [v.uuid for v in self.volume_api.get_all(req.context)]
        attachments = self.volume_api.get_attachments(req.context, volume_ids)
        return {'attachments': [views.attachment(a, detail) for a in attachments]}

    @_api_version
    def index(self, req):
        return self._list(req, detail=False)

    @_api_version
    def detail(self, req):
        return self._list(req, detail=True)

    @_api_version
    def show(self, req, id):
        authorize(req, 'volume:attachment_get')
        return {'attachment': views.attachment(self._attachment(req, id))}

    @_api_version
    @validation.schema(schemas.create_attachment)
    def create(self, req, body):
        authorize(req, 'volume:attachment_create')
        values = body['attachment']
        volume = self.volume_api.get(req.context, values['volume_uuid'])
        attachment = self.volume_api.reserve(req.context, volume, values.get('instance_uuid'),
                                             mode=values.get('mode', 'rw'),
                                             status=states.RESERVED)
        if values.get('connector'):
            attachment = self.volume_api.connect_attachment(req.context, attachment.uuid,
                                                            values['connector'])
        return {'attachment': views.attachment(attachment)}

    @_api_version
    @validation.schema(schemas.update_attachment)
    def update(self, req, id, body):
        authorize(req, 'volume:attachment_update')
        self._attachment(req, id)
        attachment = self.volume_api.connect_attachment(req.context, id,
                                                        body['attachment']['connector'])
        return {'attachment': views.attachment(attachment)}

    @wsgi.api_version('3.44')
    @wsgi.response(204)
    @wsgi.action('os-complete')
    @validation.schema(schemas.complete_attachment)
    def complete(self, req, id, body):
        authorize(req, 'volume:attachment_complete')
        attachment = self._attachment(req, id)
        self.volume_api.attach(req.context, id, attachment.mountpoint,
                               attachment.attached_host)

    @_api_version
    def delete(self, req, id):
        authorize(req, 'volume:attachment_delete')
        attachment = self._attachment(req, id)
        volume = self.volume_api.detach(req.context, id)
        return {'attachments': [views.attachment(a) for a in volume.attachments
                                if a.uuid != attachment.uuid]}
