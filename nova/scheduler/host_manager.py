"""The scheduler's in-memory view of every compute node, fed with plain records.

The scheduler manager reads compute_nodes, services, aggregates and instance
placements from the database at start-up and periodically (``sync``), and
applies each compute report as it arrives (``update_from_compute_node``), so a
scheduling request never scans the database. Filters read the HostState
objects directly; ``lock`` serialises a placement (filter, weigh, claim)
against other placements and updates.
"""
import threading

from nova.conf import CONF
from nova.scheduler.host_state import HostState
from nova.scheduler.request_spec import RequestSpec

__all__ = ['HostManager', 'HostState']


def _is_compute(service):
    return service.get('binary') == 'nova-compute' or service.get('topic') == CONF.compute_topic


def _node_key(node):
    return node['host'], node.get('hypervisor_hostname') or node['host']


class HostManager:
    """HostStates by (host, nodename), with each host's service, aggregates and instances."""

    def __init__(self):
        self.lock = threading.RLock()
        self._states = {}      # (host, nodename) -> HostState
        self._by_host = {}     # host -> [HostState]
        self._services = {}    # host -> its nova-compute service record
        self._host_aggregates = {}  # host -> [aggregate]
        self._instances = {}   # host -> set of instance uuids, shared by its HostStates
        self._list = None      # get_all_host_states() cache, dropped when nodes come or go

    def sync(self, compute_nodes, services, aggregates, instances_by_host):
        """Replace everything with the database's view; keep claims no report covers yet.

        compute_nodes: compute_nodes rows as dicts; services: service rows with
        ``is_up`` computed; aggregates: [{id, name, metadata, hosts}];
        instances_by_host: {host: [instance uuid, ...]}.
        """
        with self.lock:
            self._services = {s['host']: s for s in services if _is_compute(s)}
            self._host_aggregates = self._aggregates_by_host(aggregates)
            instances = {host: set(uuids) for host, uuids in instances_by_host.items()}
            for state in self._states.values():
                instances.setdefault(state.host, set()).update(state.pending_instances())
            self._instances = instances
            old, self._states, self._by_host, self._list = self._states, {}, {}, None
            for node in compute_nodes:
                key = _node_key(node)
                state = self._states.get(key)
                if state is None:
                    state = self._attach(old.get(key) or HostState(*key))
                state.update_from_compute_node(node)

    def update_from_compute_node(self, node):
        """Apply one periodic report; False when it was older than the one we have."""
        with self.lock:
            key = _node_key(node)
            state = self._states.get(key)
            if state is None:
                state = self._attach(HostState(*key))
                self._list = None
            return state.update_from_compute_node(node)

    def update_service(self, service):
        """A service row changed (enabled, disabled, up, down); non-compute ones are ignored."""
        if not _is_compute(service):
            return
        with self.lock:
            self._services[service['host']] = service
            for state in self._by_host.get(service['host'], ()):
                state.set_service(service)

    def service_seen_up(self, host):
        """Whether the host's nova-compute row is known and was up when last read."""
        service = self._services.get(host)
        return bool(service) and bool(service.get('is_up'))

    def update_aggregates(self, aggregates):
        """Replace the list of aggregates (with their metadata and hosts)."""
        with self.lock:
            self._host_aggregates = self._aggregates_by_host(aggregates)
            for host, states in self._by_host.items():
                for state in states:
                    state.set_aggregates(self._host_aggregates.get(host, ()))

    def add_instance(self, host, instance_uuid):
        with self.lock:
            self._instances.setdefault(host, set()).add(instance_uuid)

    def remove_instance(self, host, instance_uuid):
        with self.lock:
            self._instances.get(host, set()).discard(instance_uuid)

    def release(self, host, nodename, flavor, instance_uuid=None):
        """Give back the claim of one instance of ``flavor`` (a flavor dict) on a node.

        False when the node is unknown (gone since): nothing to give back.
        """
        sizes = RequestSpec(flavor=flavor)
        with self.lock:
            state = self._states.get((host, nodename or host))
            if state is None:
                return False
            state.release(sizes, instance_uuid)
            return True

    def get_all_host_states(self):
        """Every node's HostState, in a stable order; the list must not be modified."""
        if self._list is None:
            self._list = list(self._states.values())
        return self._list

    def _attach(self, state):
        self._states[(state.host, state.nodename)] = state
        self._by_host.setdefault(state.host, []).append(state)
        state.instances = self._instances.setdefault(state.host, set())
        state.set_service(self._services.get(state.host))
        state.set_aggregates(self._host_aggregates.get(state.host, ()))
        return state

    @staticmethod
    def _aggregates_by_host(aggregates):
        by_host = {}
        for aggregate in aggregates:
            for host in aggregate.get('hosts') or ():
                by_host.setdefault(host, []).append(aggregate)
        return by_host
