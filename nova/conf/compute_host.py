"""Options of nova-compute's manager: builds, reports and periodic reconciliation."""
from oslo_config import cfg

opts = [
    cfg.IntOpt('max_concurrent_builds', default=10, min=1,
               help='Instances one compute host spawns at the same time.'),
    cfg.FloatOpt('compute_report_delay', default=0.05, min=0.0,
                 help='Seconds a compute host gathers usage changes before writing '
                      'compute_nodes and telling the schedulers (coalesces bursts).'),
    cfg.FloatOpt('compute_release_report_delay', default=1.0, min=0.0,
                 help='Seconds a compute host gathers resources its deleted instances '
                      'gave back before reporting them (a report that comes later only '
                      'makes the schedulers more careful; a claim reports at once after '
                      'compute_report_delay).'),
    cfg.IntOpt('sync_power_state_interval', default=600,
               help='Seconds between power state reconciliations (<= 0: never).'),
    cfg.IntOpt('reclaim_instance_interval', default=0,
               help='Seconds a deleted instance stays soft-deleted (restorable) '
                    'before it is reclaimed; 0 deletes at once.'),
    cfg.IntOpt('resize_confirm_window', default=0,
               help='Seconds after which a resize is confirmed automatically (0: never).'),
    cfg.IntOpt('shelved_offload_time', default=0,
               help='Seconds a shelved instance keeps its host before it is offloaded '
                    '(0: at once, -1: never).'),
    cfg.IntOpt('shelved_poll_interval', default=3600,
               help='Seconds between checks for shelved instances to offload after '
                    'shelved_offload_time (<= 0: never).'),
    cfg.IntOpt('image_cache_manager_interval', default=2400,
               help='Seconds between removals of cached base images no instance on the '
                    'host uses (<= 0: never).'),
    cfg.BoolOpt('allow_resize_to_same_host', default=False,
                help='Let a resize land on the host the instance is on.'),
    cfg.StrOpt('multi_instance_display_name_template', default='%(name)s-%(count)d',
               help='Display name of each instance of a multiple-instance request.'),
    cfg.BoolOpt('instance_usage_audit', default=True,
                help='Have each compute host audit, once per audit period, the instances '
                     'active on it (GET /os-instance_usage_audit_log shows the runs).'),
    cfg.StrOpt('instance_usage_audit_period', default='month',
               help='The audit period: hour, day, month or year, optionally with an '
                    'offset (month@15, day@6).'),
    cfg.IntOpt('scheduler_refresh_interval', default=10, min=1,
               help='Seconds between the scheduler\'s reloads of hosts, services and '
                    'aggregates from the database (reports arrive in between).'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
