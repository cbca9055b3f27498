"""The compute service: which code runs where.

In the API processes (nova-api, nova-manage and whatever calls the public API):
    api.py (``API``, the public compute API) with its flows resize.py,
    live_migrate.py, rebuild.py, snapshot.py, shelve.py; aggregates.py,
    hosts.py, keypairs.py, server_groups.py, flavors.py, disk_config.py,
    capabilities.py (what a host reported its driver can do), admin_actions.py,
    evacuate.py, interfaces.py.
On each compute host, in nova-compute:
    host/ (the manager and its collaborators; see nova/compute/host/__init__.py).
Shared by both (the two sides meet only through these, RPC and the database):
    rpcapi.py (every compute RPC method, declared and versioned), states.py,
    vm_states.py, task_states.py, power_state.py, utils.py, move_claims.py,
    move_spec.py, resize_quota.py, usage_audit.py.

tests/unit/compute/test_layout.py holds the two sides to this.
"""
