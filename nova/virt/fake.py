"""The fake hypervisor: guests kept in memory, per host, in this process.

Several nova-compute services can share one process (nova-all, functional
tests), so state lives in a module dict keyed by host: ``FakeDriver(host)``
sees only its own guests, and a live migration moves a guest between two
hosts' entries (so both hosts must live in this process). Resize works across
processes too: the destination builds its guest from the instance it is
given. Every action is a few dict operations, so a boot costs microseconds
(unless --fake_spawn_delay is set). Capacity is reported, and enforced only
with --fake_enforce_capacity: placement is the scheduler's and claims' job.

Test hooks, all module functions:

- ``reset()``: forget every host.
- ``set_failure(host, method, exc, times=None)``: the next ``times`` calls (all
  calls when None) of ``FakeDriver(host).<method>`` raise ``exc`` (an exception
  instance or class) before doing anything; ``clear_failures(host=None)``.
- ``set_capacity(host, vcpus=None, memory_mb=None, disk_gb=None)``: override
  the --fake_* capacity options for one host.
- ``set_power_state(host, instance_uuid, state)``: the guest changes state on
  its own (shuts itself down, crashes), for power-state sync tests.
"""
import json
import logging
import threading
import time

import nova.conf
from nova import exception
from nova.compute import power_state
from nova.compute.power_state import PAUSED, RUNNING, SHUTDOWN, SUSPENDED
from nova.i18n import _LE, _LW
from nova.virt import configdrive, driver, fake_console, fake_guest, fake_netns, iscsi
from nova.virt.fake_guest import FakeGuest

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

HYPERVISOR_TYPE = 'fake'
HYPERVISOR_VERSION = 1000

_LOCK = threading.Lock()  # compound updates (check then insert, moves between hosts)


class _Host:
    __slots__ = ('guests', 'resize_sources', 'failures', 'capacity', 'started_at',
                 'maintenance', 'powered_on', 'migrating')

    def __init__(self):
        self.guests = {}  # uuid -> FakeGuest running (or stopped) here
        # uuid -> FakeGuest whose disks migrate_disk_and_power_off kept until
        # confirm or revert; it still uses this host's resources
        self.resize_sources = {}
        self.failures = {}  # method -> [exception, calls left or None]
        self.capacity = {}  # set_capacity overrides
        self.started_at = time.time()
        self.maintenance = False  # host_maintenance_mode
        self.powered_on = True  # host_power_action
        # uuid -> 'copying', 'abort' or 'complete': live migrations leaving this host
        self.migrating = {}


_HOSTS = {}


def _host(name):
    state = _HOSTS.get(name)
    if state is None:
        state = _HOSTS.setdefault(name, _Host())
    return state


def reset():
    """Forget every host's guests, failures and capacity overrides."""
    with _LOCK:
        _HOSTS.clear()
    fake_console.close_all()


def set_failure(host, method, exc, times=None):
    """Make ``FakeDriver(host).<method>`` raise ``exc``, ``times`` times or until cleared."""
    if method not in FAILABLE:
        raise ValueError('FakeDriver has no method %r to fail' % method)
    if not (isinstance(exc, BaseException)
            or isinstance(exc, type) and issubclass(exc, BaseException)):
        raise TypeError('exc must be an exception instance or class, not %r' % (exc,))
    if times is not None and times < 1:
        raise ValueError('times must be at least 1 (or None for every call)')
    _host(host).failures[method] = [exc, times]


def clear_failures(host=None):
    for state in ([_host(host)] if host else _HOSTS.values()):
        state.failures.clear()


def set_capacity(host, vcpus=None, memory_mb=None, disk_gb=None):
    """Give one host a capacity other than --fake_vcpus/--fake_memory_mb/--fake_disk_gb."""
    overrides = {'vcpus': vcpus, 'memory_mb': memory_mb, 'disk_gb': disk_gb}
    _host(host).capacity.update((k, v) for k, v in overrides.items() if v is not None)


def set_power_state(host, instance_uuid, state):
    """The guest changed state by itself (shut down from inside, crashed)."""
    if state not in power_state.STATE_MAP:
        raise ValueError('unknown power state %r' % (state,))
    guest = _host(host).guests.get(instance_uuid)
    if guest is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    if state == SHUTDOWN and guest.power_state != SHUTDOWN:
        guest.log('shutdown')
    guest.power_state = state


