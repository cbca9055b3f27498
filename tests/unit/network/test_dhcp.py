"""The DHCP pieces without a kernel: the dnsmasq command and hosts file nova-network
writes, and nova-dhcpbridge recording lease events in the database."""
import io
import os
import sys

import pytest

from nova.cmd import dhcpbridge
from nova.conf import CONF
from nova.db import api as db
from nova.network import linux_net, ranges


@pytest.fixture
def network(db_ctx, tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    layout, addresses = ranges.network_layout('10.5.0.0/24')
    return db.network_create_safe(db_ctx, dict(layout, label='private', bridge='br100',
                                               dns1='192.0.2.53', mtu=1400), addresses)


def test_dnsmasq_serves_static_leases_on_the_bridge_and_reports_to_the_bridge_script(network):
    command = linux_net.dnsmasq_command(network)
    assert command[0] == 'dnsmasq'
    assert '--interface=br100' in command and '--listen-address=10.5.0.1' in command
    assert '--dhcp-range=set:net%d,10.5.0.2,static,255.255.255.0,120s' % network.id in command
    assert '--leasefile-ro' in command and '--port=0' in command
    assert any(c.startswith('--dhcp-script=/') and c.endswith('nova-dhcpbridge')
               for c in command)
    assert '--dhcp-option=option:router,10.5.0.1' in command
    assert '--dhcp-option=option:dns-server,192.0.2.53' in command
    assert '--dhcp-option=option:mtu,1400' in command
    hosts = [c for c in command if c.startswith('--dhcp-hostsfile=')][0].split('=', 1)[1]
    assert hosts.startswith(os.path.join(CONF.state_path, 'networks'))


def test_hosts_lines():
    assert linux_net.hosts_lines([('fa:16:3e:00:00:01', 'web', '10.5.0.3')]) == \
        'fa:16:3e:00:00:01,web.novalocal,10.5.0.3\n'


def _bridge(monkeypatch, flagfile, network_id, *argv):
    monkeypatch.setenv('FLAGFILE', flagfile)
    monkeypatch.setenv('NETWORK_ID', str(network_id))
    out = io.StringIO()
    monkeypatch.setattr(sys, 'stdout', out)
    assert dhcpbridge.main(list(argv)) == 0
    return out.getvalue()


def test_dhcpbridge_records_leases_and_gives_them_back_at_init(db_ctx, network, monkeypatch,
                                                               tmp_path):
    flagfile = tmp_path / 'nova.flags'
    flagfile.write_text('--sql_connection=%s\n' % CONF.sql_connection)
    [(vif_id, mac, address)] = db.fixed_ips_allocate(db_ctx, [
        {'instance_uuid': 'i1', 'network_id': network.id, 'label': 'private'}])
    assert _bridge(monkeypatch, str(flagfile), network.id, 'init') == ''
    _bridge(monkeypatch, str(flagfile), network.id, 'add', mac, address, 'vm')
    assert db.fixed_ip_get_by_address(db_ctx, address).leased
    line = _bridge(monkeypatch, str(flagfile), network.id, 'init').split()
    assert line[1:4] == [mac, address, 'host-10-5-0-2'] and int(line[0]) > 0
    _bridge(monkeypatch, str(flagfile), network.id, 'old', 'ff:00:00:00:00:01', address)
    assert db.fixed_ip_get_by_address(db_ctx, address).leased  # a renewal changes nothing
    db.fixed_ips_deallocate_by_instance(db_ctx, 'i1', keep_leased=True)
    assert db.fixed_ip_get_by_address(db_ctx, address).instance_uuid == 'i1'
    _bridge(monkeypatch, str(flagfile), network.id, 'del', mac, address)
    assert db.fixed_ip_get_by_address(db_ctx, address).instance_uuid is None


def test_dhcpbridge_refuses_bad_arguments(capsys):
    assert dhcpbridge.main([]) == 2
    assert dhcpbridge.main(['add', 'fa:16:3e:00:00:01']) == 2
    assert 'needs MAC and IP' in capsys.readouterr().err
