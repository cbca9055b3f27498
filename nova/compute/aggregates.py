"""Host aggregates: named groups of compute hosts with metadata.

An aggregate's ``availability_zone`` metadata makes its hosts a zone; a host
may be in several aggregates but in one zone only. Every change is told to the
schedulers (fanout), which filter on aggregate metadata.
"""
from nova import exception
from nova.compute import rpcapi as compute_rpcapi
from nova.conf import CONF
from nova.db import api as db
from nova.image import service as image_service
from nova.scheduler import rpcapi as scheduler_rpcapi

AZ_KEY = 'availability_zone'


def _check_name(name, field='name'):
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 255:
        raise exception.InvalidInput(reason='%s must be 1-255 characters' % field)
    return name.strip()


class AggregateAPI:
    def __init__(self, image_api=None):
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        self.image_api = image_api or image_service.get_default_image_service()

    def _changed(self, context):
        self.scheduler_rpcapi.update_aggregates(context)

    def create_aggregate(self, context, name, availability_zone=None):
        metadata = {}
        if availability_zone:
            metadata[AZ_KEY] = self._check_zone_name(availability_zone)
        aggregate = db.aggregate_create(context, {'name': _check_name(name)}, metadata)
        self._changed(context)
        return aggregate

    @staticmethod
    def _check_zone_name(zone):
        zone = _check_name(zone, 'availability_zone')
        if zone == CONF.internal_service_availability_zone:
            raise exception.InvalidInput(
                reason='%s is the zone of internal services' % zone)
        return zone

    def get_aggregate(self, context, aggregate_id):
        return db.aggregate_get(context, aggregate_id)

    def get_aggregate_list(self, context):
        return db.aggregate_get_all(context)

    def update_aggregate(self, context, aggregate_id, name=None, availability_zone=None):
        aggregate = db.aggregate_get(context, aggregate_id)
        if name is not None:
            aggregate = db.aggregate_update(context, aggregate_id, {'name': _check_name(name)})
        if availability_zone is not None:
            aggregate = self.update_aggregate_metadata(
                context, aggregate_id, {AZ_KEY: availability_zone})
        return aggregate

    def update_aggregate_metadata(self, context, aggregate_id, metadata):
        """Set keys (a None value removes one); a zone change must not split a host."""
        aggregate = db.aggregate_get(context, aggregate_id)
        for key, value in metadata.items():
            _check_name(key, 'metadata key')
            if value is not None and (not isinstance(value, str) or len(value) > 255):
                raise exception.InvalidInput(
                    reason='metadata value for %s must be a string of at most 255 '
                           'characters' % key)
        if metadata.get(AZ_KEY):
            zone = self._check_zone_name(metadata[AZ_KEY])
            for host in aggregate.hosts:
                self._check_host_zone(context, host, zone, exclude=aggregate.id)
        db.aggregate_metadata_add(context, aggregate_id, metadata)
        self._changed(context)
        return db.aggregate_get(context, aggregate_id)

    def delete_aggregate(self, context, aggregate_id):
        aggregate = db.aggregate_get(context, aggregate_id)
        if aggregate.hosts:
            raise exception.InvalidAggregateAction(
                action='delete', aggregate_id=aggregate_id, reason='it still has hosts')
        db.aggregate_delete(context, aggregate_id)
        self._changed(context)

    def add_host_to_aggregate(self, context, aggregate_id, host):
        db.service_get_by_host_and_binary(context, host, 'nova-compute')  # a compute host?
        aggregate = db.aggregate_get(context, aggregate_id)
        if aggregate.availability_zone:
            self._check_host_zone(context, host, aggregate.availability_zone,
                                  exclude=aggregate.id)
        db.aggregate_host_add(context, aggregate_id, host)
        self._changed(context)
        return db.aggregate_get(context, aggregate_id)

    def remove_host_from_aggregate(self, context, aggregate_id, host):
        db.aggregate_host_delete(context, aggregate_id, host)
        self._changed(context)
        return db.aggregate_get(context, aggregate_id)

    @staticmethod
    def _check_host_zone(context, host, zone, exclude):
        for other in db.aggregate_get_by_host(context, host):
            if other.id != exclude and other.availability_zone not in (None, zone):
                raise exception.InvalidAggregateAction(
                    action='set zone', aggregate_id=exclude,
                    reason='host %s is already in availability zone %s' % (
                        host, other.availability_zone))

    def cache_images(self, context, aggregate_id, image_ids):
        """Have every host of the aggregate fetch these active images now, so that
        the first boots there do not wait for a download; ImageNotFound first."""
        aggregate = db.aggregate_get(context, aggregate_id)
        images = [self.image_api.show(context, image_id) for image_id in dict.fromkeys(image_ids)]
        for image in images:
            if image['status'] != 'active':
                raise exception.ImageNotActive(image_id=image['id'])
        for host in aggregate.hosts:
            self.compute_rpcapi.cache_images(context, host, [image['id'] for image in images])