def _capacity(state):
    return {'vcpus': state.capacity.get('vcpus') or CONF.fake_vcpus,
            'memory_mb': state.capacity.get('memory_mb') or CONF.fake_memory_mb,
            'disk_gb': state.capacity.get('disk_gb') or CONF.fake_disk_gb}


def _usage(state):
    """(vcpus, memory_mb, disk_gb) used by the guests and kept resize sources."""
    vcpus = memory_mb = disk_gb = 0
    for guests in (state.guests, state.resize_sources):
        for guest in guests.values():
            vcpus += guest.vcpus
            memory_mb += guest.memory_mb
            disk_gb += guest.disk_gb
    return vcpus, memory_mb, disk_gb


def _check_room(host, guest, disk=True):
    """Raise unless ``host`` has the memory (and disk) for ``guest``; vCPUs may overcommit."""
    state = _host(host)
    capacity = _capacity(state)
    _, memory_used, disk_used = _usage(state)
    wanted = [('memory_mb', guest.memory_mb, capacity['memory_mb'] - memory_used)]
    if disk:
        wanted.append(('local_gb', guest.disk_gb, capacity['disk_gb'] - disk_used))
    for resource, requested, free in wanted:
        if requested > free:
            raise exception.InsufficientHostResources(
                host=host, instance_uuid=guest.uuid, resource=resource,
                requested=requested, free=free)


def _check(guest, action):
    if guest.rescued != (action == 'unrescue'):
        raise exception.HypervisorStateConflict(
            action=action, instance_uuid=guest.uuid,
            state='rescued' if guest.rescued else 'not rescued')
    if guest.power_state not in driver.ALLOWED_POWER_STATES[action]:
        raise exception.HypervisorStateConflict(
            action=action, instance_uuid=guest.uuid,
            state=power_state.STATE_MAP[guest.power_state])


