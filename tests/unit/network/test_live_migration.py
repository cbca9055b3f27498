"""What nova-network does when an instance changes host by live migration."""
import types

from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.network import ranges


class Casts:
    """The network RPC casts the API makes, recorded instead of sent."""

    def __init__(self):
        self.sent = []

    def refresh_network(self, ctxt, network_id, server):
        self.sent.append((network_id, server))

    def refresh_nat(self, ctxt, server):
        self.sent.append(('nat', server))


def _network(db_ctx, cidr, multi_host):
    layout, addresses = ranges.network_layout(cidr)
    return db.network_create_safe(db_ctx, dict(layout, label=cidr, bridge='br-' + cidr[3:4],
                                               multi_host=multi_host), addresses)


def test_both_hosts_serve_the_instances_multi_host_networks_anew(db_ctx, tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    shared = _network(db_ctx, '10.1.0.0/24', multi_host=True)
    central = _network(db_ctx, '10.2.0.0/24', multi_host=False)
    _network(db_ctx, '10.3.0.0/24', multi_host=True)  # not the instance's: left alone
    instance = types.SimpleNamespace(uuid='7d1c0a4e-0000-4000-8000-000000000001',
                                     project_id='p')
    [(_, _, on_shared), (_, _, on_central)] = db.fixed_ips_allocate(db_ctx, [
        {'instance_uuid': instance.uuid, 'project_id': 'p', 'network_id': network.id,
         'label': network.label} for network in (shared, central)], host='c1')
    db.floating_ip_bulk_create(db_ctx, [{'address': a, 'pool': 'public', 'interface': 'eth0'}
                                        for a in ('192.0.2.50', '192.0.2.51')])
    for floating, fixed, nat_host in (('192.0.2.50', on_shared, 'c1'),
                                      ('192.0.2.51', on_central, 'ctl')):
        db.floating_ip_update(db_ctx, floating, {'project_id': 'p'})
        db.floating_ip_associate(db_ctx, floating, fixed, nat_host, project_id='p')
    api = network_api.API()
    api.network_rpcapi = Casts()
    api.migrate_instance_finish(db_ctx, instance, 'c1', 'c2')
    # DHCP: the destination first (the guest's next request goes there), then the
    # source; NAT: the source drops the floating IP, the destination takes it
    assert api.network_rpcapi.sent == [(shared.id, 'c2'), (shared.id, 'c1'),
                                       ('nat', 'c1'), ('nat', 'c2')]
    # what each host's dnsmasq lists: the address on the multi_host network is dest's
    assert db.network_dhcp_hosts(db_ctx, shared.id, host='c2') != []
    assert db.network_dhcp_hosts(db_ctx, shared.id, host='c1') == []
    assert db.fixed_ip_get_by_address(db_ctx, on_central).host == 'c1'  # not host-local
    assert db.floating_ip_get_by_host(db_ctx, 'c2') == [('192.0.2.50', on_shared, 'eth0')]
    assert db.floating_ip_get_by_host(db_ctx, 'c1') == []
    # the central network's NAT host is not the instance's host: it stays
    assert db.floating_ip_get_by_host(db_ctx, 'ctl') == [('192.0.2.51', on_central, 'eth0')]


def test_an_instance_without_addresses_needs_nothing(db_ctx):
    api = network_api.API()
    api.network_rpcapi = Casts()
    api.migrate_instance_finish(db_ctx, types.SimpleNamespace(uuid='none-here'), 'c1', 'c2')
    assert api.network_rpcapi.sent == []
