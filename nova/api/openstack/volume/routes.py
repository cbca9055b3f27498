"""Every URL of the block-storage API and the controller method that serves it.

Paths are given without the project id; the router serves each also under
/{project_id} (required before 3.67, optional since, as in Cinder).
"""
from nova.api.openstack import wsgi
from nova.api.openstack.router import method
from nova.api.openstack.volume import attachments
from nova.api.openstack.volume import resources
from nova.api.openstack.volume import snapshots
from nova.api.openstack.volume import types
from nova.api.openstack.volume import volume_actions
from nova.api.openstack.volume import volumes
from nova.volume import api as volume_api


def route_table():
    api = volume_api.API()
    volume = volumes.VolumesController(api)
    metadata = volumes.VolumeMetadataController(api)
    snapshot = snapshots.SnapshotsController(api)
    volume_type = types.TypesController(api)
    specs = types.ExtraSpecsController(api)
    quotas = resources.QuotaSetsController()
    attachment = attachments.AttachmentsController(api)
    return [
        ('/volumes', {'GET': method(volume.index), 'POST': method(volume.create)}),
        ('/volumes/detail', {'GET': method(volume.detail)}),
        ('/volumes/{id}', {'GET': method(volume.show), 'PUT': method(volume.update),
                           'DELETE': method(volume.delete)}),
        ('/volumes/{id}/action', {
            'POST': wsgi.Actions(volume_actions.VolumeActionsController(api))}),
        ('/volumes/{volume_id}/metadata', {
            'GET': method(metadata.index), 'POST': method(metadata.create),
            'PUT': method(metadata.update_all)}),
        ('/volumes/{volume_id}/metadata/{id}', {
            'GET': method(metadata.show), 'PUT': method(metadata.update),
            'DELETE': method(metadata.delete)}),
        ('/snapshots', {'GET': method(snapshot.index), 'POST': method(snapshot.create)}),
        ('/snapshots/detail', {'GET': method(snapshot.detail)}),
        ('/snapshots/{id}', {'GET': method(snapshot.show), 'PUT': method(snapshot.update),
                             'DELETE': method(snapshot.delete)}),
        ('/snapshots/{id}/action', {
            'POST': wsgi.Actions(snapshots.SnapshotActionsController(api))}),
        ('/types', {'GET': method(volume_type.index), 'POST': method(volume_type.create)}),
        ('/types/{id}', {'GET': method(volume_type.show), 'PUT': method(volume_type.update),
                         'DELETE': method(volume_type.delete)}),
        ('/types/{type_id}/extra_specs', {'GET': method(specs.index),
                                          'POST': method(specs.create)}),
        ('/types/{type_id}/extra_specs/{id}', {
            'GET': method(specs.show), 'PUT': method(specs.update),
            'DELETE': method(specs.delete)}),
        ('/limits', {'GET': method(resources.LimitsController().index)}),
        ('/os-quota-sets/{id}', {'GET': method(quotas.show), 'PUT': method(quotas.update),
                                 'DELETE': method(quotas.delete)}),
        ('/os-quota-sets/{id}/defaults', {'GET': method(quotas.defaults)}),
        ('/os-availability-zone', {
            'GET': method(resources.AvailabilityZoneController(api).index)}),
        ('/attachments', {'GET': method(attachment.index),
                          'POST': method(attachment.create)}),
        ('/attachments/detail', {'GET': method(attachment.detail)}),
        ('/attachments/{id}', {'GET': method(attachment.show),
                               'PUT': method(attachment.update),
                               'DELETE': method(attachment.delete)}),
        ('/attachments/{id}/action', {'POST': wsgi.Actions(attachment)}),
    ]
