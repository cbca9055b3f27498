"""Scheduler options: which scheduler, which filters and weighers, overcommit and retries."""
from oslo_config import cfg

# --scheduler_driver short names; any other value is an import path
SCHEDULER_DRIVERS = {
    'filter': 'nova.scheduler.filter_scheduler.FilterScheduler',
    'chance': 'nova.scheduler.chance.ChanceScheduler',
}

opts = [
    cfg.StrOpt('scheduler_driver', default='filter',
               help='Scheduler that nova-scheduler runs: filter, chance, or the '
                    'import path of a nova.scheduler.driver.Scheduler subclass.'),
    cfg.ListOpt('scheduler_available_filters',
                default=['nova.scheduler.filters.all_filters'],
                help='Filter classes the filter scheduler may use: import paths '
                     'of filter classes or of functions returning a list of them.'),
    cfg.ListOpt('scheduler_default_filters',
                default=['RetryFilter', 'AvailabilityZoneFilter', 'ComputeFilter',
                         'RamFilter', 'CoreFilter', 'DiskFilter', 'ImagePropertiesFilter',
                         'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter',
                         'SameHostFilter', 'DifferentHostFilter'],
                help='Names of the filters, among the available ones, that every '
                     'request goes through.'),
    cfg.ListOpt('scheduler_weight_classes',
                default=['nova.scheduler.weights.all_weighers'],
                help='Weighers: import paths of weigher classes or of functions '
                     'returning a list of them.'),
    cfg.FloatOpt('ram_weight_multiplier', default=1.0,
                 help='Weight of free RAM: positive spreads instances, negative stacks them.'),
    cfg.FloatOpt('cpu_weight_multiplier', default=1.0,
                 help='Weight of free vCPUs: positive spreads instances, negative stacks them.'),
    cfg.FloatOpt('disk_weight_multiplier', default=1.0,
                 help='Weight of free disk: positive spreads instances, negative stacks them.'),
    cfg.FloatOpt('soft_affinity_weight_multiplier', default=1.0, min=0.0,
                 help='Pull of a soft-affinity group towards hosts holding its members.'),
    cfg.FloatOpt('soft_anti_affinity_weight_multiplier', default=1.0, min=0.0,
                 help='Push of a soft-anti-affinity group away from hosts holding its members.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPUs per physical CPU, for hosts that report no ratio.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='Virtual RAM per physical RAM, for hosts that report no ratio.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual disk per physical disk, for hosts that report no ratio.'),
    cfg.IntOpt('scheduling_timeout', default=120, min=0,
               help='Seconds an instance may wait in scheduling without a host before '
                    'the schedulers reconcile it: deleted (quota released) when the API '
                    'never handed it over, sent to the scheduler again when it did. Keep '
                    'it above the seconds a cast may retry (rabbit_max_retries * '
                    'rabbit_retry_interval). Also the wait before a delete whose host did '
                    'not act is sent again, or done here when the host is down.'),
    cfg.IntOpt('instance_build_timeout', default=1800, min=0,
               help='Seconds after which an instance still building (never placed, or '
                    'spawning on a host that stopped reporting) goes to ERROR with a fault.'),
    cfg.IntOpt('scheduler_reconcile_interval', default=60, min=0,
               help='Seconds between the schedulers\' passes over instances left in '
                    'scheduling, building or deleting (0: never).'),
    cfg.IntOpt('scheduler_max_attempts', default=3, min=1,
               help='Attempts to place an instance (the first one and its reschedules '
                    'after a failed spawn); 1 disables rescheduling.'),
    cfg.IntOpt('scheduler_host_subset_size', default=1, min=1,
               help='Pick at random among this many best-weighed hosts, so that '
                    'concurrent schedulers do not all choose the same host.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
