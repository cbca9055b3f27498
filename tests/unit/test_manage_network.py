"""nova-manage network, floating and fixed on a fresh SQLite database: classic
option names, tables, and a message with exit 1 (2 for usage) on every refusal."""
import pytest

from nova import context as nova_context
from nova.cmd import manage as manage_cmd
from nova.db import api as db
from nova.manage import dispatch
from nova.network import api as network_api
from tests.harness import osapi_clients


@pytest.fixture
def run(tmp_path, capsys):
    osapi_clients.database(str(tmp_path))

    def _run(*words):
        code = dispatch(manage_cmd.CATEGORIES, list(words))
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return _run


def _rows(out):
    return [line.split() for line in out.splitlines()[2:]]


def test_network_create_list_modify_delete(run):
    code, out, err = run('network', 'create', '--label', 'private',
                         '--fixed_range_v4', '10.0.0.0/24', '--dns1', '10.0.0.2')
    assert code == 0, err
    assert 'Network private (10.0.0.0/24) created with uuid' in out
    [row] = _rows(run('network', 'list')[1])  # blank cells (IPv6, DNS2, ...) collapse
    assert row[1:] == ['private', '10.0.0.0/24', '10.0.0.1', '10.0.0.2', '10.0.0.2', 'False']
    code, out, err = run('network', 'modify', 'private', '--project', 'proj-a',
                         '--host', 'nethost', '--mtu', '1400')
    assert code == 0, err
    network = network_api.API().get_all_networks(nova_context.get_admin_context())[0]
    assert (network.project_id, network.host, network.mtu) == ('proj-a', 'nethost', 1400)
    assert run('network', 'modify', '10.0.0.0/24', '--disassociate-project',
               '--disassociate-host')[0] == 0
    network = network_api.API().get_all_networks(nova_context.get_admin_context())[0]
    assert (network.project_id, network.host) == (None, None)
    code, out, err = run('network', 'delete', network.uuid)
    assert code == 0 and 'deleted' in out
    assert _rows(run('network', 'list')[1]) == []


def test_several_networks_carved_from_a_range(run):
    code, out, err = run('network', 'create', '--label', 'proj', '--fixed_range_v4',
                         '10.1.0.0/22', '--num_networks', '3', '--network_size', '256')
    assert code == 0, err
    rows = _rows(run('network', 'list')[1])
    assert [(r[1], r[2]) for r in rows] == [('proj_1', '10.1.0.0/24'), ('proj_2', '10.1.1.0/24'),
                                            ('proj_3', '10.1.2.0/24')]
    # one that does not fit leaves nothing behind
    code, out, err = run('network', 'create', '--label', 'x', '--fixed_range_v4',
                         '10.1.3.0/24', '--num_networks', '2', '--network_size', '256')
    assert code == 1 and 'do not fit in 10.1.3.0/24' in err
    code, out, err = run('network', 'create', '--label', 'x', '--fixed_range_v4',
                         '10.2.0.0/23', '--num_networks', '2', '--vlan', '100')
    assert code == 1 and 'no VLAN/VXLAN segment' in err  # FlatManager
    assert len(_rows(run('network', 'list')[1])) == 3


