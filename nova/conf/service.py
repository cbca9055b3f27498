"""Service options: heartbeats, periodic tasks, topics and their managers."""
from oslo_config import cfg

TOPICS = ('compute', 'network', 'volume', 'scheduler', 'instancemonitor')

_MANAGERS = {
    'compute': 'nova.compute.host.manager.ComputeManager',
    'network': 'nova.network.manager.FlatManager',
    'volume': 'nova.volume.manager.VolumeManager',
    'scheduler': 'nova.scheduler.manager.SchedulerManager',
    'instancemonitor': 'nova.monitor.manager.InstanceMonitorManager',
}

opts = [
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between heartbeats written into the services table.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds since the last heartbeat after which a service is down.'),
    cfg.IntOpt('periodic_interval', default=60, min=1,
               help='Seconds between runs of the periodic task loop.'),
    cfg.BoolOpt('periodic_enable', default=True,
                help='Run periodic tasks in this service.'),
    cfg.IntOpt('graceful_shutdown_timeout', default=30, min=0,
               help='Seconds a stopping service waits for in-flight messages.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of services and hosts not in an aggregate zone.'),
    cfg.StrOpt('internal_service_availability_zone', default='internal',
               help='Availability zone shown for non-compute services.'),
    cfg.StrOpt('log_config_append',
               help='A logging config file (fileConfig format); re-read on SIGHUP.'),
    cfg.BoolOpt('debug', default=False, help='Log at DEBUG level.'),
    cfg.BoolOpt('verbose', default=False, help='Log at INFO level (classic flag).'),
    cfg.StrOpt('log_file', help='Log to this file instead of stderr.'),
    cfg.ListOpt('enabled_apis', default=['osapi_compute', 'ec2', 'metadata', 'identity',
                                         'cloudwatch', 'osapi_volume', 'network'],
                help='Paste apps that nova-api serves.'),
    cfg.ListOpt('extra_compute_hosts', default=[],
                help='nova-all only: more nova-compute services to run in the process, one '
                     'per host name, beside the one of --host (the fake driver moves guests '
                     'between hosts of one process: migrations and evacuation on one '
                     'machine).'),
] + [
    cfg.StrOpt('%s_topic' % topic, default=topic,
               help='RPC topic that %s nodes listen on.' % topic)
    for topic in TOPICS
] + [
    cfg.StrOpt('%s_manager' % topic, default=_MANAGERS[topic],
               help='Manager class for the %s service.' % topic)
    for topic in TOPICS
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
