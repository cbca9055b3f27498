"""Client side of the compute RPC API: every method nova-compute serves is declared here.

Each method below is the only way to send its message: its arguments are the
message's, and METHODS says which interface version added it. Instances cross
the wire as uuids; the compute host reads the current row. A method that acts
on an instance where it runs takes the instance (it goes to instance.host); a
step of a move goes to the end of it the caller names (``host``).

``--upgrade_levels_compute`` pins the version clients send during a rolling
upgrade (see nova.rpc.client and doc/operations.md): with computes of the
previous release still running, the API sends nothing they cannot serve.

History:
    1.0 - ping, build_and_run_instances, terminate_instance, instance actions
          (reboot, stop, start, pause, unpause, suspend, resume, rescue,
          unrescue, soft_delete, restore), get_console_output, get_diagnostics
    1.1 - resize and cold migration (prep_resize, resize_instance, finish_resize,
          confirm_resize, revert_resize, finish_revert_resize, drop_move_claim), live
          migration (check_can_live_migrate_destination/_source, live_migration,
          post_live_migration_at_destination), rebuild_instance, snapshot_instance,
          backup_instance, shelve_instance, shelve_offload_instance, unshelve_instance
    1.2 - get_host_uptime, cache_images
    1.3 - host_maintenance_mode, host_power_action, inject_network_info,
          reset_network, set_admin_password, external_instance_event,
          get_serial_console
    1.4 - refresh_security_groups
    1.5 - get_instance_stats
    1.6 - live_migration_abort, live_migration_force_complete, trigger_crash_dump,
          evacuate_instance
    1.7 - attach_volume, detach_volume
    1.8 - attach_interface, detach_interface
    1.9 - pre_live_migration
    1.10 - reattach_volume
    1.11 - swap_volume
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class ComputeAPI(RPCAPI):
    TOPIC = 'compute'
    VERSION = '1.11'
    METHODS = {
        'build_and_run_instances': '1.0',
        'terminate_instance': '1.0',
        'reboot_instance': '1.0',
        'stop_instance': '1.0',
        'start_instance': '1.0',
        'pause_instance': '1.0',
        'unpause_instance': '1.0',
        'suspend_instance': '1.0',
        'resume_instance': '1.0',
        'rescue_instance': '1.0',
        'unrescue_instance': '1.0',
        'soft_delete_instance': '1.0',
        'restore_instance': '1.0',
        'get_console_output': '1.0',
        'get_diagnostics': '1.0',
        'prep_resize': '1.1',
        'resize_instance': '1.1',
        'finish_resize': '1.1',
        'confirm_resize': '1.1',
        'revert_resize': '1.1',
        'finish_revert_resize': '1.1',
        'drop_move_claim': '1.1',
        'check_can_live_migrate_destination': '1.1',
        'check_can_live_migrate_source': '1.1',
        'live_migration': '1.1',
        'post_live_migration_at_destination': '1.1',
        'rebuild_instance': '1.1',
        'snapshot_instance': '1.1',
        'backup_instance': '1.1',
        'shelve_instance': '1.1',
        'shelve_offload_instance': '1.1',
        'unshelve_instance': '1.1',
        'get_host_uptime': '1.2',
        'cache_images': '1.2',
        'host_maintenance_mode': '1.3',
        'host_power_action': '1.3',
        'inject_network_info': '1.3',
        'reset_network': '1.3',
        'set_admin_password': '1.3',
        'external_instance_event': '1.3',
        'get_serial_console': '1.3',
        'refresh_security_groups': '1.4',
        'get_instance_stats': '1.5',
        'live_migration_abort': '1.6',
        'live_migration_force_complete': '1.6',
        'trigger_crash_dump': '1.6',
        'evacuate_instance': '1.6',
        'attach_volume': '1.7',
        'detach_volume': '1.7',
        'attach_interface': '1.8',
        'detach_interface': '1.8',
        'pre_live_migration': '1.9',
        'reattach_volume': '1.10',
        'swap_volume': '1.11',
    }

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.compute_topic, version_cap=version_cap)

    def _to_instance(self, ctxt, method, instance, **kwargs):
        self.cast(ctxt, method, server=instance.host, instance_uuid=instance.uuid, **kwargs)

    # -- build and delete (1.0) -------------------------------------------------------
    def build_and_run_instances(self, ctxt, host, instance_uuids, request_spec, limits):
        """Claim, spawn and activate a batch the scheduler placed on ``host``."""
        self.cast(ctxt, 'build_and_run_instances', server=host,
                  instance_uuids=instance_uuids, request_spec=request_spec, limits=limits)

    def terminate_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'terminate_instance', instance)

    # -- power and rescue actions (1.0) ------------------------------------------------
    def reboot_instance(self, ctxt, instance, reboot_type):
        self._to_instance(ctxt, 'reboot_instance', instance, reboot_type=reboot_type)

    def stop_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'stop_instance', instance)

    def start_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'start_instance', instance)

    def pause_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'pause_instance', instance)

    def unpause_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'unpause_instance', instance)

    def suspend_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'suspend_instance', instance)

    def resume_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'resume_instance', instance)

    def rescue_instance(self, ctxt, instance, rescue_password=None):
        self._to_instance(ctxt, 'rescue_instance', instance, rescue_password=rescue_password)

    def unrescue_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'unrescue_instance', instance)

    def soft_delete_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'soft_delete_instance', instance)

    def restore_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'restore_instance', instance)

    # -- reads (1.0) -----------------------------------------------------------------------
    def get_console_output(self, ctxt, instance, tail_length=None):
        return self.call(ctxt, 'get_console_output', server=instance.host,
                         instance_uuid=instance.uuid, tail_length=tail_length)

    def get_diagnostics(self, ctxt, instance):
        return self.call(ctxt, 'get_diagnostics', server=instance.host,
                         instance_uuid=instance.uuid)

    # -- resize and cold migration (1.1) -----------------------------------------------
    def prep_resize(self, ctxt, host, instance_uuid, migration_id, request_spec, limits):
        """Destination ``host``: claim the new flavor, then ask the source to send."""
        self.cast(ctxt, 'prep_resize', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id, request_spec=request_spec, limits=limits)

    def resize_instance(self, ctxt, host, instance_uuid, migration_id):
        """Source ``host``: power off and send the disks."""
        self.cast(ctxt, 'resize_instance', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id)

    def finish_resize(self, ctxt, host, instance_uuid, migration_id, disk_info):
        """Destination ``host``: build the guest with the new flavor."""
        self.cast(ctxt, 'finish_resize', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id, disk_info=disk_info)

    def confirm_resize(self, ctxt, host, instance_uuid, migration_id, cast=True):
        """Source ``host``: free the copy kept for a revert (cast=False waits for it)."""
        send = self.cast if cast else self.call
        return send(ctxt, 'confirm_resize', server=host, instance_uuid=instance_uuid,
                    migration_id=migration_id)

    def revert_resize(self, ctxt, host, instance_uuid, migration_id):
        """Destination ``host``: destroy the new guest and hand back to the source."""
        self.cast(ctxt, 'revert_resize', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id)

    def finish_revert_resize(self, ctxt, host, instance_uuid, migration_id):
        """Source ``host``: the instance comes back with its old flavor."""
        self.cast(ctxt, 'finish_revert_resize', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id)

    def drop_move_claim(self, ctxt, host, instance_uuid):
        """``host`` frees what it claimed for a move of the instance that will not happen."""
        self.cast(ctxt, 'drop_move_claim', server=host, instance_uuid=instance_uuid)

    # -- live migration (1.1) ----------------------------------------------------------------
    def check_can_live_migrate_destination(self, ctxt, host, instance_uuid, migration_id,
                                           block_migration, disk_over_commit, limits):
        """Destination ``host`` checks and claims; returns the migrate_data."""
        return self.call(ctxt, 'check_can_live_migrate_destination', server=host,
                         instance_uuid=instance_uuid, migration_id=migration_id,
                         block_migration=block_migration, disk_over_commit=disk_over_commit,
                         limits=limits)

    def check_can_live_migrate_source(self, ctxt, host, instance_uuid, dest_check_data):
        """Source ``host``'s check of what the destination found; the migrate_data."""
        return self.call(ctxt, 'check_can_live_migrate_source', server=host,
                         instance_uuid=instance_uuid, dest_check_data=dest_check_data)

    def live_migration(self, ctxt, host, instance_uuid, dest, migration_id, block_migration,
                       migrate_data):
        """Source ``host``: move the running guest to ``dest``."""
        self.cast(ctxt, 'live_migration', server=host, instance_uuid=instance_uuid, dest=dest,
                  migration_id=migration_id, block_migration=block_migration,
                  migrate_data=migrate_data)

    # -- live migration (1.9) ----------------------------------------------------------------
    def pre_live_migration(self, ctxt, host, instance_uuid, migrate_data):
        """Destination ``host``, just before the guest comes: plug its VIFs and let its
        traffic in; returns the migrate_data (the driver may add to it)."""
        return self.call(ctxt, 'pre_live_migration', server=host, instance_uuid=instance_uuid,
                         migrate_data=migrate_data)

    def post_live_migration_at_destination(self, ctxt, host, instance_uuid):
        """Destination ``host``: the guest arrived; its claim becomes the instance's."""
        self.cast(ctxt, 'post_live_migration_at_destination', server=host,
                  instance_uuid=instance_uuid)

    # -- rebuild, images, shelve (1.1) ---------------------------------------------------------
    def rebuild_instance(self, ctxt, instance, admin_password=None):
        self._to_instance(ctxt, 'rebuild_instance', instance, admin_password=admin_password)

    def snapshot_instance(self, ctxt, instance, image_id):
        self._to_instance(ctxt, 'snapshot_instance', instance, image_id=image_id)

    def backup_instance(self, ctxt, instance, image_id, backup_type, rotation):
        self._to_instance(ctxt, 'backup_instance', instance, image_id=image_id,
                          backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, ctxt, instance, image_id):
        self._to_instance(ctxt, 'shelve_instance', instance, image_id=image_id)

    def shelve_offload_instance(self, ctxt, instance):
        self._to_instance(ctxt, 'shelve_offload_instance', instance)

    def unshelve_instance(self, ctxt, host, instance_uuid, limits=None):
        """Run a shelved instance on ``host``: its own, or the one the scheduler chose."""
        self.cast(ctxt, 'unshelve_instance', server=host, instance_uuid=instance_uuid,
                  limits=limits)

    # -- host operations (1.2) -------------------------------------------------------------
    def get_host_uptime(self, ctxt, host):
        """The compute host's `uptime` line, from its virt driver."""
        return self.call(ctxt, 'get_host_uptime', server=host)

    def cache_images(self, ctxt, host, image_ids):
        """Have the host fetch these images into its base image cache (no reply)."""
        self.cast(ctxt, 'cache_images', server=host, image_ids=image_ids)

    # -- volumes (1.7) ---------------------------------------------------------------------
    def attach_volume(self, ctxt, instance, bdm_uuid):
        """Connect the reserved volume of the mapping and attach it to the guest."""
        self._to_instance(ctxt, 'attach_volume', instance, bdm_uuid=bdm_uuid)

    def detach_volume(self, ctxt, instance, volume_id):
        """Detach the volume (detaching) from the guest and release it."""
        self._to_instance(ctxt, 'detach_volume', instance, volume_id=volume_id)

    def reattach_volume(self, ctxt, instance, volume_id):
        """Connect an attached volume again (its export made again on the volume host)
        and plug it into the guest anew; the new connection_info (a call: the
        administrator who asked waits for the answer)."""
        return self.call(ctxt, 'reattach_volume', server=instance.host,
                         instance_uuid=instance.uuid, volume_id=volume_id)

    def swap_volume(self, ctxt, instance, bdm_uuid, new_volume_id, new_attachment_id):
        """Give the guest the new volume (reserved for it) in place of the mapping's
        volume (detaching), at the same device."""
        self._to_instance(ctxt, 'swap_volume', instance, bdm_uuid=bdm_uuid,
                          new_volume_id=new_volume_id, new_attachment_id=new_attachment_id)

    # -- host and guest operations of administrators and services (1.3) ------------------
    def host_maintenance_mode(self, ctxt, host, mode):
        """Put the host's hypervisor into (mode True) or out of maintenance; returns
        'on_maintenance' or 'off_maintenance'."""
        return self.call(ctxt, 'host_maintenance_mode', server=host, mode=mode)

    def host_power_action(self, ctxt, host, action):
        """startup, shutdown or reboot the host through its driver; returns the action."""
        return self.call(ctxt, 'host_power_action', server=host, action=action)

    def inject_network_info(self, ctxt, instance):
        self._to_instance(ctxt, 'inject_network_info', instance)

    def reset_network(self, ctxt, instance):
        self._to_instance(ctxt, 'reset_network', instance)

    def set_admin_password(self, ctxt, instance, new_pass):
        """Set the guest's administrator password; waits for the host's answer."""
        return self.call(ctxt, 'set_admin_password', server=instance.host,
                         instance_uuid=instance.uuid, new_pass=new_pass)

    def external_instance_event(self, ctxt, host, events):
        """Events other services send about instances on ``host`` (no reply)."""
        self.cast(ctxt, 'external_instance_event', server=host, events=events)

    def get_serial_console(self, ctxt, instance):
        """Where the guest's serial console listens on its host: {host, port}."""
        return self.call(ctxt, 'get_serial_console', server=instance.host,
                         instance_uuid=instance.uuid)

    # -- security groups (1.4) -------------------------------------------------------------
    def refresh_security_groups(self, ctxt):
        """Rules or group members changed: every compute host rebuilds its firewall."""
        if self.can_send_version('1.4'):
            self.fanout_cast(ctxt, 'refresh_security_groups')

    # -- monitoring (1.5) ---------------------------------------------------------------
    def get_instance_stats(self, ctxt, host, instance_uuids, timeout=None):
        """{uuid: InstanceStats dict} of those instances running on ``host``: one call
        per host and sampling step, whatever the number of instances."""
        return self.call(ctxt, 'get_instance_stats', server=host, timeout=timeout,
                         instance_uuids=instance_uuids)
    # -- steering live migrations, crash dumps, evacuation (1.6) --------------------------
    def live_migration_abort(self, ctxt, instance, migration_id):
        """Source: stop the running live migration; the guest stays there."""
        self._to_instance(ctxt, 'live_migration_abort', instance, migration_id=migration_id)

    def live_migration_force_complete(self, ctxt, instance, migration_id):
        """Source: finish the running live migration now."""
        self._to_instance(ctxt, 'live_migration_force_complete', instance,
                          migration_id=migration_id)

    def trigger_crash_dump(self, ctxt, instance):
        self._to_instance(ctxt, 'trigger_crash_dump', instance)

    def evacuate_instance(self, ctxt, host, instance_uuid, migration_id, admin_password,
                          limits=None, stopped=False):
        """Destination ``host``: rebuild the instance of a failed host here (stopped: do
        not leave it running, 2.95)."""
        self.cast(ctxt, 'evacuate_instance', server=host, instance_uuid=instance_uuid,
                  migration_id=migration_id, admin_password=admin_password, limits=limits,
                  stopped=stopped)

    # -- interfaces (1.8) ------------------------------------------------------------
    def attach_interface(self, ctxt, instance, vif):
        """Plug a VIF (a network_info entry) into the guest; waits for the host."""
        return self.call(ctxt, 'attach_interface', server=instance.host,
                         instance_uuid=instance.uuid, vif=vif)

    def detach_interface(self, ctxt, instance, vif):
        return self.call(ctxt, 'detach_interface', server=instance.host,
                         instance_uuid=instance.uuid, vif=vif)
