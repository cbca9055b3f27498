"""TgtAdm's commands against a tgtadm that answers like tgtd (no daemon needed):
target ids, idempotent exports, CHAP accounts, rollback of a half-made export."""
import pytest

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.volume import targets
from nova.volume.targets import tgt

SHOW = """Target 1: iqn.2010-10.org.openstack:volume-a
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
    LUN information:
        LUN: 0
            Type: controller
            Backing store path: None
        LUN: 1
            Type: disk
            Size: 1074 MB, Block size: 512
            Backing store path: /v/volume-a
            Backing store flags:
    Account information:
        novaUSER1
    ACL information:
        ALL
Target 3: iqn.other:thing
    System information:
    LUN information:
        LUN: 0
            Backing store path: None
    Account information:
    ACL information:
        10.0.0.1
"""


def test_parse_show():
    assert tgt.parse_show(SHOW) == {
        'iqn.2010-10.org.openstack:volume-a': {
            'tid': 1, 'luns': {0: 'None', 1: '/v/volume-a'}, 'accounts': ['novaUSER1']},
        'iqn.other:thing': {'tid': 3, 'luns': {0: 'None'}, 'accounts': []}}
    assert tgt.parse_show('') == {}


class FakeTgtadm:
    """tgtd's state behind tgtadm's command line."""

    def __init__(self, fail_on=None):
        self.targets, self.accounts, self.commands = {}, set(), []
        self.fail_on = fail_on

    def __call__(self, *cmd, check=True, **kwargs):
        cmd = [str(part) for part in cmd]
        self.commands.append(cmd)
        args = {}
        words = cmd[1:]
        for i, word in enumerate(words):
            if word.startswith('--') and i + 1 < len(words):
                args[word] = words[i + 1]
        mode, op = args.get('--mode'), args.get('--op')
        if self.fail_on == (mode, op):
            return self._fail(cmd, check)
        if (mode, op) == ('target', 'show'):
            return ''.join(
                'Target %d: %s\n    LUN information:\n        LUN: 1\n'
                '            Backing store path: %s\n    Account information:\n%s' % (
                    t['tid'], iqn, t['path'],
                    ''.join('        %s\n' % a for a in t['accounts']))
                for iqn, t in sorted(self.targets.items(), key=lambda i: i[1]['tid'])), ''
        if (mode, op) == ('target', 'new'):
            self.targets[args['--targetname']] = {'tid': int(args['--tid']), 'path': None,
                                                  'accounts': []}
        elif (mode, op) == ('logicalunit', 'new'):
            self._by_tid(args['--tid'])['path'] = args['--backing-store']
        elif (mode, op) == ('account', 'new'):
            if args['--user'] in self.accounts:
                return self._fail(cmd, check)
            self.accounts.add(args['--user'])
        elif (mode, op) == ('account', 'bind'):
            self._by_tid(args['--tid'])['accounts'].append(args['--user'])
        elif (mode, op) == ('account', 'delete'):
            self.accounts.discard(args['--user'])
        elif (mode, op) == ('target', 'delete'):
            self.targets = {i: t for i, t in self.targets.items()
                            if t['tid'] != int(args['--tid'])}
        return '', ''

    def _by_tid(self, tid):
        return next(t for t in self.targets.values() if t['tid'] == int(tid))

    @staticmethod
    def _fail(cmd, check):
        if check:
            raise exception.ProcessExecutionError(cmd=' '.join(cmd), exit_code=22,
                                                  stdout='', stderr='tgtadm: failed')
        return '', 'tgtadm: failed'


@pytest.fixture
def fake(monkeypatch):
    fake = FakeTgtadm()
    monkeypatch.setattr(utils, 'execute', fake)
    return fake


def _target(control_port=4242):
    CONF.set_override('iscsi_ip_address', '192.0.2.10')
    CONF.set_override('iscsi_port', 3261)
    return tgt.TgtAdm(control_port=control_port)


