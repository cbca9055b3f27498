"""The public compute API: what the OpenStack and EC2 front ends call.

It checks input, policy-independent rules (state, lock, quota), writes the DB
and casts to the scheduler or the instance's compute host. Reads never leave
the API process. Instances are DB rows; callers pass the row they got from
``get``. Resize and migrations, live migration, rebuild, snapshot and backup,
shelve are mixed in from their own modules.
"""
import base64
import json
import logging
import random
import re
import string
import uuid as uuid_lib

from nova import exception
from nova import hooks
from nova import quota
from nova import servicegroup
from nova import utils
from nova.compute import admin_actions, block_device, capabilities, disk_config, evacuate
from nova.compute import flavors, live_migrate, volumes
from nova.compute import interfaces, lifecycle
from nova.compute import power_state, rebuild, resize, resize_quota, rpcapi, shelve, snapshot
from nova.compute import task_states, vm_states
from nova.compute import utils as compute_utils
from nova.compute.states import begin_task, check_instance_lock, check_instance_state
from nova.compute.states import task_refused
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _
from nova.image import service as image_service
from nova.network import api as network_api
from nova.network import security_groups as network_groups
from nova.scheduler import rpcapi as scheduler_rpcapi
from nova.virt import driver as virt_driver
from nova.volume import api as volume_api

LOG = logging.getLogger(__name__)

MAX_USERDATA_SIZE = 65535
_SPEC_IMAGE_KEYS = ('status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size',
                    'disk_format')
_HOSTNAME_BAD = re.compile(r'[^a-z0-9-]+')


def _reservation_id():
    return 'r-' + ''.join(random.choices(string.ascii_lowercase + string.digits, k=8))


def _hostname(display_name, fallback):
    name = _HOSTNAME_BAD.sub('-', (display_name or '').lower()).strip('-.')[:63]
    return name or fallback


