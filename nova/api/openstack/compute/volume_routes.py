"""The compute API's volume URLs: a server's volume attachments and the os-volumes and
os-snapshots proxies (to 2.35)."""
from nova.api.openstack.compute import volume_attachments
from nova.api.openstack.compute import volumes
from nova.api.openstack.router import method


def route_table(api):
    attachment = volume_attachments.VolumeAttachmentController(api)
    volume = volumes.VolumeController(api.volume_api)
    snapshot = volumes.SnapshotController(api.volume_api)
    return [
        ('/servers/{server_id}/os-volume_attachments', {
            'GET': method(attachment.index), 'POST': method(attachment.create)}),
        ('/servers/{server_id}/os-volume_attachments/{id}', {
            'GET': method(attachment.show), 'PUT': method(attachment.update),
            'DELETE': method(attachment.delete)}),
        ('/os-volumes', {'GET': method(volume.index), 'POST': method(volume.create)}),
        ('/os-volumes/detail', {'GET': method(volume.detail)}),
        ('/os-volumes/{id}', {'GET': method(volume.show), 'DELETE': method(volume.delete)}),
        ('/os-snapshots', {'GET': method(snapshot.index), 'POST': method(snapshot.create)}),
        ('/os-snapshots/detail', {'GET': method(snapshot.detail)}),
        ('/os-snapshots/{id}', {'GET': method(snapshot.show),
                                'DELETE': method(snapshot.delete)}),
    ]
