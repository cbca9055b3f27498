"""Power states as the hypervisor reports them (classic Nova values).

These are read from the virt driver, never set by the API: the compute
manager's power-state sync compares them with vm_state.
"""

NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4  # the guest is off: shut down or destroyed, not deleted
CRASHED = 6
SUSPENDED = 7

STATE_MAP = {
    NOSTATE: 'pending',
    RUNNING: 'running',
    PAUSED: 'paused',
    SHUTDOWN: 'shutdown',
    CRASHED: 'crashed',
    SUSPENDED: 'suspended',
}
