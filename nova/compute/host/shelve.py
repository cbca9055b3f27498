"""Shelve, offload and unshelve on the hosts (nova/compute/shelve.py tells the whole story).

Shelving powers the guest off and uploads it through the snapshot flow, then
(with --shelved_offload_time 0 at once, else from the periodic task) destroys
it and frees this host. Unshelving powers a SHELVED guest on where it is, or
claims and spawns an offloaded one here from its shelved image; a failed
unshelve leaves the instance offloaded with its image kept.
"""
import datetime
import logging

from nova import exception
from nova import utils
from nova.compute import power_state, task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.host import config_drive
from nova.compute.host.action_events import instance_action
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)

SHELVED_KEYS = ('shelved_at', 'shelved_image_id', 'shelved_host')


def _without_shelved_keys(instance):
    return {k: v for k, v in (instance.system_metadata or {}).items() if k not in SHELVED_KEYS}


class Shelves:
    """Shelve, offload and unshelve of the instances on (or coming to) this host."""

    def __init__(self, records, driver, claims, tracker, image_api, base_images, snapshots,
                 locks, network_api, volumes):
        self.records, self.host = records, records.host
        self.volumes = volumes
        self.network_api = network_api
        self.driver = driver
        self.claims = claims
        self.tracker = tracker
        self.image_api = image_api
        self.base_images = base_images
        self.snapshots = snapshots
        self.locks = locks

    def recovery(self):
        """{task_state: how to resolve it after a restart} for init_host.

        A SPAWNING instance that is SHELVED_OFFLOADED is an unshelve: the
        manager asks ``recover_unshelve_spawn`` for it.
        """
        return dict(dict.fromkeys((task_states.SHELVING,
                                   task_states.SHELVING_IMAGE_PENDING_UPLOAD,
                                   task_states.SHELVING_IMAGE_UPLOADING), self._recover_shelving),
                    **{task_states.SHELVING_OFFLOADING: self._recover_offloading,
                       task_states.UNSHELVING: self._recover_unshelving})

    @instance_action
    def shelve_instance(self, context, instance_uuid, image_id):
        instance = self.records.get(context, instance_uuid)
        try:
            self.driver.power_off(instance)
            self.snapshots.upload(context, instance_uuid, image_id, task_states.SHELVING,
                                  pending=task_states.SHELVING_IMAGE_PENDING_UPLOAD,
                                  uploading=task_states.SHELVING_IMAGE_UPLOADING)
        except exception.UnexpectedTaskStateError:
            raise
        except Exception:
            power = self.records.power_state(instance)
            self.records.update(context, instance_uuid, power_state=power,
                                vm_state=self.records.vm_state_for_power(instance.vm_state, power))
            raise
        offload = CONF.shelved_offload_time == 0
        instance = self.records.get(context, instance_uuid)
        instance = self.records.update(
            context, instance_uuid, expected_task_state=task_states.SHELVING_IMAGE_UPLOADING,
            vm_state=vm_states.SHELVED, power_state=self.records.power_state(instance),
            task_state=task_states.SHELVING_OFFLOADING if offload else None,
            system_metadata=dict(instance.system_metadata or {}, shelved_image_id=image_id,
                                 shelved_at=utils.isotime(), shelved_host=self.host))
        if offload:
            self._shelve_offload(context, instance)

    @instance_action
    def shelve_offload_instance(self, context, instance_uuid):
        self._shelve_offload(context, self.records.get(context, instance_uuid))

    def _shelve_offload(self, context, instance):
        with self.locks(instance.uuid):
            self.driver.destroy(context, instance)
        self.claims.settle(instance)
        self.records.update(context, instance.uuid,
                            expected_task_state=task_states.SHELVING_OFFLOADING,
                            host=None, node=None, vm_state=vm_states.SHELVED_OFFLOADED,
                            power_state=power_state.NOSTATE, task_state=None)
        self.claims.report_soon(context)

    def poll_shelved_instances(self, context):
        """Offload the instances shelved here longer than shelved_offload_time ago."""
        if CONF.shelved_offload_time <= 0:
            return
        cutoff = utils.utcnow() - datetime.timedelta(seconds=CONF.shelved_offload_time)
        for instance in db.instance_get_all_by_filters(
                context, {'host': self.host, 'vm_state': vm_states.SHELVED,
                          'task_state': None, 'deleted': False}):
            shelved_at = (instance.system_metadata or {}).get('shelved_at')
            if not shelved_at or datetime.datetime.strptime(
                    shelved_at, '%Y-%m-%dT%H:%M:%SZ') > cutoff:
                continue
            try:
                instance = self.records.update(context, instance.uuid,
                                               task_state=task_states.SHELVING_OFFLOADING,
                                               expected_task_state=None)
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                continue
            compute_utils.start_action(context, instance.uuid, 'shelveOffload')
            self.shelve_offload_instance(context, instance.uuid)

    @instance_action
    def unshelve_instance(self, context, instance_uuid, limits=None):
        instance = self.records.get(context, instance_uuid)
        if instance.vm_state == vm_states.SHELVED:
            self.records.update(context, instance_uuid, task_state=task_states.POWERING_ON,
                                expected_task_state=task_states.UNSHELVING)
            self.driver.power_on(context, instance)
            self._end_unshelve(context, instance, task_states.POWERING_ON)
            return
        self.tracker.instance_claim(instance, limits)
        try:
            instance = self.records.update(context, instance_uuid, host=self.host,
                                           node=self.tracker.nodename,
                                           task_state=task_states.SPAWNING,
                                           expected_task_state=task_states.UNSHELVING)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            self.tracker.drop(instance_uuid)
            raise
        try:
            image = self.image_api.show(context, compute_utils.shelved_image_id(instance))
            image_meta = self.base_images.image_meta(
                context, {'id': image['id'], 'properties': image['properties']})
            # volumes attached while offloaded are connected here, the first host
            # they have; the guest gets every attached volume back
            block_device_info = self.volumes.prepare_boot(context, instance)
            with self.locks(instance_uuid):
                vifs = self.network_api.get_instance_nw_info(
                    context, instance)  # addresses kept while shelved
                self.driver.spawn(context, instance, image_meta, network_info=vifs,
                                  block_device_info=block_device_info,
                                  config_drive=config_drive.for_spawn(
                                      context, self.driver, self.records, instance, vifs))
        except Exception:
            self._back_to_offloaded(context, instance)
            raise
        self._end_unshelve(context, instance, task_states.SPAWNING)
        self.claims.report_soon(context)

    def _end_unshelve(self, context, instance, expected):
        self.records.update(context, instance.uuid, expected_task_state=expected,
                            vm_state=vm_states.ACTIVE, task_state=None,
                            power_state=self.records.power_state(instance),
                            launched_at=utils.utcnow(), system_metadata=_without_shelved_keys(
                                self.records.get(context, instance.uuid)))
        compute_utils.delete_image(self.image_api, context,
                                   compute_utils.shelved_image_id(instance))

    def _back_to_offloaded(self, context, instance, **values):
        """An unshelve that failed here: the instance waits offloaded, its image kept."""
        try:
            with self.locks(instance.uuid):
                self.driver.destroy(context, instance)
        except Exception:
            LOG.exception(_LE('Could not clean up the failed unshelve of %s'), instance.uuid)
        self.claims.settle(instance)
        self.claims.report_soon(context)
        self.records.update(context, instance.uuid, host=None, node=None,
                            vm_state=vm_states.SHELVED_OFFLOADED, power_state=power_state.NOSTATE,
                            **values)

    # -- start-up: what a crash interrupted ------------------------------------------------
    def _recover_shelving(self, context, instance):
        """Stopped before the image was complete: not shelved; the partial image goes."""
        self.snapshots.delete_unfinished_images(context, instance)
        power = self.records.power_state(instance)
        self.records.update(context, instance.uuid, task_state=None, power_state=power,
                            vm_state=self.records.vm_state_for_power(instance.vm_state, power),
                            expected_task_state=instance.task_state)
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))

    def _recover_offloading(self, context, instance):
        """The instance is shelved and its image complete: finish freeing the host."""
        self.shelve_offload_instance(context, instance.uuid)

    def _recover_unshelving(self, context, instance):
        """Unshelve of an instance still here: it stays shelved (the user may ask again)."""
        self.records.update(context, instance.uuid, task_state=None,
                            expected_task_state=instance.task_state)
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))

    def recover_unshelve_spawn(self, context, instance):
        """Stopped while spawning an unshelved instance: keep it if it runs, else offload."""
        if self.records.power_state(instance) == power_state.RUNNING:
            self._end_unshelve(context, instance, task_states.SPAWNING)
            return
        self._back_to_offloaded(context, instance, task_state=None,
                                expected_task_state=task_states.SPAWNING)
        self.records.fault(context, instance.uuid, self.records.interrupted(instance))

