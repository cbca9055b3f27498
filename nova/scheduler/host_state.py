"""One compute node as the scheduler sees it: its last report plus the claims made since.

The scheduler claims resources the moment it picks a host, long before the
host's next report shows them used. Claims are kept per node with the time they
were made: a report replaces the reported usage and drops only the claims
older than itself, so a report written before a claim never gives the claimed
resources back. Derived figures (limits and usable amounts after overcommit)
are recomputed on every change so that filters and weighers only read
attributes in their per-host loops.
"""
import datetime
import json
import logging

from nova import utils
from nova.conf import CONF
from nova.i18n import _LW
from nova.scheduler import hardware

LOG = logging.getLogger(__name__)

RATIO_KEYS = ('cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio')


def to_datetime(value):
    """A report timestamp (datetime, ISO 8601 string or None) as naive UTC."""
    if value is None or value == '':
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


class _Claim:
    """Resources taken (count 1) or given back (count -1) at ``at``, not yet in a report."""

    __slots__ = ('at', 'instance_uuid', 'memory_mb', 'vcpus', 'disk_mb', 'count')

    def __init__(self, at, instance_uuid, memory_mb, vcpus, disk_mb, count):
        self.at, self.instance_uuid, self.count = at, instance_uuid, count
        self.memory_mb, self.vcpus, self.disk_mb = memory_mb, vcpus, disk_mb


