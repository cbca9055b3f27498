"""The instance monitor (nova-instancemonitor) and its CloudWatch-compatible API."""
from oslo_config import cfg

from nova.conf import paths

DEFAULT_FAKE_LOAD = ('cpu=5,disk_read=12288,disk_read_ops=3,disk_write=4096,'
                     'disk_write_ops=1,net_in=1024,net_in_packets=2,net_out=512,'
                     'net_out_packets=1')

opts = [
    cfg.IntOpt('monitoring_instances_step', default=60, min=1,
               help='Seconds between two samples of every instance\'s counters; the '
                    'step of the round-robin archives (a change applies to archives '
                    'created afterwards).'),
    cfg.StrOpt('monitor_path', default=paths.state_path_def('monitor'),
               help='Directory of the round-robin archives: <monitor_path>/<host>/'
                    '<instance uuid>.rrd, deleted instances\' under <host>/deleted/.'),
    cfg.BoolOpt('monitor_new_instances', default=True,
                help='Sample instances that EC2 MonitorInstances/UnmonitorInstances '
                     'never switched (their Monitoring.State is then enabled).'),
    cfg.IntOpt('monitor_keep_deleted_days', default=14, min=0,
               help='Days the archive of a deleted (or moved away) instance is kept '
                    'and still answered; 0 removes it as soon as the monitor notices.'),
    cfg.IntOpt('monitor_graph_interval', default=300, min=0,
               help='Seconds between publications of every monitored instance\'s '
                    'graphs to the objectstore (a graph is re-rendered when its '
                    'period\'s resolution has passed); 0 publishes nothing.'),
    cfg.StrOpt('monitor_graph_bucket', default='instance-graphs-%(project_id)s',
               help='Bucket each project\'s graphs are published in; %(project_id)s '
                    'is the project (the bucket is granted to it).'),
    cfg.StrOpt('monitor_s3_url',
               help='Endpoint of the objectstore graphs are published to. Default: '
                    'nova-objectstore\'s URL from its *_listen flags.'),
    cfg.StrOpt('monitor_s3_user', default='admin',
               help='User whose EC2 credentials (in its own project) publish graphs '
                    'to the objectstore; it must be an administrator.'),
    cfg.IntOpt('monitor_rpc_timeout', default=30, min=1,
               help='Seconds the monitor waits for a compute host\'s counters, and '
                    'the API for a monitor\'s answer.'),
]

fake_opts = [
    cfg.StrOpt('fake_load_profile', default=DEFAULT_FAKE_LOAD,
               help='Load of the fake driver\'s guests, per second while running: cpu '
                    '(percent of the instance\'s vCPUs), disk_read/disk_write (bytes), '
                    'disk_read_ops/disk_write_ops, and per interface net_in/net_out '
                    '(bytes), net_in_packets/net_out_packets. An instance\'s metadata '
                    'key fake_load overrides any of them (same syntax).'),
]


def register_opts(conf):
    conf.register_opts(opts + fake_opts)


def list_opts():
    return {'DEFAULT': opts + fake_opts}
