"""Client side of the scheduler RPC API: every method nova-scheduler serves is declared here.

History:
    1.0 - ping
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class SchedulerAPI(RPCAPI):
    TOPIC = 'scheduler'
    VERSION = '1.0'
    METHODS = {}

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.scheduler_topic, version_cap=version_cap)
