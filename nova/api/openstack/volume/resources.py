"""/limits, /os-quota-sets and /os-availability-zone of the block-storage API."""
from nova import exception
from nova import policy
from nova import quota
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume.volumes import authorize
from nova.i18n import _
from nova.volume import quota as volume_quota

# quota resource -> (limit field, used field) of /limits
_LIMITS = {'volumes': ('maxTotalVolumes', 'totalVolumesUsed'),
           'snapshots': ('maxTotalSnapshots', 'totalSnapshotsUsed'),
           'gigabytes': ('maxTotalVolumeGigabytes', 'totalGigabytesUsed')}


class LimitsController(wsgi.Controller):
    def index(self, req):
        authorize(req, 'limits_extension:used_limits')
        project_id = req.context.project_id
        if req.is_version('3.39') and req.GET.get('project_id') and req.context.is_admin:
            project_id = req.GET['project_id']
        quotas = volume_quota.get_project_quotas(req.context, project_id)
        absolute = {}
        for resource, (limit_name, used_name) in _LIMITS.items():
            absolute[limit_name] = quotas[resource]['limit']
            absolute[used_name] = quotas[resource]['in_use']
        return {'limits': {'rate': [], 'absolute': absolute}}


class QuotaSetsController(wsgi.Controller):
    """A project's volume limits (with usage if asked), defaults; admins change them."""

    @staticmethod
    def _body(project_id, quotas, usage):
        body = {'id': project_id}
        for resource, values in quotas.items():
            body[resource] = ({'limit': values['limit'], 'in_use': values['in_use'],
                               'reserved': 0} if usage else values['limit'])
        return {'quota_set': body}

    def show(self, req, id):
        policy.authorize(req.context, 'volume_extension:quotas:show', {'project_id': id})
        usage = common.is_true(req.GET.get('usage', 'false'))
        return self._body(id, volume_quota.get_project_quotas(req.context, id), usage)

    def defaults(self, req, id):
        authorize(req, 'volume_extension:quotas:show')
        return {'quota_set': dict(quota.class_limits(req.context,
                                                     resources=quota.VOLUME_RESOURCES), id=id)}

    @validation.schema(schemas.quota_set)
    def update(self, req, id, body):
        policy.authorize(req.context, 'volume_extension:quotas:update', {'project_id': id})
        common.check_project(req.context, id)
        limits = body['quota_set']
        if not limits:
            raise exception.InvalidInput(reason=_('Must specify at least one quota'))
        quota.update_project_quotas(req.context, id, limits)
        quotas = volume_quota.get_project_quotas(req.context, id)
        return {'quota_set': {r: q['limit'] for r, q in quotas.items()}}

    def delete(self, req, id):
        policy.authorize(req.context, 'volume_extension:quotas:delete', {'project_id': id})
        volume_quota.reset(req.context, id)
        return wsgi.ResponseObject(code=200)  # Cinder answers 200, without a body


class AvailabilityZoneController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def index(self, req):
        authorize(req, 'volume_extension:availability_zone_list')
        zones = self.volume_api.availability_zones(req.context)
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'zoneState': {'available': available}}
            for zone, available in sorted(zones.items())]}
