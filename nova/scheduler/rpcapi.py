"""Client side of the scheduler RPC API: every method nova-scheduler serves is declared here.

History:
    1.0 - ping, build_instances, select_destinations, update_host_state,
          update_aggregates
    1.1 - create_volume, update_volume_stats
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class SchedulerAPI(RPCAPI):
    TOPIC = 'scheduler'
    VERSION = '1.1'
    METHODS = {
        'build_instances': '1.0',
        'select_destinations': '1.0',
        'update_host_state': '1.0',
        'update_aggregates': '1.0',
        'create_volume': '1.1',
        'update_volume_stats': '1.1',
    }

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.scheduler_topic, version_cap=version_cap)

    def build_instances(self, ctxt, request_spec, instance_uuids):
        """Place the instances and send each batch to its compute host."""
        self.cast(ctxt, 'build_instances', request_spec=request_spec,
                  instance_uuids=instance_uuids)

    def select_destinations(self, ctxt, request_spec):
        """[{host, nodename, limits}] for the spec's instances, or NoValidHost."""
        return self.call(ctxt, 'select_destinations', request_spec=request_spec)

    def update_host_state(self, ctxt, node):
        """A compute node's usage report, to every scheduler."""
        self.fanout_cast(ctxt, 'update_host_state', node=node)

    def update_aggregates(self, ctxt):
        """Aggregates changed: every scheduler reloads them."""
        self.fanout_cast(ctxt, 'update_aggregates')

    def create_volume(self, ctxt, volume_id, request_spec):
        """Place a new volume on a nova-volume host and have that host make it."""
        self.cast(ctxt, 'create_volume', volume_id=volume_id, request_spec=request_spec)

    def update_volume_stats(self, ctxt, host, stats):
        """A volume host's capacity report, to every scheduler."""
        self.fanout_cast(ctxt, 'update_volume_stats', host=host, stats=stats)
