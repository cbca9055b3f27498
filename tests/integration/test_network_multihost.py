"""multi_host: each compute host runs nova-network for its own instances (as classic
Nova), so DHCP, the gateway and NAT are local to the host: a guest's lease and
default route come from its own host's address in the network, and its
outbound traffic leaves with its own host's address (--routing_source_ip is
each host's --my_ip). No network host in ctl at all.
"""
import pytest

from nova.network import api as network_api
from tests.harness import netns
from tests.harness.network_lab import (OUTSIDE, boot_on_both_hosts, curl, fixed_ip,
                                       guest_address, guest_ns, pings, running_cloud,
                                       wait_for)

CIDR = '10.79.0.0/24'


@pytest.fixture(scope='module')
def cloud(rabbitmq, tmp_path_factory):
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)

    def prepare(cloud, admin):
        cloud.network = network_api.API().create_network(admin, CIDR, label='private',
                                                         multi_host=True)

    flags = dict(network_manager='nova.network.manager.FlatDHCPManager',
                 flat_interface='vxflat', routing_source_ip='$my_ip')
    with running_cloud(rabbitmq, str(tmp_path_factory.mktemp('multihost')), flags, prepare,
                       flat_vxlan=True, network_hosts=('c1', 'c2')) as cloud:
        yield cloud


def test_each_compute_host_serves_dhcp_gateway_and_nat_for_its_instances(cloud):
    from nova import context as nova_context
    cloud.set_flags()
    ctx = nova_context.RequestContext(user_id='u', project_id='p', roles=['member'],
                                      overwrite=False)
    first, second = boot_on_both_hosts(ctx)
    for instance in (first, second):
        assert wait_for(lambda: guest_address(cloud, instance), 30, 'DHCP lease') == \
            fixed_ip(instance).address
        host_address = cloud.lab.addresses[cloud.lab.name(instance.host)]
        # the gateway is the instance's own host: its outbound traffic leaves as that host
        route = netns.run('ip', 'route', 'show', 'default', ns=guest_ns(cloud, instance))
        gateway = route.split()[2]
        assert gateway in netns.run('ip', '-4', 'addr', 'show', 'br100',
                                    ns=cloud.lab.name(instance.host))
        assert wait_for(lambda: curl(guest_ns(cloud, instance),
                                     'http://%s:8081/' % OUTSIDE)[1], 15,
                        'outbound through its own host') == host_address
    # one network across hosts all the same
    assert wait_for(lambda: pings(cloud, first, guest_address(cloud, second)), 15,
                    'across hosts')
