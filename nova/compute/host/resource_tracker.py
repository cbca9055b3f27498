"""ResourceTracker: what this compute node has, what its instances use, and claims.

Usage is kept in memory, per instance, so that a claim is a dict operation:
concurrent builds on one host can never overcommit it. The compute_nodes row
is written from this state (after a batch of claims and periodically), and the
scheduler reads those rows.
"""
import json
import logging

import eventlet.semaphore

from nova import exception
from nova import utils
from nova.db import api as db

LOG = logging.getLogger(__name__)

_RATIO_FIELDS = ('cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio')


def instance_usage(instance_or_flavor):
    """(memory_mb, vcpus, disk_gb) an instance or flavor consumes."""
    get = (instance_or_flavor.get if isinstance(instance_or_flavor, dict)
           else lambda k, d=0: getattr(instance_or_flavor, k, d))
    return (int(get('memory_mb', 0) or 0), int(get('vcpus', 0) or 0),
            int(get('root_gb', 0) or 0) + int(get('ephemeral_gb', 0) or 0))


class ResourceTracker:
    """Usage of one (host, node) and the claims against it."""

    def __init__(self, host, driver, nodename=None):
        self.host, self.driver = host, driver
        self.nodename = nodename or host
        self.usage = {}       # instance uuid (or uuid:migration) -> (mem, vcpus, disk)
        self.totals = {}      # driver's resource report
        self.compute_node_id = None
        self._lock = eventlet.semaphore.Semaphore()

    # -- accounting -----------------------------------------------------------
    def _used(self):
        mem = vcpus = disk = 0
        for m, v, d in self.usage.values():
            mem, vcpus, disk = mem + m, vcpus + v, disk + d
        return mem, vcpus, disk

    def _check(self, instance_uuid, need, limits):
        """Raise ComputeResourcesUnavailable when a claim would pass a limit."""
        limits = limits or {}
        mem, vcpus, disk = self._used()
        checks = (('memory_mb', need[0], mem, limits.get('memory_mb')),
                  ('vcpus', need[1], vcpus, limits.get('vcpu')),
                  ('disk_gb', need[2], disk, limits.get('disk_gb')))
        for resource, requested, used, limit in checks:
            if limit is not None and used + requested > limit:
                raise exception.ComputeResourcesUnavailable(
                    reason='%s: requested %d, used %d of %d on %s' % (
                        resource, requested, used, int(limit), self.host))

    def instance_claim(self, instance, limits=None, flavor=None, key=None):
        """Reserve an instance's resources (or a flavor's, for a resize)."""
        need = instance_usage(flavor if flavor is not None else instance)
        key = key or instance.uuid
        with self._lock:
            if key in self.usage:
                return
            self._check(instance.uuid, need, limits)
            self.usage[key] = need

    def drop(self, key):
        """Give back what an instance (or a migration claim) held."""
        with self._lock:
            return self.usage.pop(key, None) is not None

    # -- reports ----------------------------------------------------------------
    def load_instances(self, instances):
        """Start-up: usage from the instances the DB places on this node."""
        with self._lock:
            for inst in instances:
                if inst.node in (None, self.nodename):
                    self.usage[inst.uuid] = instance_usage(inst)

    def update_available_resource(self, context, service_id=None):
        """Read the hypervisor's totals and write the compute_nodes row."""
        self.totals = self.driver.get_available_resource(self.nodename)
        return self.persist(context, service_id)

    def node_values(self):
        mem, vcpus, disk = self._used()
        t = self.totals
        return {
            'host': self.host, 'hypervisor_hostname': self.nodename,
            'vcpus': t['vcpus'], 'memory_mb': t['memory_mb'], 'local_gb': t['local_gb'],
            'vcpus_used': vcpus, 'memory_mb_used': mem, 'local_gb_used': disk,
            'free_ram_mb': t['memory_mb'] - mem, 'free_disk_gb': t['local_gb'] - disk,
            'running_vms': len([k for k in self.usage if ':' not in k]),
            'current_workload': 0,
            'hypervisor_type': t.get('hypervisor_type'),
            'hypervisor_version': t.get('hypervisor_version'),
            'cpu_info': t.get('cpu_info') if isinstance(t.get('cpu_info'), str)
            else json.dumps(t.get('cpu_info') or {}),
            'disk_available_least': t.get('disk_available_least'),
            # what this host's driver can do: the API and the scheduler read this report
            'capabilities': dict(self.driver.capabilities),
            'updated_at': utils.utcnow(),
        }

    def persist(self, context, service_id=None):
        """Write our view into compute_nodes (creating the row once)."""
        if not self.totals:
            return None
        values = self.node_values()
        if self.compute_node_id is None:
            try:
                node = db.compute_node_get_by_host_and_nodename(context, self.host,
                                                                self.nodename)
                self.compute_node_id = node.id
            except exception.ComputeHostNotFound:
                values['service_id'] = service_id
                node = db.compute_node_create(context, values)
                self.compute_node_id = node.id
                return node
        return db.compute_node_update(context, self.compute_node_id, values)
