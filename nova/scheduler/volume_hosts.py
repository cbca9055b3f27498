"""The scheduler's view of the nova-volume hosts, and what a volume placement asks for.

Each volume host reports its capacity (``update_volume_stats``, fanout, at
start, periodically and when a scheduler asks with
publish_service_capabilities); the service rows say which hosts are up and
enabled. Placing a volume claims its size on the chosen host at once, so the
next placement sees it before the host's next report does; a report drops
only the claims older than itself.
"""
import threading

from nova import utils
from nova.conf import CONF
from nova.scheduler.host_state import to_datetime


class VolumeRequest:
    """A volume of ``size`` GiB, in a zone, of a type (its extra_specs steer placement).

    Read by the same filters as instance requests where they apply
    (AvailabilityZoneFilter reads availability_zone)."""

    __slots__ = ('volume_id', 'size', 'availability_zone', 'extra_specs', 'ignore_hosts')

    def __init__(self, volume_id=None, size=0, availability_zone=None, extra_specs=None,
                 ignore_hosts=None):
        self.volume_id, self.size = volume_id, int(size)
        self.availability_zone = availability_zone
        self.extra_specs = dict(extra_specs or {})
        self.ignore_hosts = list(ignore_hosts or [])

    @classmethod
    def from_dict(cls, values):
        return cls(**{k: v for k, v in dict(values or {}).items() if k in cls.__slots__})

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__slots__}


class VolumeHostState:
    """One nova-volume host: its last capacity report plus the claims made since."""

    def __init__(self, host):
        self.host = self.nodename = host
        self.backend_name = ''
        self.total_capacity_gb = self.free_capacity_gb = self.provisioned_capacity_gb = 0.0
        self.thin_provisioning_support = False
        self.max_over_subscription_ratio = 1.0
        self.reserved_percentage = 0
        self.availability_zone = CONF.storage_availability_zone
        self.availability_zones = frozenset([self.availability_zone])
        self.updated = None
        self.service_ok = False
        self._claims = []  # (when, GiB) placed since the last report

    def __repr__(self):
        return '<VolumeHostState %s free %.1f/%.1f GiB, provisioned %.1f, %s>' % (
            self.host, self.free_capacity_gb, self.total_capacity_gb,
            self.provisioned_capacity_gb, 'ok' if self.service_ok else 'down')

    def update_from_report(self, stats):
        """Apply a report; False when it is older than the one we have."""
        at = to_datetime(stats.get('updated_at')) or utils.utcnow()
        if self.updated is not None and at < self.updated:
            return False
        self.updated = at
        self.backend_name = stats.get('volume_backend_name') or ''
        self.total_capacity_gb = float(stats.get('total_capacity_gb') or 0)
        self.free_capacity_gb = float(stats.get('free_capacity_gb') or 0)
        self.provisioned_capacity_gb = float(stats.get('provisioned_capacity_gb') or 0)
        self.thin_provisioning_support = bool(stats.get('thin_provisioning_support'))
        self.max_over_subscription_ratio = float(stats.get('max_over_subscription_ratio')
                                                 or 1.0)
        self.reserved_percentage = int(stats.get('reserved_percentage') or 0)
        zone = stats.get('availability_zone') or CONF.storage_availability_zone
        self.availability_zone, self.availability_zones = zone, frozenset([zone])
        self._claims = [(when, size) for when, size in self._claims if when > at]
        for _when, size in self._claims:
            self._take(size)
        return True

    def set_service(self, service):
        self.service_ok = bool(service) and service.get('is_up', False) and \
            not service.get('disabled') and not service.get('forced_down')

    def _take(self, size):
        self.provisioned_capacity_gb += size
        if not self.thin_provisioning_support:
            self.free_capacity_gb -= size

    def consume(self, size):
        """Claim size GiB for a volume placed here."""
        self._claims.append((utils.utcnow(), size))
        self._take(size)

    @property
    def reserved_gb(self):
        return self.total_capacity_gb * self.reserved_percentage / 100.0

    @property
    def usable_gb(self):
        """GiB a new volume may still take here (thin: under the over-subscription ratio)."""
        free = self.free_capacity_gb - self.reserved_gb
        if not self.thin_provisioning_support:
            return free
        room = self.total_capacity_gb * self.max_over_subscription_ratio - \
            self.provisioned_capacity_gb
        return room if free > 0 else 0.0


class VolumeHostManager:
    """VolumeHostStates by host, fed by capacity reports and service rows."""

    def __init__(self):
        self.lock = threading.RLock()
        self._states = {}
        self._services = {}

    def sync_services(self, services):
        """The volume service rows (with is_up computed), e.g. at each periodic refresh."""
        with self.lock:
            self._services = {s['host']: s for s in services}
            for host, state in self._states.items():
                state.set_service(self._services.get(host))

    def update_service(self, service):
        with self.lock:
            self._services[service['host']] = service
            if service['host'] in self._states:
                self._states[service['host']].set_service(service)

    def service_seen_up(self, host):
        """Whether the host's service row is known and was up when last read."""
        service = self._services.get(host)
        return bool(service) and bool(service.get('is_up'))

    def update_from_report(self, host, stats):
        with self.lock:
            state = self._states.get(host)
            if state is None:
                state = self._states[host] = VolumeHostState(host)
                state.set_service(self._services.get(host))
            return state.update_from_report(stats)

    def get_all_host_states(self):
        """Hosts that reported, in a stable order."""
        with self.lock:
            return [self._states[host] for host in sorted(self._states)]
