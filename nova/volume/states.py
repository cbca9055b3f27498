"""Volume and snapshot statuses (as Cinder names them) and which ones allow what.

Every transition is a compare-and-swap in the database naming the statuses it
starts from (nova.db.api.volume_update and friends), so two requests never
both move a volume; a status ending in -ing belongs to the service doing that
work, whose start-up finishes it or sets an error status.
"""
CREATING = 'creating'
AVAILABLE = 'available'
ATTACHING = 'attaching'
RESERVED = 'reserved'
IN_USE = 'in-use'
DETACHING = 'detaching'
DELETING = 'deleting'
EXTENDING = 'extending'
UPLOADING = 'uploading'
ERROR = 'error'
ERROR_DELETING = 'error_deleting'
ERROR_EXTENDING = 'error_extending'
ERROR_RESTORING = 'error_restoring'

VOLUME_STATUSES = (CREATING, AVAILABLE, ATTACHING, IN_USE, DETACHING, DELETING, EXTENDING,
                   UPLOADING, ERROR, ERROR_DELETING, ERROR_EXTENDING, ERROR_RESTORING,
                   RESERVED, 'maintenance', 'downloading', 'backing-up', 'restoring-backup')

# attach_status of a volume and attach_status of an attachment row
ATTACHED = 'attached'
DETACHED = 'detached'
ATTACH_STATUSES = (ATTACHED, DETACHED, ATTACHING, DETACHING, RESERVED, 'error_attaching',
                   'error_detaching')

# what each action accepts (Cinder's rules)
DELETABLE = (AVAILABLE, ERROR, ERROR_RESTORING, ERROR_EXTENDING)
EXTENDABLE = (AVAILABLE,)
SNAPSHOTTABLE = (AVAILABLE,)
SNAPSHOTTABLE_FORCED = (AVAILABLE, IN_USE)
ATTACHABLE = (AVAILABLE,)
# a multiattach volume takes another attachment while it has some (as Cinder)
MULTIATTACHABLE = (AVAILABLE, IN_USE, ATTACHING, RESERVED)
CLONABLE = (AVAILABLE, IN_USE)
UPLOADABLE = (AVAILABLE, IN_USE)  # in-use only with force

# snapshot statuses
SNAPSHOT_STATUSES = (CREATING, AVAILABLE, DELETING, ERROR, ERROR_DELETING)
SNAPSHOT_DELETABLE = (AVAILABLE, ERROR)