class API(volumes.VolumeAttachAPI, resize.ResizeAPI, live_migrate.LiveMigrationAPI,
          rebuild.RebuildAPI, snapshot.SnapshotAPI, shelve.ShelveAPI,
          admin_actions.AdminActionsAPI, evacuate.EvacuateAPI, interfaces.InterfacesAPI):
    """Instance lifecycle. Every rule about instances lives here once."""

    def __init__(self, image_api=None):
        self.image_api = image_api or image_service.get_default_image_service()
        self.compute_rpcapi = rpcapi.ComputeAPI()
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI()
        self.network_api = network_api.API()
        self.volume_api = volume_api.API(self.image_api)
        self.lifecycle = lifecycle.Lifecycle('api.%s' % CONF.host)  # its local deletes

    # -- create ---------------------------------------------------------------------
    @hooks.add_hook('create_instance')
    def create(self, context, flavor, image_href, display_name=None, display_description=None,
               min_count=1, max_count=1, key_name=None, user_data=None, metadata=None,
               availability_zone=None, scheduler_hints=None, security_groups=None,
               tags=None, access_ip_v4=None, access_ip_v6=None, config_drive=None,
               hostname=None, requested_networks=None, auto_disk_config=None,
               admin_password=None, block_device_mapping=None, supports_multiattach=False):
        """Record the instances and hand them to the scheduler.

        requested_networks: None or 'auto' (every network the project may use),
        'none', or [{'uuid': network uuid, 'fixed_ip': address or None}].
        block_device_mapping: block_device_mapping_v2 entries (volumes to boot
        from or attach at boot; nova.compute.block_device); supports_multiattach:
        the caller asked for 2.60 or later, as a multiattach volume needs.

        Returns (instances, reservation_id). Quota is reserved atomically with
        the rows: when max_count does not fit but min_count does, as many as fit
        are created (as Nova does).
        """
        min_count, max_count = self._check_counts(min_count, max_count)
        if flavor.disabled and not context.is_admin:
            raise exception.FlavorNotFound(flavor_id=flavor.flavorid)
        bdms, boot_volume = block_device.normalize(block_device_mapping, image_href)
        metadata = dict(metadata or {})
        # the reads checking the request: the image and the limits are one statement
        # each in autocommit (PostgreSQL, SQLite), where a reading transaction around
        # them cost a BEGIN and a COMMIT
        shared = self._check_mapped_volumes(context, bdms, max_count, supports_multiattach)
        if boot_volume:
            image = self._volume_image(context, bdms)
        else:
            image = self._check_image(context, image_href, flavor)
        block_device.device_names(bdms, [])
        # read once for the metadata check and every reservation attempt below
        limits = quota.project_and_user_limits(context, context.project_id, context.user_id)
        self._check_metadata(context, context.project_id, context.user_id, metadata, limits)
        key_data = None
        if key_name is not None:
            key_data = db.key_pair_get(context, context.user_id, key_name).public_key
        if user_data is not None:
            _check_user_data(user_data)
        if security_groups:
            security_groups = network_groups.SecurityGroupAPI().check_names(context,
                                                                            security_groups)
        networks = self.network_api.validate_networks(context, requested_networks, max_count)
        hints = dict(scheduler_hints or {})
        group = self._check_group(context, hints.get('group'))
        zone, force_hosts = self._check_zone(context, availability_zone)
        reservation_id = _reservation_id()
        base = {
            'project_id': context.project_id, 'user_id': context.user_id,
            'reservation_id': reservation_id, 'image_ref': image['id'],
            'kernel_id': image['properties'].get('kernel_id'),
            'ramdisk_id': image['properties'].get('ramdisk_id'),
            'instance_type_id': flavor.id, 'flavor': flavors.instance_flavor_json(flavor),
            'vcpus': flavor.vcpus, 'memory_mb': flavor.memory_mb,
            'root_gb': 0 if boot_volume else flavor.root_gb,
            'ephemeral_gb': flavor.ephemeral_gb, 'root_device_name': block_device.ROOT_DEVICE,
            'vm_state': vm_states.BUILDING, 'task_state': task_states.SCHEDULING,
            'power_state': power_state.NOSTATE, 'availability_zone': zone,
            'key_name': key_name, 'key_data': key_data, 'user_data': user_data,
            'admin_password': admin_password,  # kept until spawned: a resent boot has it
            'display_description': display_description,
            'config_drive': 'True' if config_drive else '', 'locked': False,
            'access_ip_v4': access_ip_v4, 'access_ip_v6': access_ip_v6,
            'os_type': image['properties'].get('os_type'),
            'architecture': image['properties'].get('architecture'),
            'vm_mode': image['properties'].get('vm_mode'), 'progress': 0,
            'auto_disk_config': disk_config.from_image(image, auto_disk_config),
            'security_groups': list(security_groups or ['default']),
            'system_metadata': dict(
                {'image_%s' % k: str(v) for k, v in image['properties'].items()},
                **({'scheduler_hints': json.dumps(hints)} if hints else {}),
                **self.network_api.requested_networks_metadata(networks)),
        }
        count = max_count
        while True:
            values = [dict(self._instance_values(base, display_name, hostname, metadata,
                                                 tags, group, i, count),
                           block_device_mapping=bdms) for i in range(count)]
            try:
                instances = db.instance_create_many(
                    context, values, quota=quota.instance_reservation(
                        context, context.project_id, context.user_id, flavor, count, limits),
                    actions=[compute_utils.action_values(context, v['uuid'], 'create')
                             for v in values])
                break
            except exception.OverQuota as over:
                fits = quota.instances_that_fit(over, flavor)
                if fits < min_count or fits >= count:
                    raise exception.TooManyInstances(**over.kwargs) from over
                count = fits
        uuids = [i.uuid for i in instances]
        self._reserve_boot_volumes(context, instances, bdms)
        spec = self._request_spec(context, flavor, image, zone, hints, group, force_hosts)
        if boot_volume:
            spec['flavor']['root_gb'] = 0  # the root disk is a volume, not the host's
        spec['admin_password'] = admin_password  # the spawn gives it to the guest
        # only hosts whose driver writes config drives, or shares a multiattach volume
        required = (['supports_config_drive'] if config_drive else []) + (
            ['supports_multiattach'] if shared else [])
        if required:
            spec['required_capabilities'] = required
        try:
            self.scheduler_rpcapi.build_instances(context, spec, uuids)
        except Exception:
            self._undo_create(context, instances)
            raise
        # handed over: from now on the scheduler owns them (nova/scheduler/reconciler.py)
        db.instance_update_many(context, uuids, {'scheduled_at': utils.utcnow()},
                                expected_task_state=task_states.SCHEDULING)
        return instances, reservation_id

    def _undo_create(self, context, instances):
        """The scheduler was not told: nothing of the request remains (its volumes
        released), its quota is back."""
        for instance in instances:
            try:
                db.instance_destroy(context, instance.uuid,
                                    quota=resize_quota.release_on_delete(instance),
                                    expected={'task_state': task_states.SCHEDULING,
                                              'host': None})
            except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
                continue  # the message got through after all and a host took it
            self._release_volumes(context, instance)

    @staticmethod
    def _check_counts(min_count, max_count):
        try:
            min_count, max_count = int(min_count), int(max_count)
        except (TypeError, ValueError):
            raise exception.InvalidInput(reason=_('min_count and max_count must be integers'))
        if min_count < 1:
            raise exception.InvalidInput(reason=_('min_count must be >= 1'))
        if max_count < min_count:
            raise exception.InvalidInput(reason=_('max_count must be >= min_count'))
        return min_count, max_count

    @staticmethod
    def _check_user_data(user_data):
        _check_user_data(user_data)

    @staticmethod
    def _check_metadata(context, project_id, user_id, metadata, limits=None):
        quota.check_metadata_items(context, project_id, len(metadata), user_id, limits)
        _check_metadata_sizes(metadata)

    def _check_image(self, context, image_href, flavor):
        """The active image, if ``flavor`` (or an instance) is big enough for it."""
        if not image_href:
            raise exception.InvalidInput(reason=_('an image is required'))
        image = self.image_api.show(context, image_href)
        if image['status'] != 'active':
            raise exception.ImageNotActive(image_id=image['id'])
        if image.get('min_ram') and flavor.memory_mb < image['min_ram']:
            raise exception.FlavorMemoryTooSmall()
        if image.get('min_disk') and flavor.root_gb and flavor.root_gb < image['min_disk']:
            raise exception.FlavorDiskTooSmall()
        return image

    @staticmethod
    def _check_group(context, group_uuid):
        if not group_uuid:
            return None
        group = db.instance_group_get(context, group_uuid)
        if group.project_id != context.project_id and not context.is_admin:
            raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
        return group

    @staticmethod
    def _check_zone(context, availability_zone):
        """(zone, force_hosts); 'zone:host' pins a host, for admins only."""
        if not availability_zone:
            return None, []
        zone, _sep, host = availability_zone.partition(':')
        if host and not context.is_admin:
            raise exception.Forbidden(reason=_('only admins may choose a host'))
        known = {CONF.default_availability_zone} | {
            a.availability_zone for a in db.aggregate_get_all(context)}
        if zone and zone not in known:
            raise exception.InvalidInput(
                reason=_('The requested availability zone is not available'))
        return zone or None, [host] if host else []

    @staticmethod
    def _instance_values(base, display_name, hostname, metadata, tags, group, index, count):
        uuid = str(uuid_lib.uuid4())
        name = display_name or 'Server-%s' % uuid
        if count > 1 and display_name:
            name = CONF.multi_instance_display_name_template % {
                'name': display_name, 'count': index + 1, 'uuid': uuid}
        values = dict(base, uuid=uuid, display_name=name, launch_index=index,
                      hostname=_hostname(hostname or name, 'server-%s' % uuid),
                      metadata=metadata, tags=list(tags or []))
        if group is not None:
            values['group_uuid'] = group.uuid
        return values

    @staticmethod
    def _request_spec(context, flavor, image, zone, hints, group, force_hosts):
        spec = {
            'flavor': {'flavorid': flavor.flavorid, 'name': flavor.name,
                       'memory_mb': flavor.memory_mb, 'vcpus': flavor.vcpus,
                       'root_gb': flavor.root_gb, 'ephemeral_gb': flavor.ephemeral_gb,
                       'swap': flavor.swap, 'extra_specs': dict(flavor.extra_specs)},
            # the entry as read now: a host whose cache holds this checksum boots
            # from it without reading the image again (nova.compute.host.base_images)
            'image': dict({k: image.get(k) for k in _SPEC_IMAGE_KEYS}, id=image['id'] or '',
                          properties=dict(image['properties'])),
            'availability_zone': zone, 'project_id': context.project_id,
            'user_id': context.user_id,
            'scheduler_hints': {k: v for k, v in hints.items()
                                if k in ('same_host', 'different_host', 'query', 'group')},
            'force_hosts': force_hosts,
        }
        if group is not None:
            spec['instance_group'] = {'uuid': group.uuid, 'policies': [group.policy],
                                      'hosts': [], 'members': []}
        return spec

    # -- read -----------------------------------------------------------------------
    def get(self, context, instance_uuid):
        """One instance; another project's is NotFound, as if it did not exist."""
        instance = db.instance_get_by_uuid(context, instance_uuid)
        if not context.is_admin and instance.project_id != context.project_id:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return instance

    def get_all(self, context, filters=None, limit=None, marker=None, sort_keys=None,
                sort_dirs=None, all_projects=False, brief=False, partial=False):
        """Read-only records of the instances matching DB-level filters, scoped to
        the caller's project (a list costs two queries whatever its length;
        brief: only id, uuid and display_name, one query; partial: what tells a
        kept server view is stale, complete_records() reads the rest)."""
        filters = dict(filters or {})
        if not (context.is_admin and all_projects):
            filters['project_id'] = context.project_id
        return db.instance_records_by_filters(context, filters, sort_keys=sort_keys,
                                              sort_dirs=sort_dirs, limit=limit, marker=marker,
                                              brief=brief, partial=partial)

    def complete_records(self, context, records):
        """Partial records of get_all with every column (one query); a record whose
        instance is gone since is left out."""
        return db.instance_records_complete(context, records)

    # -- delete ---------------------------------------------------------------------
    @check_instance_lock
    @check_instance_state(vm_state=None, task_state=None)
    @hooks.add_hook('delete_instance')
    def delete(self, context, instance):
        """Delete (or soft-delete when reclaim_instance_interval is set)."""
        instance = self._prepare_delete(context, instance)
        if CONF.reclaim_instance_interval > 0 and instance.host and \
                instance.vm_state not in (vm_states.ERROR, vm_states.SOFT_DELETED) and \
                instance.task_state is None:
            return self._soft_delete(context, instance)
        self._delete(context, instance, 'delete')

    @check_instance_lock
    @check_instance_state(vm_state=None, task_state=None)
    @hooks.add_hook('delete_instance')
    def force_delete(self, context, instance):
        self._delete(context, self._prepare_delete(context, instance), 'forceDelete')

    def _prepare_delete(self, context, instance):
        """As Nova before any delete: confirm a finished resize, drop a shelved image."""
        if instance.task_state == task_states.DELETING:
            return instance
        if instance.vm_state == vm_states.RESIZED and instance.task_state is None:
            instance = self._confirm_before_delete(context, instance)
        self._delete_shelved_image(context, instance)
        return instance

    def _delete(self, context, instance, action):
        if instance.task_state == task_states.DELETING:
            return  # already on its way
        if instance.host and self._host_is_up(context, instance.host):
            try:  # the task and the action: one statement on PostgreSQL
                db.instance_task_with_action(context, instance.uuid, task_states.DELETING,
                                             instance.task_state, action)
            except exception.UnexpectedTaskStateError:
                raise task_refused(context, instance, action) from None
        else:
            compute_utils.start_action(context, instance.uuid, action)
            before = self.lifecycle.start(context, instance.uuid, 'delete')
            self._release_volumes(context, instance)
            self.network_api.deallocate_for_instance(context, instance)
            db.instance_destroy(context, instance.uuid,
                                quota=resize_quota.release_on_delete(instance))
            self.lifecycle.end(context, instance.uuid, 'delete', before)
            return
        self._send(context, instance, task_states.DELETING,
                   self.compute_rpcapi.terminate_instance, back_to=instance.task_state)

    def _soft_delete(self, context, instance):
        self._act(context, instance, 'delete', self.compute_rpcapi.soft_delete_instance,
                  task_states.SOFT_DELETING)

    @check_instance_state(vm_state=[vm_states.SOFT_DELETED])
    def restore(self, context, instance):
        self._act(context, instance, 'restore', self.compute_rpcapi.restore_instance,
                  task_states.RESTORING)

    @staticmethod
    def _host_is_up(context, host):
        try:
            svc = db.service_get_by_host_and_binary(context, host, 'nova-compute')
        except exception.HostBinaryNotFound:
            return False
        return servicegroup.service_is_up(svc)

    @staticmethod
    def _check_destination(context, instance, host):
        """A host an admin names for a move: another compute host that is up."""
        if host == instance.host:
            raise exception.UnableToMigrateToSelf(instance_id=instance.uuid, host=host)
        try:
            svc = db.service_get_by_host_and_binary(context, host, 'nova-compute')
        except exception.HostBinaryNotFound:
            raise exception.ComputeHostNotFound(host=host) from None
        if not servicegroup.service_is_up(svc):
            raise exception.ComputeServiceUnavailable(host=host)

    @staticmethod
    def _end_task(context, instance_uuid, task_state, back_to=None):
        """Leave a task the API entered but could not hand on (unless it moved on)."""
        try:
            db.instance_update(context, instance_uuid, {'task_state': back_to},
                               expected_task_state=task_state)
        except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
            pass

    def _send(self, context, instance, task_state, send, *args, back_to=None, **kwargs):
        """Cast ``send`` (a ComputeAPI method) for an instance the API put in ``task_state``;
        when it cannot be delivered (503), the instance leaves the task again."""
        try:
            send(context, instance, *args, **kwargs)
        except Exception:
            self._end_task(context, instance.uuid, task_state, back_to=back_to)
            raise

    # -- actions ----------------------------------------------------------------------
    def _act(self, context, instance, action, send, task_state, **kwargs):
        """Record the action, enter its task, and ``send`` it (a ComputeAPI method)."""
        with db.transaction():  # the action and the task: one transaction
            compute_utils.start_action(context, instance.uuid, action)
            instance = begin_task(context, instance, task_state, method=action)
        self._send(context, instance, task_state, send, **kwargs)

    @check_instance_lock
    @check_instance_state(vm_state=vm_states.ALLOW_HARD_REBOOT,
                          task_state=[None, task_states.REBOOTING,
                                      task_states.REBOOT_PENDING, task_states.REBOOT_STARTED])
    def reboot(self, context, instance, reboot_type='SOFT'):
        if reboot_type not in virt_driver.REBOOT_TYPES:
            raise exception.InvalidInput(reason=_('reboot type must be SOFT or HARD'))
        if reboot_type == 'SOFT':
            if instance.vm_state not in vm_states.ALLOW_SOFT_REBOOT:
                raise exception.InstanceInvalidState(
                    attr='vm_state', state=instance.vm_state, method='reboot',
                    instance_uuid=instance.uuid)
            if instance.task_state is not None:
                raise exception.InstanceInvalidState(
                    attr='task_state', state=instance.task_state, method='reboot',
                    instance_uuid=instance.uuid)
        task = task_states.REBOOTING if reboot_type == 'SOFT' else task_states.REBOOTING_HARD
        compute_utils.start_action(context, instance.uuid, 'reboot')
        begin_task(context, instance, task, expected_task_state=[instance.task_state],
                   method='reboot')
        self._send(context, instance, task, self.compute_rpcapi.reboot_instance,
                   back_to=instance.task_state, reboot_type=reboot_type)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.RESCUED, vm_states.ERROR])
    def stop(self, context, instance):
        self._act(context, instance, 'stop', self.compute_rpcapi.stop_instance,
                  task_states.POWERING_OFF)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.STOPPED])
    def start(self, context, instance):
        self._act(context, instance, 'start', self.compute_rpcapi.start_instance,
                  task_states.POWERING_ON)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE])
    def pause(self, context, instance):
        capabilities.require(context, instance, 'supports_pause', 'pause')
        self._act(context, instance, 'pause', self.compute_rpcapi.pause_instance,
                  task_states.PAUSING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.PAUSED])
    def unpause(self, context, instance):
        capabilities.require(context, instance, 'supports_pause', 'unpause')
        self._act(context, instance, 'unpause', self.compute_rpcapi.unpause_instance,
                  task_states.UNPAUSING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE])
    def suspend(self, context, instance):
        capabilities.require(context, instance, 'supports_suspend', 'suspend')
        self._act(context, instance, 'suspend', self.compute_rpcapi.suspend_instance,
                  task_states.SUSPENDING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.SUSPENDED])
    def resume(self, context, instance):
        capabilities.require(context, instance, 'supports_suspend', 'resume')
        self._act(context, instance, 'resume', self.compute_rpcapi.resume_instance,
                  task_states.RESUMING)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.STOPPED, vm_states.ERROR])
    def rescue(self, context, instance, rescue_password=None):
        capabilities.require(context, instance, 'supports_rescue', 'rescue')
        self._act(context, instance, 'rescue', self.compute_rpcapi.rescue_instance,
                  task_states.RESCUING, rescue_password=rescue_password)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.RESCUED])
    def unrescue(self, context, instance):
        capabilities.require(context, instance, 'supports_rescue', 'unrescue')
        self._act(context, instance, 'unrescue', self.compute_rpcapi.unrescue_instance,
                  task_states.UNRESCUING)

    def lock(self, context, instance, reason=None):
        """Lock against changes; remembers whether an admin or the owner locked it."""
        by = 'owner' if context.project_id == instance.project_id else 'admin'
        compute_utils.start_action(context, instance.uuid, 'lock')
        return db.instance_update(context, instance.uuid, {
            'locked': True, 'locked_by': by,
            'system_metadata': dict(instance.system_metadata or {},
                                    locked_reason=reason or '')})

    def unlock(self, context, instance):
        """Only an admin may lift an admin's lock."""
        if instance.locked_by == 'admin' and not context.is_admin:
            raise exception.Forbidden(reason=_('the instance was locked by an admin'))
        compute_utils.start_action(context, instance.uuid, 'unlock')
        meta = dict(instance.system_metadata or {})
        meta.pop('locked_reason', None)
        return db.instance_update(context, instance.uuid, {
            'locked': False, 'locked_by': None, 'system_metadata': meta})

    # -- updates, metadata, tags ------------------------------------------------------
    def update(self, context, instance, **values):
        allowed = {'display_name', 'display_description', 'hostname', 'access_ip_v4',
                   'access_ip_v6', 'auto_disk_config'}
        unknown = set(values) - allowed
        if unknown:
            raise exception.InvalidInput(reason=_('cannot update %s') % ', '.join(sorted(unknown)))
        if values.get('auto_disk_config') is not None:
            values['auto_disk_config'] = disk_config.for_instance(
                instance, values['auto_disk_config'])
        return db.instance_update(context, instance.uuid, values)

    def add_security_group(self, context, instance, name):
        """Put the instance in one more of its project's groups."""
        group = network_groups.SecurityGroupAPI().get_by_name(context, name)
        names = list(instance.security_groups or [])
        if group.name in names:
            raise exception.SecurityGroupExistsForInstance(group=name,
                                                           instance_id=instance.uuid)
        updated = db.instance_update(context, instance.uuid,
                                     {'security_groups': names + [group.name]})
        network_groups.refresh_hosts(context)
        return updated

    def remove_security_group(self, context, instance, name):
        names = list(instance.security_groups or [])
        if name not in names:  # an id of one of its groups names it too
            name = next((g.name for g in network_groups.SecurityGroupAPI().for_instance(
                context, instance) if g.uuid == name), name)
        if name not in names:
            raise exception.SecurityGroupNotExistsForInstance(group=name,
                                                              instance_id=instance.uuid)
        names.remove(name)
        updated = db.instance_update(context, instance.uuid, {'security_groups': names})
        network_groups.refresh_hosts(context)
        return updated

    def get_metadata(self, context, instance):
        return db.instance_metadata_get(context, instance.uuid)

    @check_instance_lock
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED, vm_states.SUSPENDED,
                                    vm_states.STOPPED, vm_states.SHELVED,
                                    vm_states.SHELVED_OFFLOADED, vm_states.RESIZED,
                                    vm_states.BUILDING, vm_states.RESCUED],
                          task_state=None)
    def update_metadata(self, context, instance, metadata, delete=False):
        """Merge (or with delete=True replace) metadata, within the item quota."""
        _check_metadata_sizes(metadata)
        current = {} if delete else db.instance_metadata_get(context, instance.uuid)
        merged = dict(current, **metadata)
        quota.check_metadata_items(context, instance.project_id, len(merged), instance.user_id)
        db.instance_metadata_update(context, instance.uuid, metadata, delete=delete)
        return merged

    @check_instance_lock
    @check_instance_state(vm_state=None, task_state=None)
    def delete_metadata_item(self, context, instance, key):
        db.instance_metadata_delete(context, instance.uuid, key)

    def get_tags(self, context, instance):
        return db.instance_tag_get(context, instance.uuid)

    def set_tags(self, context, instance, tags):
        _check_tags(tags)
        db.instance_tag_set(context, instance.uuid, tags)
        return sorted(set(tags))

    def add_tag(self, context, instance, tag):
        _check_tags([tag])
        if len(set(db.instance_tag_get(context, instance.uuid)) | {tag}) > MAX_TAGS:
            raise exception.InvalidInput(reason=_('an instance has at most %d tags') % MAX_TAGS)
        db.instance_tag_add(context, instance.uuid, tag)

    def delete_tag(self, context, instance, tag):
        db.instance_tag_delete(context, instance.uuid, tag)

    def delete_all_tags(self, context, instance):
        db.instance_tag_delete_all(context, instance.uuid)

    def tag_exists(self, context, instance, tag):
        return db.instance_tag_exists(context, instance.uuid, tag)

    # -- reads from the host ------------------------------------------------------------
    @check_instance_state(vm_state=[vm_states.ACTIVE, vm_states.PAUSED, vm_states.STOPPED,
                                    vm_states.SUSPENDED, vm_states.RESCUED, vm_states.RESIZED,
                                    vm_states.ERROR], task_state=None)
    def get_console_output(self, context, instance, tail_length=None):
        capabilities.require(context, instance, 'supports_console_output', 'console output')
        return self.compute_rpcapi.get_console_output(context, instance, tail_length)

    @check_instance_state(vm_state=None, task_state=None)
    def get_diagnostics(self, context, instance):
        capabilities.require(context, instance, 'supports_diagnostics', 'diagnostics')
        return self.compute_rpcapi.get_diagnostics(context, instance)

    def get_instance_faults(self, context, instances):
        return db.instance_fault_get_by_instance_uuids(context, [i.uuid for i in instances])

    def get_actions(self, context, instance):
        return db.actions_get(context, instance.uuid)

    def get_action(self, context, instance, request_id):
        """The instance's action of that request; InstanceActionNotFound."""
        return db.action_get_by_request_id(context, instance.uuid, request_id)

    def get_action_events(self, context, action):
        return db.action_events_get(context, action.id)

    def get_active_by_window(self, context, start, end, project_id=None, limit=None,
                             marker=None):
        """Instances that existed at some time between start and end (usage)."""
        return db.instance_get_active_by_window(context, start, end, project_id,
                                                limit=limit, marker=marker)

    def get_migrations(self, context, filters, sort_keys=None, sort_dirs=None, limit=None,
                       marker=None):
        """Migration records; MarkerNotFound."""
        return db.migration_get_all_by_filters(context, filters, sort_keys=sort_keys,
                                               sort_dirs=sort_dirs, limit=limit,
                                               marker=marker)

    def get_all_by_uuids_with_deleted(self, context, uuids):
        """{uuid: instance} of those instances, deleted ones too (admin read)."""
        if not uuids:
            return {}
        instances = db.instance_get_all_by_filters(context.elevated(read_deleted='yes'),
                                                   {'uuid': sorted(uuids)})
        return {instance.uuid: instance for instance in instances}


MAX_TAGS = 50


def _check_tags(tags):
    for tag in tags:
        if not isinstance(tag, str) or not 1 <= len(tag) <= 60 or '/' in tag or ',' in tag:
            raise exception.InvalidInput(
                reason=_('tag %r: 1-60 characters without "/" or ","') % (tag,))
    if len(set(tags)) > MAX_TAGS:
        raise exception.InvalidInput(reason=_('an instance has at most %d tags') % MAX_TAGS)


def _check_metadata_sizes(metadata):
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 255:
            raise exception.InvalidInput(reason=_('metadata key %r must be 1-255 characters')
                                         % (key,))
        if not isinstance(value, str) or len(value) > 255:
            raise exception.InvalidInput(reason=_('metadata value for %r must be a string '
                                           'of at most 255 characters') % key)


def _check_user_data(user_data):
    try:
        decoded = base64.b64decode(user_data, validate=True)
    except (ValueError, TypeError):
        raise exception.InvalidInput(reason=_('user_data must be base64 encoded'))
    if len(decoded) > MAX_USERDATA_SIZE:
        raise exception.InvalidInput(reason=_('user_data is longer than %d bytes')
                                     % MAX_USERDATA_SIZE)

