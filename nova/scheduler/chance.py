"""ChanceScheduler: a random host among those that are up, enabled and in the zone.

No weighing and no capacity check (the compute's claim is the only guard),
as in classic Nova; it honours ignore/force hosts, retries and the requested
availability zone, and claims like the filter scheduler so that releases and
reports balance.
"""
import random

from nova.scheduler import filter_scheduler
from nova.scheduler.filters import availability_zone_filter, compute_filter, retry_filter


class ChanceScheduler(filter_scheduler.FilterScheduler):
    def __init__(self, host_manager):
        super().__init__(host_manager,
                         filters=[retry_filter.RetryFilter(),
                                  availability_zone_filter.AvailabilityZoneFilter(),
                                  compute_filter.ComputeFilter()],
                         weighers=[])

    def _choose(self, candidates, spec):
        return random.choice(candidates)
