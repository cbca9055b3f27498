"""Builds on this host: claim, spawn and activate the batches the scheduler sends.

The scheduler picked this host for a batch (build_and_run_instances): each
instance is claimed against the node's resources and moved from SCHEDULING to
SPAWNING in one write for the batch (an instance deleted meanwhile is dropped),
given its addresses by nova-network (one network API call for the batch),
covered by this host's firewall (its security groups), spawned by the driver
with its network_info (at most --max_concurrent_builds at once), and the
spawned ones become ACTIVE in one write. An instance that
could not be claimed or spawned goes back to the scheduler with this host
excluded (its addresses given back first), until --scheduler_max_attempts:
then ERROR with a fault. One that got no addresses (an exhausted network)
goes to ERROR at once: every host draws from the same networks.
Each instance is told as compute.instance.create.start when it starts
spawning here, .end when ACTIVE, .error when its build ends in ERROR.
"""
import functools
import logging

import eventlet
import eventlet.semaphore

from nova import exception
from nova import hooks
from nova import utils
from nova.compute import task_states
from nova.compute.host import config_drive
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.scheduler.request_spec import RequestSpec

LOG = logging.getLogger(__name__)

_BUILD_EVENT = 'compute_build_and_run_instance'


class Builds:
    """The builds the scheduler placed on this host."""

    def __init__(self, records, driver, tracker, claims, scheduler_rpcapi, base_images, locks,
                 network_api, firewall, volumes):
        self.records, self.host = records, records.host
        self.network_api = network_api
        self.firewall = firewall
        self.driver = driver
        self.tracker = tracker
        self.claims = claims
        self.scheduler_rpcapi = scheduler_rpcapi
        self.base_images = base_images
        self.locks = locks
        self.volumes = volumes
        self._slots = eventlet.semaphore.Semaphore(CONF.max_concurrent_builds)

    def build_and_run_instances(self, context, instance_uuids, request_spec, limits):
        """Claim, spawn and activate a batch the scheduler placed here."""
        with db.transaction(writes=False):  # the reads: one snapshot where it costs nothing
            claimed, rejected = self._claim(context, instance_uuids, limits)
            mappings = db.block_device_mapping_get_all_by_instance_uuids(
                context, [i.uuid for i in claimed])
        if claimed:
            # the move to SPAWNING and its start event: one write (one statement on
            # PostgreSQL); what was deleted or taken meanwhile drops its claim
            moved, started = db.instance_build_begin(
                context, [i.uuid for i in claimed], self.host, self.tracker.nodename,
                _BUILD_EVENT, utils.utcnow())
            self._events_written(started, moved)
            for instance in claimed:
                if instance.uuid not in moved:
                    self.tracker.drop(instance.uuid)
            claimed = [i for i in claimed if i.uuid in moved]
            self.records.lifecycle.batch(context, [i.uuid for i in claimed], 'create', 'start')
        network_info, unaddressed = self._allocate_networks(context, claimed)
        claimed = [i for i in claimed if i.uuid in network_info]
        self.firewall.instances_changed(context, claimed)  # filtered before they run
        pool = eventlet.GreenPool(CONF.max_concurrent_builds)
        results = list(pool.imap(functools.partial(self._spawn, context, request_spec,
                                                   network_info, mappings), claimed))
        spawned = [inst for inst, error in results if error is None]
        if spawned:
            uuids = [i.uuid for i in spawned]
            # the Success event, ACTIVE, the passwords forgotten: one write
            _activated, finished = db.instance_build_activate(context, uuids, _BUILD_EVENT,
                                                              utils.utcnow())
            self._events_written(finished, uuids)
            self.records.lifecycle.batch(context, uuids, 'create', 'end')
        for instance, error in unaddressed:
            self._network_failed(context, instance, error)
        for instance, error in [r for r in results if r[1] is not None]:
            self._deallocate_network(context, instance)
            self._reschedule_or_error(context, instance, request_spec, error)
        for instance, error in rejected:
            self._reschedule_or_error(context, instance, request_spec, error)
        self.claims.report_soon(context)

    @staticmethod
    def _events_written(written, uuids):
        if written < len(uuids):
            LOG.error(_LE('Could not record event %s of %d of %d instance(s): no action '
                          'of the request'), _BUILD_EVENT, len(uuids) - written, len(uuids))

    def _claim(self, context, instance_uuids, limits):
        """([instances claimed], [(instance, why not)]) of the batch's live instances."""
        claimed, rejected = [], []
        for instance in db.instance_get_live_by_uuids(context, instance_uuids):
            try:
                self.tracker.instance_claim(instance, limits)
                claimed.append(instance)
            except exception.ComputeResourcesUnavailable as error:
                rejected.append((instance, error))
        return claimed, rejected

    def _allocate_networks(self, context, instances):
        """({uuid: network_info} of the instances that got their addresses, [(instance,
        error)] of those that did not): one call to the network API for the batch."""
        if not instances:
            return {}, []
        try:
            network_info, failures = self.network_api.allocate_for_instances(
                context, instances, self.host)
        except Exception as error:  # noqa: BLE001 -- every instance of the batch fails
            LOG.warning(_LW('Network allocation for %d instance(s) failed: %s'),
                        len(instances), error)
            return {}, [(i, error) for i in instances]
        return network_info, [(i, failures[i.uuid]) for i in instances
                              if i.uuid in failures]

    def _network_failed(self, context, instance, error):
        """No addresses: the build ends here with a fault saying why; nothing is held."""
        LOG.warning(_LW('Instance %s got no network: %s'), instance.uuid, error)
        self.tracker.drop(instance.uuid)
        self.records.event(context, [instance.uuid], _BUILD_EVENT,
                           'Error', error)
        self.records.set_error(context, instance.uuid, error)
        self.records.lifecycle.batch(context, [instance.uuid], 'create', 'error', error)

    def _deallocate_network(self, context, instance):
        """Give a failed build's addresses back before it goes elsewhere; a failure is
        logged (the addresses then stay with the instance until it is deleted)."""
        try:
            self.network_api.deallocate_for_instance(context, instance)
        except Exception:  # noqa: BLE001
            LOG.exception(_LE('Could not deallocate the network of %s'), instance.uuid)

    def _spawn(self, context, request_spec, network_info, mappings, instance):
        with self._slots, self.locks(instance.uuid):
            try:
                image_meta = self.base_images.image_meta(context, request_spec.get('image') or {})
                self._build_guest(context, instance, image_meta, request_spec,
                                  network_info.get(instance.uuid, []),
                                  mappings.get(instance.uuid))
                return instance, None
            except Exception as error:
                LOG.warning(_LW('Spawning %s on %s failed: %s'), instance.uuid, self.host, error)
                try:
                    self.driver.destroy(context, instance)
                except Exception:
                    LOG.exception(_LE('Cleanup of failed spawn %s failed'), instance.uuid)
                return instance, error

    @hooks.add_hook('build_instance')
    def _build_guest(self, context, instance, image_meta, request_spec, vifs, bdms=None):
        """One guest on the hypervisor: its boot volumes (``bdms``: its mappings if read
        already), config drive and spawn."""
        block_device_info = self.volumes.prepare_boot(context, instance, bdms)
        password = request_spec.get('admin_password')
        self.driver.spawn(context, instance, image_meta, admin_password=password,
                          network_info=vifs, block_device_info=block_device_info,
                          config_drive=config_drive.for_spawn(
                              context, self.driver, self.records, instance, vifs, password))

    def _reschedule_or_error(self, context, instance, request_spec, error):
        self.tracker.drop(instance.uuid)
        self.records.event(context, [instance.uuid], _BUILD_EVENT,
                           'Error', error)
        self.records.fault(context, instance.uuid, error)
        try:
            spec = RequestSpec.from_dict(request_spec).for_retry(
                instance.uuid, self.host, self.tracker.nodename, str(error))
        except exception.MaxRetriesExceeded as exhausted:
            self.records.set_error(context, instance.uuid, exhausted)
            self.records.lifecycle.batch(context, [instance.uuid], 'create', 'error', error)
            return
        try:
            self.records.update(context, instance.uuid, host=None, node=None,
                                task_state=task_states.SCHEDULING,
                                expected_task_state=[task_states.SPAWNING,
                                                     task_states.SCHEDULING])
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            return
        self.scheduler_rpcapi.build_instances(context, spec, [instance.uuid])
