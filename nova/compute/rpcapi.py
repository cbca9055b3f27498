"""Client side of the compute RPC API: every method nova-compute serves is declared here.

Instances cross the wire as uuids; the compute host reads the current row.

History:
    1.0 - ping, build_and_run_instances, terminate_instance, instance actions,
          console output, diagnostics
    1.1 - resize and cold migration (prep_resize, resize_instance, finish_resize,
          confirm_resize, revert_resize, finish_revert_resize, drop_move_claim), live
          migration (check_can_live_migrate_destination/_source, live_migration,
          post_live_migration_at_destination), rebuild_instance, snapshot_instance,
          backup_instance, shelve_instance, shelve_offload_instance, unshelve_instance
    1.2 - get_host_uptime, cache_images
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI

_ACTIONS = ('reboot_instance', 'stop_instance', 'start_instance', 'pause_instance',
            'unpause_instance', 'suspend_instance', 'resume_instance',
            'rescue_instance', 'unrescue_instance', 'soft_delete_instance',
            'restore_instance', 'terminate_instance')
# per-instance actions of 1.1 cast to the host the instance is on (instance_action)
_ACTIONS_1_1 = ('rebuild_instance', 'snapshot_instance', 'backup_instance',
                'shelve_instance', 'shelve_offload_instance')
# 1.1 methods sent to a host named by the caller
_TO_HOST_1_1 = ('prep_resize', 'resize_instance', 'finish_resize', 'confirm_resize',
                'revert_resize', 'finish_revert_resize', 'drop_move_claim',
                'check_can_live_migrate_destination', 'check_can_live_migrate_source',
                'live_migration', 'post_live_migration_at_destination', 'unshelve_instance')


class ComputeAPI(RPCAPI):
    TOPIC = 'compute'
    VERSION = '1.2'
    METHODS = dict({
        'build_and_run_instances': '1.0',
        'get_console_output': '1.0',
        'get_diagnostics': '1.0',
        'get_host_uptime': '1.2',
        'cache_images': '1.2',
    }, **{name: '1.0' for name in _ACTIONS},
        **{name: '1.1' for name in _ACTIONS_1_1 + _TO_HOST_1_1})

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.compute_topic, version_cap=version_cap)

    def build_and_run_instances(self, ctxt, host, instance_uuids, request_spec, limits):
        self.cast(ctxt, 'build_and_run_instances', server=host,
                  instance_uuids=instance_uuids, request_spec=request_spec, limits=limits)

    def instance_action(self, ctxt, method, instance, **kwargs):
        """Cast one of the declared per-instance actions to the instance's host."""
        self.cast(ctxt, method, server=instance.host, instance_uuid=instance.uuid, **kwargs)

    def to_host(self, ctxt, method, host, instance_uuid, **kwargs):
        """Cast a per-instance step of a move to one end of it (``host``)."""
        self.cast(ctxt, method, server=host, instance_uuid=instance_uuid, **kwargs)

    def call_host(self, ctxt, method, host, instance_uuid, **kwargs):
        """The same, waiting for the host's answer (pre-checks, confirm before delete)."""
        return self.call(ctxt, method, server=host, instance_uuid=instance_uuid, **kwargs)

    def get_console_output(self, ctxt, instance, tail_length=None):
        return self.call(ctxt, 'get_console_output', server=instance.host,
                         instance_uuid=instance.uuid, tail_length=tail_length)

    def get_diagnostics(self, ctxt, instance):
        return self.call(ctxt, 'get_diagnostics', server=instance.host,
                         instance_uuid=instance.uuid)

    def get_host_uptime(self, ctxt, host):
        """The compute host's `uptime` line, from its virt driver."""
        return self.call(ctxt, 'get_host_uptime', server=host)

    def cache_images(self, ctxt, host, image_ids):
        """Have the host fetch these images into its base image cache (no reply)."""
        self.cast(ctxt, 'cache_images', server=host, image_ids=image_ids)
