"""A real QEMU (TCG) guest on nova-network's FlatDHCP network.

The namespace lab of the network tests (tests/harness/network_lab.py): ctl
runs nova-network (br100, dnsmasq, the metadata NAT) and the metadata
service, c1 and c2 run nova-compute with the libvirt driver, each with a
private libvirtd inside its namespace, so that the guest's tap joins that
host's br100 (made by the driver, its VXLAN uplink to ctl enslaved). The
guest itself proves the rest: it prints the address DHCP gave it, which must
be the one the API reports, and the EC2 instance id it read from
169.254.169.254.
"""
import pytest

from nova import context as nova_context
from nova.api.ec2 import ids as ec2_ids
from nova.compute import api as compute_api
from nova.compute import flavors, vm_states
from nova.db import api as db
from nova.manage import image as manage_image
from nova.network import api as network_api
from tests.harness import libvirt_guests as lg
from tests.harness import netns
from tests.harness.libvirtd import PrivateLibvirtd
from tests.harness.network_lab import fixed_ip, running_cloud, wait_for

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(300)

CIDR = '10.78.0.0/24'


@pytest.fixture(scope='module')
def cloud(rabbitmq, tmp_path_factory, guest_image):
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)
    tmp = str(tmp_path_factory.mktemp('libvirt-net'))
    libvirtds = {}

    def compute_args(cloud, host):
        daemon = PrivateLibvirtd('%s/libvirtd-%s' % (tmp, host), netns=cloud.hosts[host])
        libvirtds[host] = daemon.start()
        return ['--libvirt_uri=%s' % daemon.uri]

    def prepare(cloud, admin):
        network_api.API().create_network(admin, CIDR, label='private')
        [_, _, cloud.ami] = manage_image.register_guest(admin, guest_image, 'nova-guest')

    flags = dict(network_manager='nova.network.manager.FlatDHCPManager',
                 flat_interface='vxflat', compute_driver='libvirt.LibvirtDriver',
                 libvirt_type='qemu', libvirt_tcg_tb_cache_mb=64)
    try:
        with running_cloud(rabbitmq, tmp, flags, prepare, flat_vxlan=True,
                           compute_args=compute_args) as running:
            running.libvirtds = libvirtds
            yield running
    finally:
        for daemon in libvirtds.values():
            daemon.stop()


def _boot(cloud, ctx):
    [instance], _ = compute_api.API().create(
        ctx, flavors.get_by_name_or_id('m1.tiny'), cloud.ami['id'], display_name='netguest')
    admin = nova_context.get_admin_context()

    def active():
        row = db.instance_get_by_uuid(admin, instance.uuid)
        assert row.vm_state != vm_states.ERROR, row.uuid
        return row if row.vm_state == vm_states.ACTIVE else None
    return wait_for(active, 120, 'the guest active')


def test_the_guest_gets_its_address_by_dhcp_and_its_id_from_metadata(cloud):
    cloud.set_flags()
    ctx = nova_context.RequestContext(user_id='u', project_id='p-libvirt-net',
                                      roles=['member'], overwrite=False)
    instance = _boot(cloud, ctx)
    api = compute_api.API()

    def printed():
        found = lg.markers(api.get_console_output(ctx, instance))
        return found if 'ready' in found else None
    found = wait_for(printed, 120, 'the guest to be ready')
    address = fixed_ip(instance).address
    assert 'eth0 ip=%s' % address in found, found
    [vif] = network_api.API().get_instance_nw_info(ctx, instance)
    assert 'eth0 mac=%s' % vif['address'] in found
    ec2_id = ec2_ids.ec2_id(nova_context.get_admin_context(), 'i', instance.uuid)
    assert 'metadata instance-id=%s' % ec2_id in found, found
    assert 'root-disk vda now-written-by=%s' % ec2_id in found
    # the tap is on br100 of the guest's host
    bridged = netns.run('ip', '-o', 'link', 'show', 'master', 'br100',
                        ns=cloud.hosts[instance.host])
    assert vif['devname'] in bridged
    api.delete(ctx, api.get(ctx, instance.uuid))
    wait_for(lambda: vif['devname'] not in netns.run(
        'ip', '-o', 'link', 'show', ns=cloud.hosts[instance.host], check=False),
        60, 'the tap gone with the guest')
