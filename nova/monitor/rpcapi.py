"""Client side of the instance monitor RPC API: what nova-instancemonitor serves.

A monitor runs beside each compute host and is addressed by that host's name
(``instancemonitor.<host>``); the archives of an instance are on the monitor
of the host it runs (or ran) on.

History:
    1.0 - ping, get_statistics, get_rates
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class InstanceMonitorAPI(RPCAPI):
    TOPIC = 'instancemonitor'
    VERSION = '1.0'
    METHODS = {
        'get_statistics': '1.0',
        'get_rates': '1.0',
    }

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.instancemonitor_topic, version_cap=version_cap)

    def get_statistics(self, ctxt, host, queries):
        """For each query {instance_uuid, metric, start, end, period, statistics}: its
        datapoints [{Timestamp (epoch), <statistic>: value, Unit}] ([] without data)."""
        return self.call(ctxt, 'get_statistics', server=host, queries=queries,
                         timeout=CONF.monitor_rpc_timeout)

    def get_rates(self, ctxt, host, queries):
        """For each query {instance_uuid, metric, start, end, resolution}: [first row
        start, row seconds, [rate or None]] of what graphs draw, or None without data."""
        return self.call(ctxt, 'get_rates', server=host, queries=queries,
                         timeout=CONF.monitor_rpc_timeout)
