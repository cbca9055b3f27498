"""/os-aggregates: host aggregates, their hosts, metadata and availability zone.

The rules (one zone per host, no delete while hosts remain) live in
nova.compute.aggregates; this module translates. URLs name aggregates by
integer id; 2.41 adds the uuid to the body; 2.81 has the hosts fetch images
ahead of boots (POST /os-aggregates/{id}/images).
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import aggregates as schema
from nova.compute import aggregates as aggregates_api
from nova.i18n import _

_RULE = 'os_compute_api:os-aggregates:%s'


def _view(req, aggregate, full=True):
    body = {'id': aggregate.id, 'name': aggregate.name,
            'availability_zone': aggregate.availability_zone,
            'created_at': common.strtime(aggregate.created_at),
            'updated_at': common.strtime(aggregate.updated_at),
            'deleted_at': common.strtime(aggregate.deleted_at),
            'deleted': bool(aggregate.deleted)}
    if full:  # a create answers without them, as Nova always has
        body['hosts'] = aggregate.hosts
        body['metadata'] = aggregate.metadetails
    if req.is_version('2.41'):
        body['uuid'] = aggregate.uuid
    return body


def _aggregate_id(id):
    try:
        return int(id)
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('Invalid aggregate id %s: it must be an integer') % id) from None


class AggregateController(wsgi.Controller):
    def __init__(self, api=None):
        self.api = api or aggregates_api.AggregateAPI()

    def index(self, req):
        policy.authorize(req.context, _RULE % 'index', {})
        return {'aggregates': [_view(req, a) for a in self.api.get_aggregate_list(req.context)]}

    @validation.schema(schema.create)
    def create(self, req, body):
        policy.authorize(req.context, _RULE % 'create', {})
        values = body['aggregate']
        aggregate = self.api.create_aggregate(req.context, values['name'],
                                              values.get('availability_zone'))
        return {'aggregate': _view(req, aggregate, full=False)}

    def show(self, req, id):
        policy.authorize(req.context, _RULE % 'show', {})
        return {'aggregate': _view(req, self.api.get_aggregate(req.context,
                                                               _aggregate_id(id)))}

    @validation.schema(schema.update)
    def update(self, req, id, body):
        policy.authorize(req.context, _RULE % 'update', {})
        values = body['aggregate']
        aggregate = self.api.update_aggregate(req.context, _aggregate_id(id),
                                              name=values.get('name'),
                                              availability_zone=values.get('availability_zone'))
        return {'aggregate': _view(req, aggregate)}

    def delete(self, req, id):
        policy.authorize(req.context, _RULE % 'delete', {})
        self.api.delete_aggregate(req.context, _aggregate_id(id))
        return wsgi.ResponseObject(None, 200)  # Nova's status here, with an empty body

    @wsgi.action('add_host')
    @wsgi.response(200)
    @validation.schema(schema.add_host)
    def add_host(self, req, id, body):
        policy.authorize(req.context, _RULE % 'add_host', {})
        host = body['add_host']['host']
        try:
            aggregate = self.api.add_host_to_aggregate(req.context, _aggregate_id(id), host)
        except exception.HostBinaryNotFound:
            raise exception.ComputeHostNotFound(host=host) from None
        except exception.InvalidAggregateAction as error:
            raise webob.exc.HTTPConflict(explanation=error.format_message()) from None
        return {'aggregate': _view(req, aggregate)}

    @wsgi.action('remove_host')
    @wsgi.response(200)
    @validation.schema(schema.remove_host)
    def remove_host(self, req, id, body):
        policy.authorize(req.context, _RULE % 'remove_host', {})
        aggregate = self.api.remove_host_from_aggregate(req.context, _aggregate_id(id),
                                                        body['remove_host']['host'])
        return {'aggregate': _view(req, aggregate)}

    @wsgi.action('set_metadata')
    @wsgi.response(200)
    @validation.schema(schema.set_metadata)
    def set_metadata(self, req, id, body):
        policy.authorize(req.context, _RULE % 'set_metadata', {})
        aggregate = self.api.update_aggregate_metadata(req.context, _aggregate_id(id),
                                                       body['set_metadata']['metadata'])
        return {'aggregate': _view(req, aggregate)}

    @wsgi.api_version('2.81')
    @wsgi.response(202)
    @validation.schema(schema.cache_images, '2.81')
    def images(self, req, id, body):
        policy.authorize(req.context, _RULE % 'images', {})
        image_ids = [entry['id'] for entry in body['cache']]
        try:
            self.api.cache_images(req.context, _aggregate_id(id), image_ids)
        except exception.ImageNotFound as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
