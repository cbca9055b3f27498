"""Shelve, offload and unshelve, as Nova does them.

shelve: SHELVING -> SHELVING_IMAGE_PENDING_UPLOAD -> SHELVING_IMAGE_UPLOADING:
the guest is powered off and imaged ('<name>-shelved', recorded in
system_metadata shelved_image_id, shelved_at, shelved_host); vm_state
SHELVED, and with shelved_offload_time 0 at once SHELVING_OFFLOADING: the
guest is destroyed, the host's claim dropped, host and node cleared, vm_state
SHELVED_OFFLOADED. A periodic task offloads SHELVED instances older than
shelved_offload_time. unshelve (UNSHELVING): a SHELVED instance is powered on
where it is; an offloaded one goes where the scheduler says, is claimed and
spawned from its shelved image (SPAWNING), and the image is deleted. Quota
stays used while shelved, as in Nova.
"""
import datetime
import logging

from nova import exception
from nova import manager
from nova import utils
from nova.compute import move_claims, move_spec, power_state, snapshot, task_states
from nova.compute import utils as compute_utils
from nova.compute import vm_states
from nova.compute.action_events import instance_action
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.conf import CONF
from nova.db import api as db
from nova.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

SHELVED_KEYS = ('shelved_at', 'shelved_image_id', 'shelved_host')


def _without_shelved_keys(instance):
    return {k: v for k, v in (instance.system_metadata or {}).items() if k not in SHELVED_KEYS}


def shelved_image_id(instance):
    return (instance.system_metadata or {}).get('shelved_image_id')


class ShelveAPI:
    """Mixin of nova.compute.api.API."""

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.PAUSED,
                                    vm_states.SUSPENDED])
    def shelve(self, context, instance):
        """Power off and image the instance; it keeps its host until offloaded."""
        driver_class = virt_driver.compute_driver_class()
        driver_class.require('supports_shelve', 'shelve')
        driver_class.require('supports_snapshot', 'shelve')
        compute_utils.start_action(context, instance.uuid, 'shelve')
        instance = begin_task(context, instance, task_states.SHELVING, method='shelve')
        try:
            image = snapshot.create_image(self.image_api, context, instance,
                                          '%s-shelved' % instance.display_name, 'snapshot')
        except Exception:
            self._end_task(context, instance.uuid, task_states.SHELVING)
            raise
        self.compute_rpcapi.instance_action(context, 'shelve_instance', instance,
                                            image_id=image['id'])

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.SHELVED])
    def shelve_offload(self, context, instance):
        """Free the host a shelved instance still holds."""
        self._act(context, instance, 'shelveOffload', 'shelve_offload_instance',
                  task_states.SHELVING_OFFLOADING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.SHELVED, vm_states.SHELVED_OFFLOADED])
    def unshelve(self, context, instance):
        """Run the instance again: where it is, or where the scheduler places it."""
        compute_utils.start_action(context, instance.uuid, 'unshelve')
        instance = begin_task(context, instance, task_states.UNSHELVING, method='unshelve')
        if instance.vm_state == vm_states.SHELVED:
            self.compute_rpcapi.instance_action(context, 'unshelve_instance', instance)
            return
        spec = move_spec.request_spec(context, instance, move_claims.current_flavor(instance),
                                      image_id=shelved_image_id(instance))
        try:
            [dest] = self.scheduler_rpcapi.select_destinations(context, spec)
        except exception.NoValidHost as error:
            compute_utils.add_instance_fault(context, instance.uuid, error)
            self._end_task(context, instance.uuid, task_states.UNSHELVING)
            raise
        self.compute_rpcapi.to_host(context, 'unshelve_instance', dest['host'], instance.uuid,
                                    limits=dest.get('limits'))

    def _delete_shelved_image(self, context, instance):
        """A deleted instance will not be unshelved: its image goes too (as Nova)."""
        image_id = shelved_image_id(instance)
        if image_id:
            snapshot.delete_image(self.image_api, context, image_id)