class FakeDriver(driver.ComputeDriver):
    """A complete in-memory hypervisor; every capability is supported."""

    capabilities = dict.fromkeys(driver.CAPABILITIES, True)

    def __init__(self, host):
        super().__init__(host)
        _host(host)

    @property
    def _state(self):
        return _host(self.host)

    def _maybe_fail(self, method):
        failures = self._state.failures
        entry = failures.get(method) if failures else None
        if entry is None:
            return
        exc, times = entry
        if times is not None:
            entry[1] -= 1
            if entry[1] == 0:
                failures.pop(method, None)
        raise exc

    def _guest(self, instance):
        guest = self._state.guests.get(instance.uuid)
        if guest is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return guest

    # --- host ---

    def init_host(self, host):
        self._maybe_fail('init_host')
        self.host = host
        _host(host)

    def get_available_nodes(self):
        self._maybe_fail('get_available_nodes')
        return [self.host]

    def get_available_resource(self, nodename):
        self._maybe_fail('get_available_resource')
        if nodename != self.host:
            raise exception.ComputeHostNotFound(host=nodename)
        state = self._state
        capacity = _capacity(state)
        vcpus_used, memory_used, disk_used = _usage(state)
        cpu_info = {'arch': 'x86_64', 'model': 'fake', 'vendor': 'fake', 'features': [],
                    'topology': {'sockets': 1, 'cores': capacity['vcpus'], 'threads': 1}}
        return {
            'vcpus': capacity['vcpus'],
            'memory_mb': capacity['memory_mb'],
            'local_gb': capacity['disk_gb'],
            'vcpus_used': vcpus_used,
            'memory_mb_used': memory_used,
            'local_gb_used': disk_used,
            'hypervisor_type': HYPERVISOR_TYPE,
            'hypervisor_version': HYPERVISOR_VERSION,
            'hypervisor_hostname': nodename,
            'cpu_info': json.dumps(cpu_info, sort_keys=True),
            'disk_available_least': capacity['disk_gb'] - disk_used,
            'running_vms': len(state.guests),
        }

    def get_host_uptime(self):
        self._maybe_fail('get_host_uptime')
        days, rest = divmod(int(time.time() - self._state.started_at), 86400)
        hours, minutes = rest // 3600, rest % 3600 // 60
        return ' %s up %d days, %2d:%02d,  0 users,  load average: 0.00, 0.00, 0.00' % (
            time.strftime('%H:%M:%S'), days, hours, minutes)

    def host_maintenance_mode(self, host, mode):
        self._maybe_fail('host_maintenance_mode')
        self._state.maintenance = bool(mode)
        return 'on_maintenance' if mode else 'off_maintenance'

    def host_power_action(self, action):
        """shutdown and reboot power every guest off, as the host going down would
        (the power state sync then finds them stopped); startup powers the host on."""
        self._maybe_fail('host_power_action')
        if action not in ('startup', 'shutdown', 'reboot'):
            raise exception.InvalidInput(reason='unknown host power action %r' % (action,))
        state = self._state
        if action in ('shutdown', 'reboot'):
            with _LOCK:
                for guest in state.guests.values():
                    if guest.power_state != SHUTDOWN:
                        guest.log('shutdown')
                    guest.power_state = SHUTDOWN
        if action == 'reboot':
            state.started_at = time.time()
        state.powered_on = action != 'shutdown'
        return action

    # --- lifecycle ---

    def spawn(self, context, instance, image_meta, injected_files=None, admin_password=None,
              network_info=None, block_device_info=None, config_drive=None):
        self._maybe_fail('spawn')
        delay = CONF.fake_spawn_delay
        if delay:
            time.sleep(delay)
        for bdm in (block_device_info or {}).get('block_device_mapping') or ():
            _check_volume(bdm['connection_info'])
        guest = FakeGuest(instance, network_info, block_device_info)
        guest.admin_password = admin_password  # as a config drive's meta_data.json gives it
        # the image a real driver attaches, built the same way (readable with pycdlib)
        guest.config_drive = configdrive.make_iso(config_drive) if config_drive else None
        with _LOCK:
            state = self._state
            if guest.uuid in state.guests:
                raise exception.InstanceExists(name=instance.name)
            if CONF.fake_enforce_capacity:
                _check_room(self.host, guest)
            state.guests[guest.uuid] = guest
        if CONF.fake_guest_netns:
            try:
                fake_netns.plug(instance, network_info)
            except Exception:
                self.destroy(context, instance)
                raise
        guest.boot()

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        """Remove the guest; a guest that is not here is a no-op, as in Nova."""
        self._maybe_fail('destroy')
        with _LOCK:
            self._state.guests.pop(instance.uuid, None)
        fake_console.close_console(self.host, instance.uuid)
        if CONF.fake_guest_netns:
            fake_netns.unplug(instance.uuid)

    def reboot(self, context, instance, network_info, reboot_type):
        self._maybe_fail('reboot')
        if reboot_type not in driver.REBOOT_TYPES:
            raise exception.InvalidInput(
                reason='reboot_type must be SOFT or HARD, not %r' % (reboot_type,))
        guest = self._guest(instance)
        soft = reboot_type == driver.REBOOT_SOFT
        _check(guest, 'soft reboot' if soft else 'hard reboot')
        if soft:
            guest.log('reboot')
        guest.boot()

    def power_off(self, instance, timeout=0, retry_interval=0):
        """Stop the guest; stopping a stopped guest is a no-op."""
        self._maybe_fail('power_off')
        guest = self._guest(instance)
        _check(guest, 'power off')
        if guest.power_state != SHUTDOWN:
            guest.log('shutdown')
            guest.power_state = SHUTDOWN

    def power_on(self, context, instance, network_info=None):
        """Start the guest; starting a running guest is a no-op."""
        self._maybe_fail('power_on')
        guest = self._guest(instance)
        _check(guest, 'power on')
        if guest.power_state != RUNNING:
            guest.boot()

    def pause(self, instance):
        self._maybe_fail('pause')
        guest = self._guest(instance)
        _check(guest, 'pause')
        guest.power_state = PAUSED

    def unpause(self, instance):
        self._maybe_fail('unpause')
        guest = self._guest(instance)
        _check(guest, 'unpause')
        guest.power_state = RUNNING

    def suspend(self, context, instance):
        self._maybe_fail('suspend')
        guest = self._guest(instance)
        _check(guest, 'suspend')
        guest.power_state = SUSPENDED

    def resume(self, context, instance, network_info=None):
        self._maybe_fail('resume')
        guest = self._guest(instance)
        _check(guest, 'resume')
        guest.log('resume')
        guest.power_state = RUNNING

    def rescue(self, context, instance, network_info, image_meta, rescue_password):
        self._maybe_fail('rescue')
        guest = self._guest(instance)
        _check(guest, 'rescue')
        if guest.power_state == RUNNING:
            guest.log('reboot')
        guest.rescued = True
        guest.boot(rescue_image=(image_meta or {}).get('id') or guest.image_ref or 'rescue')

    def unrescue(self, context, instance):
        self._maybe_fail('unrescue')
        guest = self._guest(instance)
        _check(guest, 'unrescue')
        guest.rescued = False
        guest.log('reboot')
        guest.boot()

    def snapshot(self, context, instance, image_id, upload):
        self._maybe_fail('snapshot')
        guest = self._guest(instance)
        _check(guest, 'snapshot')
        if CONF.fake_snapshot_delay:
            time.sleep(CONF.fake_snapshot_delay)
        upload(fake_guest.disk_image(guest, image_id), 'raw')

    # --- resize / cold migration ---

    def migrate_disk_and_power_off(self, context, instance, dest, flavor, network_info):
        """Stop the guest and keep it (and its resources) here until confirm or revert."""
        self._maybe_fail('migrate_disk_and_power_off')
        with _LOCK:
            state = self._state
            guest = self._guest(instance)
            _check(guest, 'resize')
            if guest.uuid in state.resize_sources:
                raise exception.HypervisorStateConflict(
                    action='resize', instance_uuid=guest.uuid, state='being resized')
            state.resize_sources[guest.uuid] = state.guests.pop(guest.uuid)
        if guest.power_state != SHUTDOWN:
            guest.log('shutdown')
            guest.power_state = SHUTDOWN
        return json.dumps({'source_host': self.host, 'dest_host': dest,
                           'instance_uuid': guest.uuid,
                           'disks': [{'path': 'vda', 'type': 'raw', 'size_gb': guest.root_gb}]})

    def finish_migration(self, context, migration, instance, disk_info, network_info,
                         image_meta, resize_instance, power_on=True):
        """Create the guest here with the instance's (new) flavor."""
        self._maybe_fail('finish_migration')
        guest = FakeGuest(instance, network_info)
        with _LOCK:
            source = _HOSTS.get(json.loads(disk_info)['source_host'])
            original = source.resize_sources.get(guest.uuid) if source else None
            if original is not None:  # same process: the guest keeps its devices and log
                guest.volumes = dict(original.volumes)
                guest.events = list(original.events)
                guest.created_at = original.created_at
                if not network_info:
                    guest.vifs = dict(original.vifs)
            state = self._state
            if guest.uuid in state.guests:
                raise exception.InstanceExists(name=instance.name)
            if CONF.fake_enforce_capacity:
                _check_room(self.host, guest)
            state.guests[guest.uuid] = guest
        if power_on:
            guest.boot()

    def confirm_migration(self, context, migration, instance, network_info):
        """Free the kept source guest; nothing kept (already confirmed) is a no-op."""
        self._maybe_fail('confirm_migration')
        with _LOCK:
            self._state.resize_sources.pop(instance.uuid, None)

    def finish_revert_migration(self, context, instance, network_info, migration,
                                power_on=True):
        """Bring back the kept source guest; the destination must have destroyed its copy."""
        self._maybe_fail('finish_revert_migration')
        with _LOCK:
            state = self._state
            guest = state.resize_sources.get(instance.uuid)
            if guest is None:
                if instance.uuid in state.guests:
                    return  # already reverted
                raise exception.InstanceNotFound(instance_id=instance.uuid)
            if instance.uuid in state.guests:
                raise exception.InstanceExists(name=instance.name)
            state.guests[instance.uuid] = state.resize_sources.pop(instance.uuid)
        if power_on:
            guest.boot()

    # --- live migration (between hosts of this process) ---

    def check_can_live_migrate_destination(self, context, instance, block_migration=False,
                                           disk_over_commit=False):
        """Raise unless this host has the memory (and, for block migration, disk)."""
        self._maybe_fail('check_can_live_migrate_destination')
        if instance.uuid in self._state.guests:
            raise exception.InstanceExists(name=instance.name)
        _check_room(self.host, FakeGuest(instance),
                    disk=block_migration and not disk_over_commit)
        return {'dest_host': self.host, 'block_migration': block_migration}

    def check_can_live_migrate_source(self, context, instance, dest_check_data):
        self._maybe_fail('check_can_live_migrate_source')
        _check(self._guest(instance), 'live migrate')
        return dict(dest_check_data, source_host=self.host)

    def pre_live_migration(self, context, instance, network_info, migrate_data):
        """In-memory guests need nothing on the destination (a test may make this
        step fail, as a destination that cannot plug a bridge would)."""
        self._maybe_fail('pre_live_migration')
        return migrate_data

    def live_migration(self, context, instance, dest, post_method, recover_method,
                       block_migration=False, migrate_data=None):
        """Move the guest into ``dest``'s state; ``dest`` must be a host of this process.

        The copy takes --fake_live_migration_delay seconds, during which
        live_migration_force_complete ends it at once and live_migration_abort
        leaves the guest here (LiveMigrationAborted).
        """
        try:
            self._maybe_fail('live_migration')
            if dest == self.host:
                raise exception.InvalidInput(reason='instance %s is already on host %s'
                                             % (instance.uuid, dest))
            target = _HOSTS.get(dest)
            if target is None:
                raise exception.ComputeHostNotFound(host=dest)
            _check(self._guest(instance), 'live migrate')
            self._copy_memory(instance)
            with _LOCK:
                guest = self._guest(instance)
                _check(guest, 'live migrate')
                if guest.uuid in target.guests:
                    raise exception.InstanceExists(name=instance.name)
                if CONF.fake_enforce_capacity:
                    _check_room(dest, guest, disk=block_migration)
                target.guests[guest.uuid] = self._state.guests.pop(guest.uuid)
        except Exception:
            recover_method(context, instance, dest)
            raise
        post_method(context, instance, dest)

    def _copy_memory(self, instance):
        """Wait out the copy, unless forced to complete or aborted meanwhile."""
        migrating = self._state.migrating
        migrating[instance.uuid] = 'copying'
        try:
            deadline = time.monotonic() + CONF.fake_live_migration_delay
            while migrating[instance.uuid] == 'copying' and time.monotonic() < deadline:
                time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
            if migrating[instance.uuid] == 'abort':
                raise exception.LiveMigrationAborted(instance_uuid=instance.uuid)
        finally:
            migrating.pop(instance.uuid, None)

    def _steer(self, instance, how):
        if self._state.migrating.get(instance.uuid) != 'copying':
            raise exception.InstanceInvalidState(
                attr='task_state', instance_uuid=instance.uuid, state='not migrating',
                method='live migration %s' % how)
        self._state.migrating[instance.uuid] = how

    def live_migration_abort(self, instance):
        self._maybe_fail('live_migration_abort')
        self._steer(instance, 'abort')

    def live_migration_force_complete(self, instance):
        self._maybe_fail('live_migration_force_complete')
        self._steer(instance, 'complete')

    def trigger_crash_dump(self, instance):
        """The guest's kernel gets an NMI: it logs the panic, dumps and reboots."""
        self._maybe_fail('trigger_crash_dump')
        guest = self._guest(instance)
        if guest.power_state != RUNNING:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        guest.log('crash dump')

    # --- inspection ---

    def get_info(self, instance):
        self._maybe_fail('get_info')
        guest = self._guest(instance)
        kb = guest.memory_mb * 1024
        return driver.InstanceInfo(state=guest.power_state, max_mem_kb=kb, mem_kb=kb,
                                   num_cpu=guest.vcpus, cpu_time_ns=guest.cpu_time_ns(),
                                   id=guest.name)

    def list_instances(self):
        self._maybe_fail('list_instances')
        return [guest.name for guest in self._state.guests.values()]

    def list_instance_uuids(self):
        self._maybe_fail('list_instance_uuids')
        return list(self._state.guests)

    def instance_exists(self, instance):
        self._maybe_fail('instance_exists')
        return instance.uuid in self._state.guests

    def get_instance_stats(self, instances):
        """Counters from each guest's load profile: --fake_load_profile, overridden
        key by key by the instance's metadata item fake_load (read at every call, so
        a changed profile applies from the next sample on)."""
        self._maybe_fail('get_instance_stats')
        default = _default_load()
        now = time.time()
        result = {}
        with _LOCK:
            for instance in instances:
                guest = self._state.guests.get(instance.uuid)
                if guest is None:
                    continue
                fake_guest.advance_load(guest, _instance_load(instance, default), now)
                result[instance.uuid] = fake_guest.stats(guest)
        return result

    def get_console_output(self, context, instance):
        self._maybe_fail('get_console_output')
        return fake_guest.console_output(self._guest(instance))

    def get_diagnostics(self, instance):
        self._maybe_fail('get_diagnostics')
        return fake_guest.diagnostics(self._guest(instance))

    def set_admin_password(self, instance, new_pass):
        """The guest agent sets the password: running guests only, as agents run there."""
        self._maybe_fail('set_admin_password')
        guest = self._guest(instance)
        if guest.power_state != RUNNING:
            raise exception.InstancePasswordSetFailed(
                instance=instance.uuid, reason='the guest agent is not running')
        guest.admin_password = new_pass
        guest.log('password')

    def inject_network_info(self, instance, network_info):
        self._maybe_fail('inject_network_info')
        guest = self._guest(instance)
        guest.vifs = {vif['id']: vif for vif in network_info or ()}
        guest.log('network', 'injected')

    def reset_network(self, instance):
        self._maybe_fail('reset_network')
        self._guest(instance).log('network', 'reset')

    def get_serial_console(self, context, instance):
        self._maybe_fail('get_serial_console')
        address, port = fake_console.open_console(
            self.host, self._guest(instance), CONF.serial_console_proxyclient_address)
        return {'host': address, 'port': port}

    # --- devices ---

    def get_volume_connector(self, instance):
        self._maybe_fail('get_volume_connector')
        return {'host': self.host, 'ip': CONF.my_ip,
                'initiator': 'iqn.2010-10.org.openstack:%s' % self.host}

    def attach_volume(self, context, connection_info, instance, mountpoint):
        self._maybe_fail('attach_volume')
        guest = self._guest(instance)
        _check_volume(connection_info)
        with _LOCK:
            if mountpoint in guest.volumes:
                raise exception.DeviceInUse(device=mountpoint, instance_uuid=guest.uuid)
            guest.volumes[mountpoint] = connection_info

    def detach_volume(self, context, connection_info, instance, mountpoint):
        self._maybe_fail('detach_volume')
        guest = self._guest(instance)
        if guest.volumes.pop(mountpoint, None) is None:
            raise exception.DeviceNotAttached(device=mountpoint, instance_uuid=guest.uuid)

    def swap_volume(self, context, old_connection_info, new_connection_info, instance,
                    mountpoint, resize_to):
        """The guest's disk at mountpoint is the new volume (checked reachable as an
        attach is; the fake guest has no data to copy)."""
        self._maybe_fail('swap_volume')
        guest = self._guest(instance)
        _check(guest, 'swap volume')
        _check_volume(new_connection_info)
        with _LOCK:
            if mountpoint not in guest.volumes:
                raise exception.DeviceNotAttached(device=mountpoint, instance_uuid=guest.uuid)
            guest.volumes[mountpoint] = new_connection_info

    def attach_interface(self, context, instance, image_meta, vif):
        self._maybe_fail('attach_interface')
        guest = self._guest(instance)
        with _LOCK:
            if vif['id'] in guest.vifs:
                raise exception.DeviceInUse(device=vif['id'], instance_uuid=guest.uuid)
            guest.vifs[vif['id']] = vif

    def detach_interface(self, context, instance, vif):
        self._maybe_fail('detach_interface')
        guest = self._guest(instance)
        if guest.vifs.pop(vif['id'], None) is None:
            raise exception.DeviceNotAttached(device=vif['id'], instance_uuid=guest.uuid)


def _default_load():
    try:
        return fake_guest.parse_load(CONF.fake_load_profile)
    except ValueError as e:
        LOG.error(_LE('--fake_load_profile ignored: %s'), e)
        return {}


def _instance_load(instance, default):
    metadata = getattr(instance, 'metadata_dict', None)
    if metadata is None and isinstance(instance, dict):
        metadata = instance.get('metadata')
    text = (metadata or {}).get(fake_guest.LOAD_METADATA_KEY)
    if not text:
        return default
    try:
        return {**default, **fake_guest.parse_load(text)}
    except ValueError as e:
        LOG.warning(_LW('Metadata %s of instance %s ignored: %s'), fake_guest.LOAD_METADATA_KEY,
                    instance.uuid, e)
        return default


def _check_volume(connection_info):
    """With --fake_volume_check, read the volume through its target (as a real
    hypervisor would open it): an unreachable target fails the attach."""
    if CONF.fake_volume_check:
        iscsi.virtual_size(connection_info)


# what set_failure accepts: every public method (each one calls _maybe_fail first)
FAILABLE = frozenset(name for name, value in vars(FakeDriver).items()
                     if callable(value) and not name.startswith('_'))