def test_network_refusals_are_messages_and_exit_codes(run, tmp_path):
    assert run('network', 'create', '--label', 'a', '--fixed_range_v4', '10.0.0.0/24')[0] == 0
    for words, code, words_in_err in (
            (('network', 'create', '--fixed_range_v4', '10.0.0.128/25'), 1,
             'conflicts with existing cidr (10.0.0.0/24)'),
            (('network', 'create', '--fixed_range_v4', '10.0.0.0/33'), 1, 'not a valid CIDR'),
            (('network', 'create', '--fixed_range_v4', '10.0.0.0/8'), 1, 'at most 65536'),
            (('network', 'create', '--label', 'b'), 2, '--fixed_range_v4'),
            (('network', 'create', '--fixed_range_v4', '10.5.0.0/24', '--dns1', 'x'), 1,
             "dns1 'x' is not an IP address"),
            (('network', 'delete', 'nowhere'), 1, 'nowhere could not be found'),
            (('network', 'delete'), 2, 'name the network'),
            (('network', 'modify', 'a'), 2, 'nothing to change'),
            (('network', 'modify', 'a', '--mtu', '10'), 1, 'mtu must be between'),
            (('fixed', 'reserve', '10.9.9.9'), 1, 'Fixed IP not found for address 10.9.9.9'),
            (('fixed', 'reserve', 'bogus'), 1, "'bogus' is not an IP address"),
            (('fixed', 'reserve'), 2, 'give the address')):
        result = run(*words)
        assert result[0] == code, (words, result)
        assert words_in_err in result[2], (words, result)


def test_a_network_in_use_is_not_deleted(run):
    assert run('network', 'create', '--label', 'a', '--fixed_range_v4', '10.0.0.0/29')[0] == 0
    ctxt = nova_context.get_admin_context()
    [network] = network_api.API().get_all_networks(ctxt)
    db.fixed_ips_allocate(ctxt, [{'instance_uuid': 'i-1', 'network_id': network.id,
                                  'label': 'a'}])
    code, out, err = run('network', 'delete', 'a')
    assert code == 1 and 'still in use' in err
    rows = _rows(run('fixed', 'list')[1])
    assert [(r[0], r[2], r[-1]) for r in rows] == [('10.0.0.0/29', 'i-1', 'allocated')]
    assert len(_rows(run('fixed', 'list', '--all', '--network', 'a')[1])) == 8
    code, out, err = run('fixed', 'reserve', rows[0][1])
    assert code == 1 and 'it is i-1' in err


def test_fixed_reserve_unreserve(run):
    assert run('network', 'create', '--label', 'a', '--fixed_range_v4', '10.0.0.0/29')[0] == 0
    assert run('fixed', 'reserve', '--address', '10.0.0.5')[0] == 0
    rows = {r[1]: r[-1] for r in _rows(run('fixed', 'list', '--all')[1])}
    assert rows['10.0.0.5'] == 'reserved' and rows['10.0.0.4'] == 'free'
    assert run('fixed', 'unreserve', '10.0.0.5')[0] == 0
    assert {r[1]: r[-1] for r in _rows(run('fixed', 'list', '--all')[1])}['10.0.0.5'] == 'free'


def test_floating_create_list_delete(run):
    code, out, err = run('floating', 'create', '172.24.4.0/30', '--pool', 'public',
                         '--interface', 'eth1')
    assert code == 0 and '2 floating IP(s) of 172.24.4.0/30 added' in out, err
    assert run('floating', 'create', '--ip_range', '172.24.5.9')[0] == 0
    rows = _rows(run('floating', 'list')[1])
    assert rows == [['172.24.4.1', 'public', 'eth1'], ['172.24.4.2', 'public', 'eth1'],
                    ['172.24.5.9', 'nova']]  # blank cells (project, instance) collapse
    assert [r[0] for r in _rows(run('floating', 'list', '--pool', 'nova')[1])] == [
        '172.24.5.9']
    code, out, err = run('floating', 'create', '172.24.4.2')
    assert code == 1 and 'Floating IP 172.24.4.2 already exists' in err
    code, out, err = run('floating', 'create', '172.24.0.0/8')
    assert code == 1 and 'at most 65536' in err
    code, out, err = run('floating', 'create', 'somewhere')
    assert code == 1 and 'not an IP address or CIDR' in err
    assert run('floating', 'delete', '172.24.4.0/30')[0] == 0
    code, out, err = run('floating', 'delete', '172.24.4.0/30')
    assert code == 1 and 'not found' in err
    assert [r[0] for r in _rows(run('floating', 'list')[1])] == ['172.24.5.9']