class ShelveManager:
    """Mixin of nova.compute.manager.ComputeManager."""

    @instance_action
    def shelve_instance(self, context, instance_uuid, image_id):
        instance = self._get(context, instance_uuid)
        try:
            self.driver.power_off(instance)
            self._snapshot(context, instance_uuid, image_id, task_states.SHELVING,
                           pending=task_states.SHELVING_IMAGE_PENDING_UPLOAD,
                           uploading=task_states.SHELVING_IMAGE_UPLOADING)
        except exception.UnexpectedTaskStateError:
            raise
        except Exception:
            power = self._power_state(instance)
            self._update(context, instance_uuid, power_state=power,
                         vm_state=self._vm_state_for_power(instance.vm_state, power))
            raise
        offload = CONF.shelved_offload_time == 0
        instance = self._get(context, instance_uuid)
        instance = self._update(
            context, instance_uuid, expected_task_state=task_states.SHELVING_IMAGE_UPLOADING,
            vm_state=vm_states.SHELVED, power_state=self._power_state(instance),
            task_state=task_states.SHELVING_OFFLOADING if offload else None,
            system_metadata=dict(instance.system_metadata or {}, shelved_image_id=image_id,
                                 shelved_at=utils.isotime(), shelved_host=self.host))
        if offload:
            self._shelve_offload(context, instance)

    @instance_action
    def shelve_offload_instance(self, context, instance_uuid):
        self._shelve_offload(context, self._get(context, instance_uuid))

    def _shelve_offload(self, context, instance):
        with self._instance_locks(instance.uuid):
            self.driver.destroy(context, instance)
        self._settle_claims(instance)
        self._update(context, instance.uuid, expected_task_state=task_states.SHELVING_OFFLOADING,
                     host=None, node=None, vm_state=vm_states.SHELVED_OFFLOADED,
                     power_state=power_state.NOSTATE, task_state=None)
        self._report_soon(context)

    @manager.periodic_task(spacing='shelved_poll_interval')
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
                instance = self._update(context, instance.uuid,
                                        task_state=task_states.SHELVING_OFFLOADING,
                                        expected_task_state=None)
            except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
                continue
            compute_utils.start_action(context, instance.uuid, 'shelveOffload')
            self.shelve_offload_instance(context, instance.uuid)

    @instance_action
    def unshelve_instance(self, context, instance_uuid, limits=None):
        instance = self._get(context, instance_uuid)
        if instance.vm_state == vm_states.SHELVED:
            self._update(context, instance_uuid, task_state=task_states.POWERING_ON,
                         expected_task_state=task_states.UNSHELVING)
            self.driver.power_on(context, instance)
            self._end_unshelve(context, instance, task_states.POWERING_ON)
            return
        self.tracker.instance_claim(instance, limits)
        try:
            instance = self._update(context, instance_uuid, host=self.host,
                                    node=self.tracker.nodename,
                                    task_state=task_states.SPAWNING,
                                    expected_task_state=task_states.UNSHELVING)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            self.tracker.drop(instance_uuid)
            raise
        try:
            image = self.image_api.show(context, shelved_image_id(instance))
            image_meta = self.base_images.image_meta(
                context, {'id': image['id'], 'properties': image['properties']})
            with self._instance_locks(instance_uuid):
                self.driver.spawn(context, instance, image_meta, network_info=[])
        except Exception:
            self._back_to_offloaded(context, instance)
            raise
        self._end_unshelve(context, instance, task_states.SPAWNING)
        self._report_soon(context)

    def _end_unshelve(self, context, instance, expected):
        self._update(context, instance.uuid, expected_task_state=expected,
                     vm_state=vm_states.ACTIVE, task_state=None,
                     power_state=self._power_state(instance), launched_at=utils.utcnow(),
                     system_metadata=_without_shelved_keys(self._get(context, instance.uuid)))
        snapshot.delete_image(self.image_api, context, shelved_image_id(instance))

    def _back_to_offloaded(self, context, instance, **values):
        """An unshelve that failed here: the instance waits offloaded, its image kept."""
        try:
            with self._instance_locks(instance.uuid):
                self.driver.destroy(context, instance)
        except Exception:
            LOG.exception('Could not clean up the failed unshelve of %s', instance.uuid)
        self._settle_claims(instance)
        self._report_soon(context)
        self._update(context, instance.uuid, host=None, node=None,
                     vm_state=vm_states.SHELVED_OFFLOADED, power_state=power_state.NOSTATE,
                     **values)

    # -- start-up: what a crash interrupted ------------------------------------------------
    def _recover_shelving(self, context, instance):
        """Stopped before the image was complete: not shelved; the partial image goes."""
        self._delete_unfinished_images(context, instance)
        power = self._power_state(instance)
        self._update(context, instance.uuid, task_state=None, power_state=power,
                     vm_state=self._vm_state_for_power(instance.vm_state, power),
                     expected_task_state=instance.task_state)
        compute_utils.add_instance_fault(context, instance.uuid, self._interrupted(instance),
                                         self.host)

    def _recover_offloading(self, context, instance):
        """The instance is shelved and its image complete: finish freeing the host."""
        self.shelve_offload_instance(context, instance.uuid)

    def _recover_unshelving(self, context, instance):
        """Unshelve of an instance still here: it stays shelved (the user may ask again)."""
        self._update(context, instance.uuid, task_state=None,
                     expected_task_state=instance.task_state)
        compute_utils.add_instance_fault(context, instance.uuid, self._interrupted(instance),
                                         self.host)

    def _recover_unshelve_spawn(self, context, instance):
        """Stopped while spawning an unshelved instance: keep it if it runs, else offload."""
        if self._power_state(instance) == power_state.RUNNING:
            self._end_unshelve(context, instance, task_states.SPAWNING)
            return
        self._back_to_offloaded(context, instance, task_state=None,
                                expected_task_state=task_states.SPAWNING)
        compute_utils.add_instance_fault(context, instance.uuid, self._interrupted(instance),
                                         self.host)


RECOVERY = dict(dict.fromkeys((task_states.SHELVING, task_states.SHELVING_IMAGE_PENDING_UPLOAD,
                               task_states.SHELVING_IMAGE_UPLOADING), '_recover_shelving'),
                **{task_states.SHELVING_OFFLOADING: '_recover_offloading',
                   task_states.UNSHELVING: '_recover_unshelving'})
