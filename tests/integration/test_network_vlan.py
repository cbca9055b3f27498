"""VlanManager on real Linux networking: a network per project, each on its own bridge
and segment, across the lab's simulated hosts (tests/harness/network_lab.py). A
project's instances get DHCP leases from their own network's dnsmasq and reach
each other across hosts; projects never reach each other. Run once with VXLAN
segments (VNI = the network's vlan) and once with 802.1Q VLANs, which is
skipped, with the reason, where the kernel has no 802.1Q.
"""
import random

import pytest

from nova import context as nova_context
from nova.network import api as network_api
from tests.harness import netns
from tests.harness.network_lab import (boot, fixed_ip, guest_address, pings, running_cloud,
                                       wait_for)

CIDRS = ('10.81.0.0/24', '10.82.0.0/24')


@pytest.fixture(scope='module', params=['vxlan', 'vlan'])
def cloud(rabbitmq, tmp_path_factory, request):
    segment = request.param
    reason = netns.unavailable_reason() or (segment == 'vlan' and
                                            netns.vlan_unavailable_reason())
    if reason:
        pytest.skip(reason)

    def prepare(cloud, admin):
        cloud.networks = [network_api.API().create_network(admin, cidr, label=cidr)
                          for cidr in CIDRS]

    flags = dict(network_manager='nova.network.manager.VlanManager', vlan_interface='eth0',
                 network_segment_type=segment, vlan_start=_vlan_start(segment))
    tmp = str(tmp_path_factory.mktemp('vlan'))
    with running_cloud(rabbitmq, tmp, flags, prepare) as cloud:
        cloud.segment = segment
        yield cloud


def _vlan_start(segment):
    """802.1Q ids are 1-4094 and each lab has its own underlay: 100 will do. VXLAN
    VNIs travel on multicast every lab's underlay could meet: a range of our own."""
    if segment == 'vlan':
        return 100
    return 100000 + random.randrange(1000) * 1000 + 500


def _ctx(cloud, project):
    cloud.set_flags()
    return nova_context.RequestContext(user_id='u', project_id=project, roles=['member'],
                                       overwrite=False)


def test_projects_get_their_own_segment_and_never_reach_each_other(cloud):
    a = _ctx(cloud, 'project-a')
    b = _ctx(cloud, 'project-b')
    a1, a2 = boot(a, 2)
    [b1] = boot(b)
    networks = network_api.API().get_all_networks(nova_context.get_admin_context())
    [net_a] = [n for n in networks if n.project_id == 'project-a']
    [net_b] = [n for n in networks if n.project_id == 'project-b']
    assert net_a.uuid != net_b.uuid and net_a.segment_type == cloud.segment
    assert net_a.bridge == 'br%d' % net_a.vlan
    for instance, net in ((a1, net_a), (a2, net_a), (b1, net_b)):
        address = wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease')
        assert address == fixed_ip(instance).address and address.startswith(
            net.cidr.rsplit('.', 2)[0])
    # the segment device is what the kernel has, named after the segment id
    device = ('vx%d' if cloud.segment == 'vxlan' else 'vlan%d') % net_a.vlan
    assert netns.run('ip', '-o', 'link', 'show', device, ns=cloud.hosts['ctl'])
    # one project's instances reach each other (across hosts when the scheduler spread them)
    assert wait_for(lambda: pings(cloud, a1, guest_address(cloud, a2)), 15, 'a1 -> a2')
    # another project's are out of reach, by address and through the network host
    assert not pings(cloud, a1, guest_address(cloud, b1), wait=2)
    assert not pings(cloud, b1, guest_address(cloud, a1), wait=2)
    assert pings(cloud, b1, net_b.gateway)