def test_an_export_is_a_target_with_its_lun_account_and_acl(fake):
    target = _target()
    location = target.create_export('volume-a', '/v/volume-a', ('novaU', 'secret'))
    assert location == '192.0.2.10:3261,1 iqn.2010-10.org.openstack:volume-a 1'
    assert all(c[:3] == ['tgtadm', '-C', '4242'] for c in fake.commands)
    made = [c[3:] for c in fake.commands if 'show' not in c]
    assert made == [
        ['--lld', 'iscsi', '--mode', 'target', '--op', 'new', '--tid', '1', '--targetname',
         'iqn.2010-10.org.openstack:volume-a'],
        ['--lld', 'iscsi', '--mode', 'logicalunit', '--op', 'new', '--tid', '1', '--lun',
         '1', '--backing-store', '/v/volume-a'],
        ['--lld', 'iscsi', '--mode', 'account', '--op', 'new', '--user', 'novaU',
         '--password', 'secret'],
        ['--lld', 'iscsi', '--mode', 'account', '--op', 'bind', '--tid', '1', '--user',
         'novaU'],
        ['--lld', 'iscsi', '--mode', 'target', '--op', 'bind', '--tid', '1',
         '--initiator-address', 'ALL']]
    # the lowest free tid; an export as it is stays; a different one is replaced
    assert target.create_export('volume-b', '/v/volume-b', None).split()[0].endswith(',2')
    fake.commands.clear()
    assert target.create_export('volume-a', '/v/volume-a', ('novaU', 'secret')) == location
    assert [c for c in fake.commands if 'show' not in c] == []
    relocated = target.create_export('volume-a', '/v/elsewhere', ('novaU', 'secret'))
    assert relocated.startswith('192.0.2.10:3261,1 ')
    assert target.list_exports() == {'iqn.2010-10.org.openstack:volume-a': '/v/elsewhere',
                                     'iqn.2010-10.org.openstack:volume-b': '/v/volume-b'}


def test_a_file_backed_lun_is_thin_provisioned(fake, tmp_path):
    """A sparse file's holes are reported to initiators (a block copy skips them); a
    block device (LVM) is left as it is."""
    path = tmp_path / 'volume-a'
    path.write_bytes(b'')
    _target().create_export('volume-a', str(path), None)
    assert ['--lld', 'iscsi', '--mode', 'logicalunit', '--op', 'update', '--tid', '1',
            '--lun', '1', '--params', 'thin_provisioning=1'] in [c[3:] for c in fake.commands]


def test_remove_export_drops_the_target_and_its_account(fake):
    target = _target()
    target.create_export('volume-a', '/v/volume-a', ('novaU', 'secret'))
    target.remove_export('volume-a', ('novaU', 'secret'))
    assert fake.targets == {} and fake.accounts == set()
    target.remove_export('volume-a')  # gone: no error


def test_a_leftover_account_is_replaced(fake):
    fake.accounts.add('novaU')
    _target().create_export('volume-a', '/v/volume-a', ('novaU', 'secret'))
    assert fake.targets['iqn.2010-10.org.openstack:volume-a']['accounts'] == ['novaU']


def test_a_half_made_export_is_rolled_back(fake):
    fake.fail_on = ('account', 'bind')
    with pytest.raises(exception.ISCSITargetError, match='volume-a'):
        _target().create_export('volume-a', '/v/volume-a', ('novaU', 'secret'))
    assert fake.targets == {} and fake.accounts == set()


def test_connection_properties_carry_the_portal_and_chap():
    data = _target().connection_properties(
        'vol-uuid', '192.0.2.10:3261,4 iqn.x:volume-a 1', 'CHAP novaU secret')
    assert data == {'target_discovered': False, 'target_portal': '192.0.2.10:3261',
                    'target_iqn': 'iqn.x:volume-a', 'target_lun': 1, 'volume_id': 'vol-uuid',
                    'encrypted': False, 'access_mode': 'rw', 'discard': False,
                    'auth_method': 'CHAP', 'auth_username': 'novaU',
                    'auth_password': 'secret'}


def test_chap_accounts_are_random_and_parse_back():
    one, two = targets.generate_chap(), targets.generate_chap()
    assert one != two and len(one[0]) == 20 and len(one[1]) == 16
    assert targets.parse_auth(targets.format_auth(one)) == one
    assert targets.parse_auth(None) is None


def test_without_a_daemon_and_without_tgtd_start_the_error_says_so(monkeypatch):
    def down(*cmd, **kwargs):
        raise exception.ProcessExecutionError(cmd=' '.join(map(str, cmd)), exit_code=107,
                                              stdout='', stderr='not connected')
    monkeypatch.setattr(utils, 'execute', down)
    CONF.set_override('tgtd_start', False)
    with pytest.raises(exception.ConfigError, match='no tgtd answers on control port 4242'):
        _target().check_for_setup_error()
    assert not _target().is_running()
