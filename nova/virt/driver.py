"""The hypervisor driver interface that nova-compute drives.

A driver runs instances on one host. It never imports managers, the DB or the
image service: the compute manager passes instance rows (anything with uuid,
name, host, node, vcpus, memory_mb, root_gb, ephemeral_gb, image_ref, hostname,
display_name) and callbacks for what must go back up (image upload, the end of
a live migration).

Capability flags say which optional actions a driver can do, so that the API
refuses the others with a 409 (``NotSupportedByDriver``) before anything is
cast to a host. The same flags guard the driver methods themselves: a driver
whose flag is False raises ``NotSupportedByDriver`` for the gated methods even
if it inherits an implementation.
"""
import abc
import dataclasses
import functools
import importlib.util

import nova.conf
from nova import exception, utils
from nova.compute.power_state import CRASHED, PAUSED, RUNNING, SHUTDOWN, SUSPENDED

CONF = nova.conf.CONF

# capability -> the driver methods it gates
CAPABILITIES = {
    'supports_pause': ('pause', 'unpause'),
    'supports_suspend': ('suspend', 'resume'),
    'supports_rescue': ('rescue', 'unrescue'),
    'supports_snapshot': ('snapshot',),
    'supports_resize': ('migrate_disk_and_power_off', 'finish_migration',
                        'confirm_migration', 'finish_revert_migration'),
    'supports_live_migration': ('check_can_live_migrate_destination',
                                'check_can_live_migrate_source', 'live_migration'),
    # steering a live migration in progress (2.22 force complete, 2.24 abort)
    'supports_live_migration_control': ('live_migration_abort',
                                        'live_migration_force_complete'),
    'supports_trigger_crash_dump': ('trigger_crash_dump',),
    'supports_attach_volume': ('get_volume_connector', 'attach_volume', 'detach_volume'),
    # an attached volume replaced by another under the running guest, at the same device
    'supports_swap_volume': ('swap_volume',),
    # a volume attached to several guests at once (Cinder's multiattach; the guest sees
    # a shareable disk)
    'supports_multiattach': (),
    'supports_attach_interface': ('attach_interface', 'detach_interface'),
    'supports_console_output': ('get_console_output',),
    'supports_diagnostics': ('get_diagnostics',),
    # shelve is snapshot + destroy done by the manager: no method of its own
    'supports_shelve': (),
    # spawn's config_drive: the driver attaches the files as an ISO9660 'config-2' disk
    'supports_config_drive': (),
}

# the power states each action starts from, for every driver (a rescued guest
# only accepts unrescue); anything else is HypervisorStateConflict
ALLOWED_POWER_STATES = {
    'soft reboot': {RUNNING},
    'hard reboot': {RUNNING, SHUTDOWN, PAUSED, SUSPENDED, CRASHED},
    'power off': {RUNNING, PAUSED, SUSPENDED, CRASHED, SHUTDOWN},
    'power on': {RUNNING, SHUTDOWN, CRASHED},
    'pause': {RUNNING},
    'unpause': {PAUSED},
    'suspend': {RUNNING},
    'resume': {SUSPENDED},
    'rescue': {RUNNING, SHUTDOWN},
    'unrescue': {RUNNING},
    'snapshot': {RUNNING, SHUTDOWN, PAUSED, SUSPENDED},
    'resize': {RUNNING, SHUTDOWN},
    'live migrate': {RUNNING, PAUSED},
    'swap volume': {RUNNING, PAUSED},  # a live block copy needs the guest's QEMU
}

