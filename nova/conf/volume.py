"""nova-volume options: the storage driver, the iSCSI export, quotas and placement."""
from oslo_config import cfg

from nova.conf import paths

# --volume_driver short names; any other value is the import path of a driver class
VOLUME_DRIVERS = {
    'file': 'nova.volume.drivers.file.FileDriver',
    'lvm': 'nova.volume.drivers.lvm.LVMDriver',
}
# --iscsi_helper short names; any other value is the import path of a target class
ISCSI_HELPERS = {
    'tgtadm': 'nova.volume.targets.tgt.TgtAdm',
}

driver_opts = [
    cfg.StrOpt('volume_driver', default='file',
               help='Storage behind nova-volume: file (sparse raw files under '
                    '--volumes_dir), lvm (logical volumes of --volume_group), or the '
                    'import path of a nova.volume.drivers.VolumeDriver subclass.'),
    cfg.StrOpt('volumes_dir', default=paths.state_path_def('volumes'),
               help='Directory of the file driver\'s volume and snapshot files.'),
    cfg.StrOpt('volume_group', default='nova-volumes',
               help='LVM volume group the lvm driver carves volumes from.'),
    cfg.StrOpt('volume_name_template', default='volume-%s',
               help='Backend name of a volume, from its id (also the end of its IQN).'),
    cfg.StrOpt('snapshot_name_template', default='snapshot-%s',
               help='Backend name of a snapshot, from its id.'),
    cfg.StrOpt('volume_backend_name', default='',
               help='Name this host\'s backend reports; a volume type\'s '
                    'volume_backend_name extra spec picks hosts by it.'),
    cfg.FloatOpt('max_over_subscription_ratio', default=20.0, min=1.0,
                 help='Thin provisioning: gigabytes of volumes per gigabyte of backend '
                      'capacity the scheduler may place (sparse files, thin LVs).'),
    cfg.IntOpt('reserved_percentage', default=0, min=0, max=100,
               help='Percentage of backend capacity the scheduler keeps free.'),
    cfg.StrOpt('storage_availability_zone', default='nova',
               help='Availability zone of this nova-volume host and of its volumes.'),
    cfg.StrOpt('default_volume_type', default='__DEFAULT__',
               help='Volume type of a volume created without one.'),
    cfg.IntOpt('volume_stats_interval', default=60, min=0,
               help='Seconds between reports of this host\'s capacity to the '
                    'schedulers (0: only at start and when asked).'),
    cfg.IntOpt('volume_status_timeout', default=600, min=10,
               help='Seconds a volume may stay attaching or detaching before the '
                    'compute host that owns the attachment resolves it on restart.'),
]

iscsi_opts = [
    cfg.StrOpt('iscsi_helper', default='tgtadm',
               help='iSCSI target that exports volumes: tgtadm (the tgt daemon), or the '
                    'import path of a nova.volume.targets.Target subclass.'),
    cfg.StrOpt('iscsi_target_prefix', default='iqn.2010-10.org.openstack:',
               help='IQN prefix of the targets; the volume name follows it.'),
    cfg.StrOpt('iscsi_ip_address', default='$my_ip',
               help='Address initiators reach this host\'s targets at (the portal, and '
                    'where tgtd listens).'),
    cfg.PortOpt('iscsi_port', default=3260,
                help='TCP port of the iSCSI portal.'),
    cfg.IntOpt('iscsi_control_port', default=0, min=0, max=32767,
               help='tgtd management channel (tgtd -C / tgtadm -C): lets several tgtd '
                    'run on one host, each with its own portal.'),
    cfg.BoolOpt('tgtd_start', default=True,
                help='Start tgtd (on --iscsi_control_port, listening on the portal) when '
                     'none answers; it keeps running when nova-volume stops, as a system '
                     'tgtd would, so that attached instances keep their disks.'),
    cfg.BoolOpt('use_chap_auth', default=True,
                help='Protect each target with its own generated CHAP user and secret.'),
]

quota_opts = [
    cfg.IntOpt('quota_volumes', default=10, min=-1,
               help='Volumes a project may have. -1 means unlimited.'),
    cfg.IntOpt('quota_snapshots', default=10, min=-1,
               help='Volume snapshots a project may have. -1 means unlimited.'),
    cfg.IntOpt('quota_gigabytes', default=1000, min=-1,
               help='Gigabytes of volumes and snapshots a project may have. '
                    '-1 means unlimited.'),
    cfg.IntOpt('quota_per_volume_gigabytes', default=-1, min=-1,
               help='Largest volume a project may create, in gigabytes. '
                    '-1 means unlimited.'),
]

scheduler_opts = [
    cfg.ListOpt('scheduler_default_volume_filters',
                default=['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'],
                help='Filters, among scheduler_available_filters, that every volume '
                     'placement goes through.'),
    cfg.FloatOpt('capacity_weight_multiplier', default=1.0,
                 help='Weight of free volume capacity: positive spreads volumes over '
                      'hosts, negative fills one host first.'),
]

compute_opts = [
    cfg.IntOpt('block_device_allocate_timeout', default=180, min=1,
               help='Seconds a compute host waits for a volume it made for a boot from '
                    'volume (from an image, a snapshot, or blank) to become available.'),
]

api_opts = [
    cfg.IntOpt('osapi_max_limit', default=1000, min=1,
               help='Most items one list request of the block-storage API returns.'),
]

opts = driver_opts + iscsi_opts + quota_opts + scheduler_opts + compute_opts + api_opts


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
