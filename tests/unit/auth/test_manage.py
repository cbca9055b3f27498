"""nova-manage user, project, role, credentials and bootstrap."""
import io
import subprocess

import pytest

from nova import manage
from nova.auth import manager
from nova.manage import account
from tests.harness import daemons


@pytest.fixture
def flagfile(tmp_path):
    path = daemons.write_flagfile(str(tmp_path / 'nova.flags'), state_path=str(tmp_path),
                                  sql_connection='sqlite:///$state_path/nova.sqlite',
                                  public_endpoint_host='127.0.0.1')
    daemons.manage(path, 'db', 'sync')
    return path


def run(flagfile, *words, check=True):
    return daemons.manage(flagfile, *words, check=check)


def test_users_projects_roles_and_credentials(flagfile):
    # the 'project' account commands are tested in process below (category merge pending)
    assert 'Created the admin user' in run(flagfile, 'bootstrap', 'admin').stdout
    out = run(flagfile, 'user', 'create', 'ann', '--email', 'ann@example.org',
              '--project', 'admin', '--role', 'reader').stdout
    assert 'User ann created' in out and 'Password: ' in out
    out = run(flagfile, 'user', 'create', 'ben', '--password', 'pw').stdout
    assert 'Password' not in out
    listing = run(flagfile, 'user', 'list').stdout.splitlines()
    assert listing[0].split() == ['ID', 'Name', 'Enabled', 'Email', 'Default_Project']
    assert [line.split()[1] for line in listing[2:]] == ['admin', 'ann', 'ben']

    assert run(flagfile, 'role', 'has', 'ann', 'admin', 'reader').stdout.strip() == 'True'
    result = run(flagfile, 'role', 'has', 'ann', 'admin', 'member', check=False)
    assert (result.returncode, result.stdout.strip()) == (1, 'False')
    run(flagfile, 'role', 'add', 'ann', 'admin', 'member')
    assert run(flagfile, 'role', 'has', 'ann', 'admin', 'member').returncode == 0
    run(flagfile, 'role', 'remove', 'ann', 'admin', 'member')
    assert run(flagfile, 'role', 'has', 'ann', 'admin', 'member', check=False).returncode == 1
    bad = run(flagfile, 'role', 'add', 'ann', 'admin', 'boss', check=False)
    assert bad.returncode == 1 and 'Could not find role: boss' in bad.stderr

    out = run(flagfile, 'credentials', 'create', 'ann', 'admin').stdout
    access = out.split('Access: ')[1].split()[0]
    assert len(access) == 20 and len(out.split('Secret: ')[1].split()[0]) == 40
    assert access in run(flagfile, 'credentials', 'list', 'ann').stdout
    refused = run(flagfile, 'credentials', 'create', 'ben', 'admin', check=False)
    assert refused.returncode == 1 and 'has no role on project' in refused.stderr
    run(flagfile, 'credentials', 'delete', access)
    assert access not in run(flagfile, 'credentials', 'list').stdout

    run(flagfile, 'user', 'modify', 'ben', '--password', 'new', '--disable')
    rows = [line.split() for line in run(flagfile, 'user', 'list').stdout.splitlines()]
    assert [row[1:3] for row in rows if row[1] == 'ben'] == [['ben', 'False']]
    assert run(flagfile, 'user', 'modify', 'ben', check=False).returncode == 2
    run(flagfile, 'user', 'delete', 'ben')
    missing = run(flagfile, 'user', 'delete', 'ben', check=False)
    assert missing.returncode == 1 and 'Could not find user: ben' in missing.stderr


def test_bootstrap_writes_a_sourceable_novarc(flagfile, tmp_path):
    novarc = tmp_path / 'rc' / 'novarc'
    run(flagfile, 'bootstrap', 'admin', '--novarc', str(novarc))
    echoed = subprocess.run(['bash', '-c', 'source "$0"; echo $OS_USERNAME $OS_AUTH_URL',
                             str(novarc)], capture_output=True, text=True, check=True)
    assert echoed.stdout.split() == ['admin', 'http://127.0.0.1:5000/v3']
    again = run(flagfile, 'bootstrap', 'admin', '--novarc', str(novarc)).stdout
    assert 'The admin user exists' in again


def dispatch(*words):
    out, err = io.StringIO(), io.StringIO()
    code = manage.dispatch([account.ProjectMembershipCommands], list(words), out, err)
    return code, out.getvalue(), err.getvalue()


def test_project_membership_commands(db_ctx, capsys):
    assert dispatch('project', 'create', 'web', '--description', 'the web team')[0] == 0
    manager.create_user(db_ctx, 'ann')
    assert dispatch('project', 'add', 'web', 'ann')[0] == 0
    web = manager.get_project_by_name(db_ctx, 'web')
    ann = manager.get_user_by_name(db_ctx, 'ann')
    assert [r.name for r in manager.get_roles(db_ctx, ann.id, web.id)] == ['member']
    assert dispatch('project', 'add', 'web', 'ann', '--role', 'admin')[0] == 0
    assert dispatch('project', 'list')[0] == 0
    assert 'the web team' in capsys.readouterr().out
    assert dispatch('project', 'remove', 'web', 'ann')[0] == 0
    assert manager.get_roles(db_ctx, ann.id, web.id) == []
    code, _, err = dispatch('project', 'remove', 'web', 'ann')
    assert code == 1 and 'has no role' in err
    assert dispatch('project', 'delete', 'web')[0] == 0
    assert manager.list_projects(db_ctx) == []
