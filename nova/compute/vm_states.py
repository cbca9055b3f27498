"""vm_state: the stable state an instance rests in (classic vmstates document).

A vm_state changes only when an operation completes; while it runs, task_state
says which operation it is.
"""
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESCUED = 'rescued'
RESIZED = 'resized'
SOFT_DELETED = 'soft-delete'
DELETED = 'deleted'
ERROR = 'error'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'

# states from which a hard reboot is allowed, as upstream
ALLOW_HARD_REBOOT = [ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR]
ALLOW_SOFT_REBOOT = [ACTIVE]
