"""Whether a service is alive: the one rule, used by nova-manage, APIs and scheduler."""
import datetime

from nova import utils
from nova.conf import CONF


def service_is_up(service, now=None):
    """Up when not forced down, not stopped, and heartbeating within service_down_time."""
    if service.forced_down or service.stopped_at is not None or service.last_seen_up is None:
        return False
    now = now or utils.utcnow()
    return now - service.last_seen_up <= datetime.timedelta(seconds=CONF.service_down_time)
