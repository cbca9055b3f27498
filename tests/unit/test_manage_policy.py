"""nova-manage policy list and check, against a policy file of the test's own."""
import pytest

from nova import policy
from nova.cmd.manage import CATEGORIES
from nova.conf import CONF
from nova.manage import dispatch
from tests.harness import plugin_packages

CREATE = 'os_compute_api:servers:create'
ALL_TENANTS = 'os_compute_api:servers:index:get_all_tenants'
SHOW = 'os_compute_api:servers:show'


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('"%s": "role:admin"\n"nova:not_a_rule": "@"\n' % CREATE)
    CONF.set_override('policy_file', str(path))
    policy.reset()
    yield path
    policy.reset()


def run(capsys, *words):
    code = dispatch(CATEGORIES, ['policy', *words])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(out):
    return {line.split()[0]: line.split()[1:] for line in out.splitlines()[3:]}


def test_list_shows_every_rule_with_default_and_override(capsys, policy_file):
    code, out, _ = run(capsys, 'list')
    assert code == 0
    assert out.splitlines()[0] == 'Policy file: %s' % policy_file
    rows = _rows(out)
    for default in policy.defaults():
        name = default.name if default.name != CREATE else '*' + CREATE
        assert name in rows
    assert rows['*' + CREATE] == ['rule:project_member_or_admin', 'role:admin']
    assert rows[ALL_TENANTS] == ['rule:context_is_admin', 'rule:context_is_admin']
    assert rows['*nova:not_a_rule'] == ['(not', 'a', 'Nova', 'rule)', '@']


def test_list_filters_and_says_when_the_file_is_missing(capsys, tmp_path):
    CONF.set_override('policy_file', str(tmp_path / 'absent.yaml'))
    policy.reset()
    code, out, _ = run(capsys, 'list', 'servers:show')
    assert code == 0 and '(missing: the defaults apply)' in out.splitlines()[0]
    assert set(_rows(out)) == {SHOW, 'os_compute_api:servers:show:flavor-extra-specs',
                               'os_compute_api:servers:show:host_status'}


def test_check_follows_roles_targets_and_the_file(capsys, policy_file):
    code, out, _ = run(capsys, 'check', '--user', 'u1', '--project', 'p1', '--role', 'member',
                       CREATE, SHOW, ALL_TENANTS)
    assert code == 0 and 'roles member, reader' in out
    # the file made create admin-only; show is the default reader rule
    results = dict(line.split() for line in out.splitlines()[4:])
    assert results == {CREATE: 'denied', SHOW: 'allowed', ALL_TENANTS: 'denied'}

    code, out, _ = run(capsys, 'check', '--user', 'u1', '--project', 'p1', '--role', 'admin',
                       CREATE, ALL_TENANTS)
    assert code == 0 and 'roles admin, manager, member, reader' in out
    assert dict(line.split() for line in out.splitlines()[4:]) == {
        CREATE: 'allowed', ALL_TENANTS: 'allowed'}

    code, out, _ = run(capsys, 'check', '--user', 'u1', '--project', 'p1', '--role', 'reader',
                       '--target-project', 'p2', SHOW)
    assert code == 0 and dict(line.split() for line in out.splitlines()[4:]) == {
        SHOW: 'denied'}


def test_check_rejects_bad_input_with_a_message(capsys, policy_file):
    code, out, err = run(capsys, 'check', '--user', 'u1', '--project', 'p1', SHOW,
                         'nova:not_a_rule')
    assert code == 1 and 'Policy rule nova:not_a_rule is not defined' in err and not out
    code, _, err = run(capsys, 'check', '--project', 'p1', SHOW)
    assert code == 2 and 'required: --user' in err
    code, _, err = run(capsys, 'check', '--user', 'u1', '--project', 'p1')
    assert code == 2 and 'required: RULE' in err
    code, _, err = run(capsys, 'check', '--user', 'u1', '--project', 'p1', '--role', ' ', SHOW)
    assert code == 2 and '--role must not be empty' in err


def test_unparsable_policy_file_is_named(capsys, policy_file):
    policy_file.write_text('"%s": [unclosed\n' % CREATE)
    for words in (['list'], ['check', '--user', 'u', '--project', 'p', CREATE]):
        code, out, err = run(capsys, *words)
        assert code == 1 and not out
        assert 'Policy file %s cannot be parsed' % policy_file in err


def test_installed_api_plugins_rules_are_listed_and_checked(capsys, policy_file, monkeypatch,
                                                             tmp_path):
    plugin_packages.install(monkeypatch, tmp_path, """
from nova.api.openstack.compute import plugins


class Shoes(plugins.APIPlugin):
    name, alias = 'Shoes', 'mycorp-shoes'
    policy_rules = [('mycorp:shoes:create', 'rule:context_is_admin', 'Add a shoe.')]
""", {'nova.api.v21.extensions': {'shoes': '{module}:Shoes'}})
    try:
        code, out, _ = run(capsys, 'list', 'mycorp')
        assert code == 0
        assert _rows(out) == {'mycorp:shoes:create': ['rule:context_is_admin'] * 2}
        code, out, _ = run(capsys, 'check', '--user', 'u', '--project', 'p', '--role',
                           'member', 'mycorp:shoes:create')
        assert code == 0 and 'mycorp:shoes:create  denied' in ' '.join(out.split('|'))
    finally:
        policy.forget_plugin_rules()
