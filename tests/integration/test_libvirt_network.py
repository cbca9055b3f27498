"""A real QEMU (TCG) guest on nova-network's FlatDHCP network.

The namespace lab of the network tests (tests/harness/network_lab.py): ctl
runs nova-network (br100, dnsmasq, the metadata NAT) and the metadata
service, c1 and c2 run nova-compute with the libvirt driver, each with a
private libvirtd inside its namespace, so that the guest's tap joins that
host's br100 (made by the driver, its VXLAN uplink to ctl enslaved). The
guest itself proves the rest: it prints the address DHCP gave it, which must
be the one the API reports, and the EC2 instance id it read from
169.254.169.254; then it sees a second NIC hot-plugged onto the same bridge by
the driver on its host, and sees it go.
"""
import json
import random
import sys

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


HOTPLUG = """
import json, sys, types
from nova.conf import CONF
from nova.virt.libvirt import driver
uri, uuid, action, vif = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
CONF.set_override('libvirt_uri', uri)
CONF.set_override('libvirt_type', 'qemu')
drv = driver.LibvirtDriver('hotplug')
instance = types.SimpleNamespace(uuid=uuid, name='instance-' + uuid)
if action == 'attach':
    drv.attach_interface(None, instance, None, vif)
else:
    drv.detach_interface(None, instance, vif)
"""


def _hotplug(cloud, instance, action, vif):
    """The driver's attach_interface/detach_interface on the guest's host."""
    netns.run(sys.executable, '-c', HOTPLUG, cloud.libvirtds[instance.host].uri,
              instance.uuid, action, json.dumps(vif), ns=cloud.hosts[instance.host])


def test_the_guest_gets_its_address_and_its_id_and_a_hot_plugged_nic(cloud):
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

    # a second NIC hot-plugged onto the same bridge, and unplugged: the calls
    # nova-compute makes, run on the guest's host (its namespace, its libvirtd)
    extra = {'id': 'a0b1c2d3-e4f5-4a6b-8c7d-%012x' % random.randrange(16 ** 12),
             'address': 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randrange(256)
                                                         for _ in range(3)),
             'network': json.loads(json.dumps(dict(vif['network']), default=str))}
    extra['devname'] = ('tap' + extra['id'])[:14]
    _hotplug(cloud, instance, 'attach', extra)
    found = wait_for(lambda: (lambda m: m if 'nic eth1 attached mac=%s' % extra['address']
                              in m else None)(lg.markers(api.get_console_output(ctx, instance))),
                     60, 'the guest to see its second NIC')
    assert extra['devname'] in netns.run('ip', '-o', 'link', 'show', 'master', 'br100',
                                         ns=cloud.hosts[instance.host])
    _hotplug(cloud, instance, 'detach', extra)
    wait_for(lambda: 'nic eth1 detached' in lg.markers(api.get_console_output(ctx, instance)),
             60, 'the guest to see its second NIC go')
    assert extra['devname'] not in netns.run('ip', '-o', 'link', 'show',
                                             ns=cloud.hosts[instance.host], check=False)

    api.delete(ctx, api.get(ctx, instance.uuid))
    wait_for(lambda: vif['devname'] not in netns.run(
        'ip', '-o', 'link', 'show', ns=cloud.hosts[instance.host], check=False),
        60, 'the tap gone with the guest')
