"""The XenAPI driver: instances as VMs of a XenServer / XCP-ng pool, through XAPI.

``--compute_driver=xenapi.XenAPIDriver`` with --xenapi_connection_url,
--xenapi_connection_username and --xenapi_connection_password. The driver
talks only XenAPI (the ``XenAPI`` client library): sessions and retries in
session.py, images as cached and cloned VDIs in images.py, VMs in vmops.py,
iSCSI volumes in volumes.py, capacity in host.py. It caches images in the
pool's SR, so the compute manager hands it a stream of the image service's
verified data (``image_data = 'stream'``) rather than a file of its own
cache. doc/xenapi.md says what it is proven against.
"""
import nova.conf
from nova import exception
from nova.virt import driver
from nova.virt.xenapi import host as xhost
from nova.virt.xenapi import images, session as xsession, vmops, volumes

CONF = nova.conf.CONF


class XenAPIDriver(driver.ComputeDriver):
    capabilities = dict(
        dict.fromkeys(driver.CAPABILITIES, False),
        supports_pause=True, supports_suspend=True, supports_rescue=True,
        supports_snapshot=True, supports_attach_volume=True, supports_console_output=True,
        supports_diagnostics=True)
    image_data = 'stream'

    def __init__(self, host, session=None):
        super().__init__(host)
        self._session = session
        self._ops = None

    @property
    def session(self):
        if self._session is None:
            self._session = xsession.connect()
        return self._session

    @property
    def ops(self):
        """(vmops, images, volumes, host state), made on first use from the session."""
        if self._ops is None:
            session = self.session
            sr = self._find_sr(session)
            image_store = images.Images(session, sr)
            vm_ops = vmops.VMOps(session, image_store, session.host_ref)
            self._ops = (vm_ops, image_store, volumes.Volumes(session, session.host_ref, vm_ops),
                         xhost.HostState(session, session.host_ref, sr, vm_ops))
        return self._ops

    @staticmethod
    def _find_sr(session):
        """The SR --xenapi_sr_matching_filter names: the pool's default SR, or the one whose
        other_config has KEY=VALUE."""
        kind, _, rest = CONF.xenapi_sr_matching_filter.partition(':')
        if kind == 'default-sr' and rest == 'true':
            pool = session.call('pool.get_all')[0]
            sr = session.call('pool.get_default_SR', pool)
            if sr != 'OpaqueRef:NULL':
                return sr
        elif kind == 'other-config':
            key, _, value = rest.partition('=')
            for ref, record in session.call('SR.get_all_records').items():
                if record['other_config'].get(key) == value:
                    return ref
        raise exception.XenAPIConnectionFailed(
            url=session.url, reason='no SR matches --xenapi_sr_matching_filter=%s' %
            CONF.xenapi_sr_matching_filter)

    @property
    def vmops(self):
        return self.ops[0]

    # --- host ---

    def init_host(self, host):
        self.host = host
        self.ops  # noqa: B018 -- connect now, so a wrong URL or password stops the service

    def get_available_nodes(self):
        return [self.host]

    def get_available_resource(self, nodename):
        state = self.ops[3]
        state.check_node(nodename, self.host)
        return state.resources(nodename)

    # --- lifecycle ---

    def spawn(self, context, instance, image_meta, injected_files=None, admin_password=None,
              network_info=None, block_device_info=None, config_drive=None):
        self.vmops.spawn(instance, image_meta, network_info)

    def destroy(self, context, instance, network_info=None, block_device_info=None,
                destroy_disks=True):
        self.vmops.destroy(instance, destroy_disks, self.ops[2].forget_volume)

    def reboot(self, context, instance, network_info, reboot_type):
        self.vmops.reboot(instance, reboot_type)

    def power_off(self, instance, timeout=0, retry_interval=0):
        self.vmops.power_off(instance, timeout)

    def power_on(self, context, instance, network_info=None):
        self.vmops.power_on(instance)

    def pause(self, instance):
        self.vmops.action(instance, 'pause', 'VM.pause')

    def unpause(self, instance):
        self.vmops.action(instance, 'unpause', 'VM.unpause')

    def suspend(self, context, instance):
        self.vmops.action(instance, 'suspend', 'VM.suspend')

    def resume(self, context, instance, network_info=None):
        self.vmops.action(instance, 'resume', 'VM.resume', False, False)

    def rescue(self, context, instance, network_info, image_meta, rescue_password):
        self.vmops.rescue(instance, image_meta, network_info)

    def unrescue(self, context, instance):
        self.vmops.unrescue(instance)

    def snapshot(self, context, instance, image_id, upload):
        vm, record = self.vmops.vm(instance)
        root = self.vmops.root_vdi(record)
        self.ops[1].export_snapshot(root, upload, CONF.xenapi_image_upload_format)

    def remove_unused_images(self, in_use_image_ids):
        return self.ops[1].remove_unused(set(in_use_image_ids))

    # --- inspection ---

    def get_info(self, instance):
        return self.vmops.get_info(instance)

    def list_instances(self):
        return [vm['name_label'] for vm in self.vmops.nova_vms().values()]

    def list_instance_uuids(self):
        return [vm['other_config']['nova_uuid'] for vm in self.vmops.nova_vms().values()]

    def instance_exists(self, instance):
        return self.vmops.lookup(instance) is not None

    def get_console_output(self, context, instance):
        return self.vmops.console_output(instance)

    def get_diagnostics(self, instance):
        return self.vmops.diagnostics(instance)

    def get_instance_stats(self, instances):
        return self.vmops.instance_stats(instances)

    # --- volumes ---

    def get_volume_connector(self, instance):
        return self.ops[2].connector(self.host)

    def attach_volume(self, context, connection_info, instance, mountpoint):
        self.ops[2].attach(instance, connection_info, mountpoint)

    def detach_volume(self, context, connection_info, instance, mountpoint):
        self.ops[2].detach(instance, connection_info, mountpoint)