REBOOT_SOFT = 'SOFT'
REBOOT_HARD = 'HARD'
REBOOT_TYPES = (REBOOT_SOFT, REBOOT_HARD)


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceInfo:
    """What get_info reports about one guest; ``state`` is a power_state value."""

    state: int
    max_mem_kb: int = 0
    mem_kb: int = 0
    num_cpu: int = 0
    cpu_time_ns: int = 0
    id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class VifStats:
    """Cumulative traffic of one virtual interface since its guest started."""

    id: str
    rx_bytes: int = 0
    rx_packets: int = 0
    tx_bytes: int = 0
    tx_packets: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceStats:
    """Cumulative counters of one guest, as get_instance_stats reports them.

    Counters only grow while the guest runs; a guest that restarts (a reboot on
    a real hypervisor) may start them again from zero, which samplers treat as
    one unknown interval. ``vcpus`` is what ``cpu_time_ns`` is shared by.
    """

    read_at: float = 0.0  # wall-clock time the counters were read (epoch seconds)
    cpu_time_ns: int = 0
    vcpus: int = 1
    disk_read_bytes: int = 0
    disk_read_requests: int = 0
    disk_write_bytes: int = 0
    disk_write_requests: int = 0
    vifs: tuple = ()  # of VifStats

    def to_dict(self):
        """Plain values for an RPC reply (vifs as dicts)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        values = dict(values)
        values['vifs'] = tuple(VifStats(**vif) for vif in values.get('vifs') or ())
        return cls(**values)


def _check_declaration(cls):
    """A driver that declares its capabilities names every one, True or False (so a
    capability added to the table is decided by each driver, never granted by a
    default), and implements the methods of each it claims (so the API never
    accepts an action the driver would refuse with the base class's 409)."""
    missing = set(CAPABILITIES) - set(cls.capabilities)
    if missing:
        raise TypeError('%s does not say whether it has capabilities %s'
                        % (cls.__name__, sorted(missing)))
    for capability, methods in CAPABILITIES.items():
        if not cls.capabilities[capability]:
            continue
        inherited = [name for name in methods
                     if next(k for k in cls.__mro__ if name in k.__dict__) is ComputeDriver]
        if inherited:
            raise TypeError('%s claims %s but does not implement %s'
                            % (cls.__name__, capability, ', '.join(inherited)))


def _gated(func, capability):
    @functools.wraps(func)
    def gated(self, *args, **kwargs):
        type(self).require(capability, func.__name__)
        return func(self, *args, **kwargs)
    return gated


class ComputeDriver(abc.ABC):
    """One hypervisor host. Optional actions raise NotSupportedByDriver here."""

    # class-level: the API reads them from the class without instantiating it
    capabilities = dict.fromkeys(CAPABILITIES, False)
    # How spawn gets an image's data (image_meta from nova.compute.host.base_images):
    # 'file' -- image_meta['local_path'] is this host's verified copy in its base image
    # cache; 'stream' -- the driver caches images in its hypervisor's own storage and
    # calls image_meta['open_image'](image_id) -> (image, verified chunks) on a miss.
    image_data = 'file'

    def __init__(self, host):
        self.host = host

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        unknown = set(cls.capabilities) - set(CAPABILITIES)
        if unknown:
            raise TypeError('%s declares unknown capabilities %s' % (cls.__name__, sorted(unknown)))
        if 'capabilities' in cls.__dict__:
            _check_declaration(cls)
        for capability, methods in CAPABILITIES.items():
            for name in methods:
                if name in cls.__dict__:
                    setattr(cls, name, _gated(cls.__dict__[name], capability))

    @classmethod
    def require(cls, capability, action):
        """Raise NotSupportedByDriver unless this driver has ``capability``."""
        if capability not in CAPABILITIES:
            raise ValueError('unknown driver capability %r' % capability)
        if not cls.capabilities.get(capability):
            raise exception.NotSupportedByDriver(action=action, driver=cls.__name__)

    def _unsupported(self, action):
        raise exception.NotSupportedByDriver(action=action, driver=type(self).__name__)

    # --- host ---

    @abc.abstractmethod
    def init_host(self, host):
        """Prepare the hypervisor when nova-compute starts on ``host``."""

    @abc.abstractmethod
    def get_available_nodes(self):
        """[nodename]: the compute nodes this driver reports resources for."""

    @abc.abstractmethod
    def get_available_resource(self, nodename):
        """Capacity and usage of one node, as the compute_nodes table stores it.

        Keys: vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used,
        local_gb_used, hypervisor_type, hypervisor_version, hypervisor_hostname,
        cpu_info (JSON string), disk_available_least, running_vms.
        """

    def get_host_uptime(self):
        """The host's `uptime` line."""
        self._unsupported('get_host_uptime')

    def host_maintenance_mode(self, host, mode):
        """Enter (mode True) or leave maintenance; 'on_maintenance' or 'off_maintenance'."""
        self._unsupported('host_maintenance_mode')

    def host_power_action(self, action):
        """startup, shutdown or reboot the hypervisor host; returns the action."""
        self._unsupported('host_power_action')

    # --- instance lifecycle ---

    @abc.abstractmethod
    def spawn(self, context, instance, image_meta, injected_files=None, admin_password=None,
              network_info=None, block_device_info=None, config_drive=None):
        """Create and boot the guest; it is RUNNING when this returns. config_drive:
        the files of its config drive ({path: bytes}, nova.metadata.drive), given only
        to a driver with supports_config_drive, None when the guest has none."""

    @abc.abstractmethod
    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        """Remove the guest and free its resources; a missing guest is a no-op."""

    @abc.abstractmethod
    def reboot(self, context, instance, network_info, reboot_type):
        """Reboot (reboot_type 'SOFT' or 'HARD'); the guest ends RUNNING."""

    @abc.abstractmethod
    def power_off(self, instance, timeout=0, retry_interval=0):
        """Stop the guest (SHUTDOWN), waiting up to ``timeout`` s for a clean stop."""

    @abc.abstractmethod
    def power_on(self, context, instance, network_info=None):
        """Start a stopped guest (RUNNING)."""

    def pause(self, instance):
        self._unsupported('pause')

    def unpause(self, instance):
        self._unsupported('unpause')

    def suspend(self, context, instance):
        self._unsupported('suspend')

    def resume(self, context, instance, network_info=None):
        self._unsupported('resume')

    def rescue(self, context, instance, network_info, image_meta, rescue_password):
        """Boot the guest from a rescue image with its own disk attached."""
        self._unsupported('rescue')

    def unrescue(self, context, instance):
        self._unsupported('unrescue')

    def snapshot(self, context, instance, image_id, upload):
        """Capture the root disk: calls ``upload(chunks_iterable, disk_format)``."""
        self._unsupported('snapshot')

    # --- resize / cold migration ---

    def migrate_disk_and_power_off(self, context, instance, dest, flavor, network_info):
        """On the source: stop the guest, keep its disks; return disk_info (str)."""
        self._unsupported('migrate_disk_and_power_off')

    def finish_migration(self, context, migration, instance, disk_info, network_info,
                         image_meta, resize_instance, power_on=True):
        """On the destination: create the guest with the instance's (new) flavor."""
        self._unsupported('finish_migration')

    def confirm_migration(self, context, migration, instance, network_info):
        """On the source: drop what migrate_disk_and_power_off kept."""
        self._unsupported('confirm_migration')

    def finish_revert_migration(self, context, instance, network_info, migration,
                                power_on=True):
        """On the source, after the destination destroyed its copy: restore the guest."""
        self._unsupported('finish_revert_migration')

    # --- live migration ---

    def check_can_live_migrate_destination(self, context, instance, block_migration=False,
                                           disk_over_commit=False):
        """On the destination: raise if the guest cannot come here; return migrate_data."""
        self._unsupported('check_can_live_migrate_destination')

    def check_can_live_migrate_source(self, context, instance, dest_check_data):
        """On the source: raise if the guest cannot leave; return migrate_data."""
        self._unsupported('check_can_live_migrate_source')

    def pre_live_migration(self, context, instance, network_info, migrate_data):
        """On the destination, before live_migration starts on the source: make what the
        guest's devices need on this host (its VIFs' bridges), since the hypervisor
        starts the incoming guest with them attached. Returns migrate_data (with
        anything the source needs added). A driver whose guests need nothing on the
        host keeps this default."""
        return migrate_data

    def live_migration(self, context, instance, dest, post_method, recover_method,
                       block_migration=False, migrate_data=None):
        """Move a running guest to ``dest``.

        On success calls ``post_method(context, instance, dest)``; on failure
        calls ``recover_method(context, instance, dest)`` and then re-raises.
        """
        self._unsupported('live_migration')

    def live_migration_abort(self, instance):
        """On the source, during live_migration: stop moving the guest; live_migration
        then calls its recover_method and raises LiveMigrationAborted."""
        self._unsupported('live_migration_abort')

    def live_migration_force_complete(self, instance):
        """On the source, during live_migration: finish now (pausing the guest for the
        last copy, as a hypervisor does when memory changes faster than it copies)."""
        self._unsupported('live_migration_force_complete')

    def trigger_crash_dump(self, instance):
        """Inject an NMI into the running guest, whose kernel then dumps and restarts."""
        self._unsupported('trigger_crash_dump')

    # --- inspection ---

    @abc.abstractmethod
    def get_info(self, instance):
        """InstanceInfo for the guest; InstanceNotFound if it is not here."""

    @abc.abstractmethod
    def list_instances(self):
        """Names of the guests on this host."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """UUIDs of the guests on this host."""

    def instance_exists(self, instance):
        return instance.uuid in self.list_instance_uuids()

    def get_instance_stats(self, instances):
        """{uuid: InstanceStats} of the given guests that are on this host, read in as
        few hypervisor calls as the driver can (one for the whole batch where it
        allows): what the instance monitor samples every step. Guests not here are
        left out, never an error."""
        self._unsupported('get_instance_stats')

    def remove_unused_images(self, in_use_image_ids):
        """Remove the images this driver caches in its hypervisor's own storage
        (image_data 'stream') that no instance here uses and that were last used
        --remove_unused_base_images_age ago; their ids. A driver of the host's
        file cache ('file') has none: the compute manager prunes that cache."""
        return []

    def get_console_output(self, context, instance):
        """The guest's serial console log (str)."""
        self._unsupported('get_console_output')

    def get_diagnostics(self, instance):
        """Flat dict of the guest's cpu, memory, disk and nic counters."""
        self._unsupported('get_diagnostics')

    def set_admin_password(self, instance, new_pass):
        """Set the guest's administrator password (through its agent)."""
        self._unsupported('set_admin_password')

    def inject_network_info(self, instance, network_info):
        """Push the network configuration into the running guest."""
        self._unsupported('inject_network_info')

    def reset_network(self, instance):
        """Have the guest reset its networking to what it was given."""
        self._unsupported('reset_network')

    def get_serial_console(self, context, instance):
        """Where the guest's serial console accepts TCP connections: {'host', 'port'}."""
        self._unsupported('get_serial_console')

    # --- devices ---

    def get_volume_connector(self, instance):
        """What the volume service needs to export a volume to this host."""
        self._unsupported('get_volume_connector')

    def attach_volume(self, context, connection_info, instance, mountpoint):
        self._unsupported('attach_volume')

    def detach_volume(self, context, connection_info, instance, mountpoint):
        self._unsupported('detach_volume')

    def swap_volume(self, context, old_connection_info, new_connection_info, instance,
                    mountpoint, resize_to):
        """Give the guest the new volume at mountpoint instead of the old one, with
        the old one's data (resize_to: the new volume's GiB, when larger)."""
        self._unsupported('swap_volume')

    def attach_interface(self, context, instance, image_meta, vif):
        self._unsupported('attach_interface')

    def detach_interface(self, context, instance, vif):
        self._unsupported('detach_interface')


def compute_driver_class(name=None):
    """The driver class named by ``name`` or --compute_driver, not instantiated.

    ``name`` is relative to nova.virt ('fake.FakeDriver') or a full import path.
    """
    name = name or CONF.compute_driver
    path = _import_path(name)
    try:
        cls = utils.import_class(path)
    except ImportError as e:
        raise exception.ComputeDriverNotFound(name=name, reason=str(e)) from e
    if not (isinstance(cls, type) and issubclass(cls, ComputeDriver)):
        raise exception.ComputeDriverNotFound(
            name=name, reason='%s is not a ComputeDriver' % path)
    return cls


def load_compute_driver(host, name=None):
    """The driver for ``host``, chosen by ``name`` or --compute_driver."""
    return compute_driver_class(name)(host)


def _import_path(name):
    module, dot, rest = name.partition('.')
    if not (module and dot and rest):
        raise exception.ComputeDriverNotFound(
            name=name, reason='expected module.Class relative to nova.virt, or a full '
                              'import path')
    # a module of nova.virt wins, so that its own import errors are reported as is
    if importlib.util.find_spec('nova.virt.' + module) is not None:
        return 'nova.virt.' + name
    return name
