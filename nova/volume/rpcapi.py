"""Client side of the volume RPC API: every method nova-volume serves is declared here.

Volumes cross the wire as ids; the volume host reads the current row. Work on
a volume goes to the host that holds it (``volume.<host>``).

History:
    1.0 - ping
    1.1 - create_volume, delete_volume, extend_volume, create_snapshot,
          delete_snapshot, initialize_connection, copy_volume_to_image,
          publish_service_capabilities
    1.2 - delete_volume takes cascade (False: the volume has no snapshots to delete)
    1.3 - remove_export
"""
from nova import rpc
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class VolumeAPI(RPCAPI):
    TOPIC = 'volume'
    VERSION = '1.3'
    METHODS = {
        'create_volume': '1.1',
        'delete_volume': '1.2',
        'extend_volume': '1.1',
        'create_snapshot': '1.1',
        'delete_snapshot': '1.1',
        'initialize_connection': '1.1',
        'remove_export': '1.3',
        'copy_volume_to_image': '1.1',
        'publish_service_capabilities': '1.1',
    }

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.volume_topic, version_cap=version_cap)

    def create_volume(self, ctxt, host, volume_id):
        """Make the volume's storage (empty, or from its snapshot, source volume or
        image) on the host the scheduler chose, and export it."""
        self.cast(ctxt, 'create_volume', server=host, volume_id=volume_id)

    def delete_volume(self, ctxt, volume, cascade=True):
        """Delete a volume in deleting (cascade: with its snapshots, which go first)."""
        if not self.can_send_version('1.2'):  # a 1.1 host looks for snapshots itself
            rpc.cast(ctxt, self._topic(volume.host), {
                'method': 'delete_volume', 'args': {'volume_id': volume.uuid},
                'version': '1.1'})
            return
        self.cast(ctxt, 'delete_volume', server=volume.host, volume_id=volume.uuid,
                  cascade=cascade)

    def extend_volume(self, ctxt, volume):
        """Grow the volume to its pending_size (reserved by the API)."""
        self.cast(ctxt, 'extend_volume', server=volume.host, volume_id=volume.uuid)

    def create_snapshot(self, ctxt, volume, snapshot_id):
        self.cast(ctxt, 'create_snapshot', server=volume.host, snapshot_id=snapshot_id)

    def delete_snapshot(self, ctxt, host, snapshot_id):
        self.cast(ctxt, 'delete_snapshot', server=host, snapshot_id=snapshot_id)

    def initialize_connection(self, ctxt, volume, connector):
        """The connection_info for the initiator described by connector (a call)."""
        return self.call(ctxt, 'initialize_connection', server=volume.host,
                         volume_id=volume.uuid, connector=connector)

    def remove_export(self, ctxt, volume):
        """Drop the volume's target if no attachment needs it any more (after a
        detach); a 1.2 host keeps it until the volume is deleted, as it always did."""
        if self.can_send_version('1.3'):
            self.cast(ctxt, 'remove_export', server=volume.host, volume_id=volume.uuid)

    def copy_volume_to_image(self, ctxt, volume, image_id):
        self.cast(ctxt, 'copy_volume_to_image', server=volume.host, volume_id=volume.uuid,
                  image_id=image_id)

    def publish_service_capabilities(self, ctxt):
        """Every volume host reports its capacity to the schedulers now."""
        self.fanout_cast(ctxt, 'publish_service_capabilities')