class HostState:
    """Resources, service status, zone and aggregates of one (host, nodename)."""

    __slots__ = (
        'host', 'nodename', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version',
        'cpu_info', 'capabilities', 'supported_instances', 'updated',
        'total_usable_ram_mb', 'total_usable_disk_gb', 'vcpus_total',
        'free_ram_mb', 'free_disk_mb', 'vcpus_used', 'num_instances',
        'service_up', 'service_disabled', 'forced_down', 'service_ok',
        'availability_zone', 'availability_zones', 'aggregates', 'aggregate_metadata',
        'instances', 'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio',
        'ram_limit_mb', 'usable_ram_mb', 'vcpu_limit', 'usable_vcpus',
        'disk_limit_mb', 'usable_disk_mb',
        '_reported', '_reported_ratios', '_aggregate_ratios', '_service_zone', '_claims')

    def __init__(self, host, nodename=None, instances=None):
        self.host, self.nodename = host, nodename or host
        self.hypervisor_hostname = self.nodename
        self.hypervisor_type = self.hypervisor_version = None
        self.cpu_info, self.capabilities, self.supported_instances = {}, {}, ()
        self.updated = None
        self.total_usable_ram_mb = self.total_usable_disk_gb = self.vcpus_total = 0
        self._reported = (0, 0, 0, 0)  # free_ram_mb, free_disk_mb, vcpus_used, num_instances
        self._reported_ratios = {}
        self._aggregate_ratios = {}
        self._claims = []
        self.instances = instances if instances is not None else set()
        self.aggregates, self.aggregate_metadata = [], {}
        self._service_zone = None
        self.set_service(None)
        self._refresh_usage()

    def __repr__(self):
        return ('<HostState %s/%s ram %s MB free, disk %s MB free, vcpus %s/%s used, %s>'
                % (self.host, self.nodename, self.free_ram_mb, self.free_disk_mb,
                   self.vcpus_used, self.vcpus_total, 'ok' if self.service_ok else 'down'))

    # --- what others tell us ---

    def update_from_compute_node(self, node):
        """Apply one compute_nodes report; False when it is older than the one applied."""
        stamp = to_datetime(node.get('updated_at')) or utils.utcnow()
        if self.updated is not None and stamp < self.updated:
            return False
        self.updated = stamp
        memory_mb, local_gb = node.get('memory_mb') or 0, node.get('local_gb') or 0
        free_ram_mb = node.get('free_ram_mb')
        if free_ram_mb is None:
            free_ram_mb = memory_mb - (node.get('memory_mb_used') or 0)
        free_disk_gb = node.get('free_disk_gb')
        if free_disk_gb is None:
            free_disk_gb = local_gb - (node.get('local_gb_used') or 0)
        self.total_usable_ram_mb, self.total_usable_disk_gb = memory_mb, local_gb
        self.vcpus_total = node.get('vcpus') or 0
        self._reported = (free_ram_mb, free_disk_gb * 1024, node.get('vcpus_used') or 0,
                          node.get('running_vms') or 0)
        self._reported_ratios = {key: node[key] for key in RATIO_KEYS if node.get(key)}
        self._set_hypervisor(node)
        # the report covers every claim made before it was written
        self._claims = [claim for claim in self._claims if claim.at >= stamp]
        self._refresh_usage()
        return True

    def _set_hypervisor(self, node):
        self.hypervisor_hostname = node.get('hypervisor_hostname') or self.nodename
        self.hypervisor_type = node.get('hypervisor_type')
        self.hypervisor_version = node.get('hypervisor_version')
        cpu_info = node.get('cpu_info') or {}
        if isinstance(cpu_info, str):
            try:
                cpu_info = json.loads(cpu_info)
            except ValueError:
                cpu_info = {}
        self.cpu_info = cpu_info if isinstance(cpu_info, dict) else {}
        arch = hardware.canonical_arch(self.cpu_info.get('arch'))
        self.supported_instances = hardware.supported_instances(
            node.get('supported_instances'), arch, self.hypervisor_type)
        reported = node.get('capabilities')
        if isinstance(reported, str):
            try:
                reported = json.loads(reported)
            except ValueError:
                reported = None
        # the driver's supports_* flags, as the host reported them
        self.capabilities = dict(reported if isinstance(reported, dict) else {})
        self.capabilities.update(self.cpu_info, architecture=arch,
                                 hypervisor_type=hardware.canonical_hv_type(self.hypervisor_type),
                                 hypervisor_version=self.hypervisor_version)

    def set_service(self, service):
        """The nova-compute service row of this host (None: no service, so never chosen)."""
        service = service or {}
        self.service_up = bool(service.get('is_up'))
        self.service_disabled = bool(service.get('disabled'))
        self.forced_down = bool(service.get('forced_down'))
        self.service_ok = self.service_up and not self.service_disabled and not self.forced_down
        self._service_zone = service.get('availability_zone')
        self._set_zone()

    def set_aggregates(self, aggregates):
        """The aggregates this host belongs to: zone, metadata and ratio overrides."""
        self.aggregates = list(aggregates)
        metadata = {}
        for aggregate in self.aggregates:
            for key, value in (aggregate.get('metadata') or {}).items():
                metadata.setdefault(key, set()).add(str(value))
        self.aggregate_metadata = metadata
        self._aggregate_ratios = {}
        for key in RATIO_KEYS:
            values = []
            for text in metadata.get(key, ()):
                try:
                    values.append(float(text))
                except ValueError:
                    LOG.warning(_LW('Ignoring aggregate %s %r of host %s'), key, text, self.host)
            if values:
                self._aggregate_ratios[key] = min(values)
        self._set_zone()
        self._refresh_usage()

    def _set_zone(self):
        zones = self.aggregate_metadata.get('availability_zone')
        if not zones:
            zones = {self._service_zone or CONF.default_availability_zone}
        self.availability_zones = frozenset(zones)
        self.availability_zone = ','.join(sorted(zones))

    # --- claims ---

    def consume(self, spec, instance_uuid=None):
        """Claim what one instance of ``spec`` needs (a RequestSpec: memory_mb, vcpus, disk_mb)."""
        self._claims.append(_Claim(utils.utcnow(), instance_uuid, spec.memory_mb, spec.vcpus,
                                   spec.disk_mb, 1))
        if instance_uuid:
            self.instances.add(instance_uuid)
        self._refresh_usage()

    def release(self, spec, instance_uuid=None):
        """Give back one instance's claim (``spec`` as for consume), e.g. after a failed spawn.

        A claim no report has covered yet is simply dropped; otherwise the
        resources come back until a report written after now shows them free.
        """
        for claim in reversed(self._claims):
            if claim.count == 1 and (
                    claim.instance_uuid == instance_uuid if instance_uuid else
                    (claim.memory_mb, claim.vcpus, claim.disk_mb) ==
                    (spec.memory_mb, spec.vcpus, spec.disk_mb)):
                self._claims.remove(claim)
                break
        else:
            self._claims.append(_Claim(utils.utcnow(), instance_uuid, -spec.memory_mb,
                                       -spec.vcpus, -spec.disk_mb, -1))
        self.instances.discard(instance_uuid)
        self._refresh_usage()

    def pending_instances(self):
        """Instances claimed here that no report has covered yet."""
        return {c.instance_uuid for c in self._claims if c.count == 1 and c.instance_uuid}

    def _refresh_usage(self):
        free_ram_mb, free_disk_mb, vcpus_used, num_instances = self._reported
        for claim in self._claims:
            free_ram_mb -= claim.memory_mb
            free_disk_mb -= claim.disk_mb
            vcpus_used += claim.vcpus
            num_instances += claim.count
        self.free_ram_mb, self.free_disk_mb = free_ram_mb, free_disk_mb
        self.vcpus_used, self.num_instances = vcpus_used, num_instances
        for key in RATIO_KEYS:
            ratio = (self._aggregate_ratios.get(key) or self._reported_ratios.get(key)
                     or getattr(CONF, key))
            setattr(self, key, ratio)
        self.ram_limit_mb = self.total_usable_ram_mb * self.ram_allocation_ratio
        self.usable_ram_mb = self.ram_limit_mb - (self.total_usable_ram_mb - free_ram_mb)
        self.vcpu_limit = self.vcpus_total * self.cpu_allocation_ratio
        self.usable_vcpus = self.vcpu_limit - vcpus_used
        total_disk_mb = self.total_usable_disk_gb * 1024
        self.disk_limit_mb = total_disk_mb * self.disk_allocation_ratio
        self.usable_disk_mb = self.disk_limit_mb - (total_disk_mb - free_disk_mb)
