"""nova-manage user, project, role, credentials and bootstrap."""
import contextlib
import io
import subprocess

import pytest

from nova import exception
from nova import manage
from nova.cmd import manage as manage_cmd
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


def cli(*words):
    """nova-manage in this process, on the database of db_ctx: (exit code, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = manage.dispatch(manage_cmd.CATEGORIES, list(words), out, err)
    return code, out.getvalue(), err.getvalue()


def ok(*words):
    code, out, err = cli(*words)
    assert code == 0, 'nova-manage %s failed (%d): %s%s' % (' '.join(words), code, out, err)
    return out


def test_users_projects_roles_and_credentials(db_ctx, synced_db, tmp_path):
    # the real command twice, on the same database: a success and a failure's exit code
    flags = daemons.write_flagfile(str(tmp_path / 'cli.flags'),
                                   state_path=str(tmp_path / 'state'),
                                   sql_connection=synced_db,
                                   public_endpoint_host='127.0.0.1')
    assert 'Created the admin user' in run(flags, 'bootstrap', 'admin').stdout
    # the rest through the same dispatch, in process
    out = ok('user', 'create', 'ann', '--email', 'ann@example.org', '--project', 'admin',
             '--role', 'reader')
    assert 'User ann created' in out and 'Password: ' in out
    assert 'Password' not in ok('user', 'create', 'ben', '--password', 'pw')
    listing = ok('user', 'list').splitlines()
    assert listing[0].split() == ['ID', 'Name', 'Enabled', 'Email', 'Default_Project']
    assert [line.split()[1] for line in listing[2:]] == ['admin', 'ann', 'ben']

    assert ok('role', 'has', 'ann', 'admin', 'reader').strip() == 'True'
    code, out, _ = cli('role', 'has', 'ann', 'admin', 'member')
    assert (code, out.strip()) == (1, 'False')
    ok('role', 'add', 'ann', 'admin', 'member')
    assert cli('role', 'has', 'ann', 'admin', 'member')[0] == 0
    ok('role', 'remove', 'ann', 'admin', 'member')
    assert cli('role', 'has', 'ann', 'admin', 'member')[0] == 1
    bad = run(flags, 'role', 'add', 'ann', 'admin', 'boss', check=False)
    assert bad.returncode == 1 and 'Could not find role: boss' in bad.stderr

    out = ok('credentials', 'create', 'ann', 'admin')
    access = out.split('Access: ')[1].split()[0]
    assert len(access) == 20 and len(out.split('Secret: ')[1].split()[0]) == 40
    assert access in ok('credentials', 'list', 'ann')
    code, _, err = cli('credentials', 'create', 'ben', 'admin')
    assert code == 1 and 'has no role on project' in err
    ok('credentials', 'delete', access)
    assert access not in ok('credentials', 'list')

    ok('user', 'modify', 'ben', '--password', 'new', '--disable')
    rows = [line.split() for line in ok('user', 'list').splitlines()]
    assert [row[1:3] for row in rows if row[1] == 'ben'] == [['ben', 'False']]
    assert cli('user', 'modify', 'ben')[0] == 2
    ok('user', 'delete', 'ben')
    code, _, err = cli('user', 'delete', 'ben')
    assert code == 1 and 'Could not find user: ben' in err


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


def _flags(out):
    return dict(line[2:].split('=', 1) for line in out.splitlines() if line.startswith('--'))


def test_bootstrap_service_user_is_idempotent_and_prints_its_flags(db_ctx):
    out = ok('bootstrap', 'service-user')
    assert 'Created the service user nova in project service (roles admin, service)' in out
    flags = _flags(out)
    assert sorted(flags) == ['image_api_password', 'image_api_project', 'image_api_user']
    assert (flags['image_api_user'], flags['image_api_project']) == ('nova', 'service')
    user = manager.authenticate('nova', flags['image_api_password'])  # the printed one works
    project = manager.get_project_by_name(db_ctx, 'service')
    for role in ('admin', 'service'):
        assert manager.has_role(db_ctx, user.id, project.id, role)

    again = ok('bootstrap', 'service-user')  # a second run changes nothing
    assert 'The service user nova exists in project service' in again
    assert 'password is unchanged' in again
    assert _flags(again) == {'image_api_user': 'nova', 'image_api_project': 'service'}
    manager.authenticate('nova', flags['image_api_password'])

    reset = _flags(ok('bootstrap', 'service-user', '--password', 'N3w-s3rvice-pw'))
    assert reset['image_api_password'] == 'N3w-s3rvice-pw'
    manager.authenticate('nova', 'N3w-s3rvice-pw')
    with pytest.raises(exception.AuthenticationFailed):
        manager.authenticate('nova', flags['image_api_password'])


@pytest.mark.parametrize('words, message', [
    (('--name', 'nova compute'), 'service user name'),
    (('--name', ''), 'service user name'),
    (('--project', 'a#b'), 'service project name'),
    (('--name', 'admin'), 'the admin user cannot be the service user'),
    (('--password', 'short'), '8 to 128 printable characters'),
    (('--password', 'has a blank'), '8 to 128 printable characters'),
])
def test_bootstrap_service_user_refuses_bad_input(db_ctx, words, message):
    code, out, err = cli('bootstrap', 'service-user', *words)
    assert code == 1 and message in err and 'Traceback' not in err + out
    assert manager.list_users(db_ctx) == []  # nothing half made


def test_an_ordinary_user_is_never_made_the_service_user(db_ctx):
    ok('user', 'create', 'carl', '--password', 'carls-own-pw')
    code, _, err = cli('bootstrap', 'service-user', '--name', 'carl')
    assert code == 1 and 'user carl exists and is no service user of project service' in err
    carl = manager.get_user_by_name(db_ctx, 'carl')
    project = manager.get_project_by_name(db_ctx, 'service')
    assert manager.get_roles(db_ctx, carl.id, project.id) == []
    manager.authenticate('carl', 'carls-own-pw')


def test_a_service_user_whose_roles_fail_is_not_left_behind(db_ctx, monkeypatch):
    real_add_role = manager.add_role

    def add_role(context, user_id, project_id, role):
        if role == 'service':
            raise exception.RoleNotFound(role_id=role)
        return real_add_role(context, user_id, project_id, role)
    monkeypatch.setattr(manager, 'add_role', add_role)
    code, _, err = cli('bootstrap', 'service-user')
    assert code == 1 and 'service' in err
    assert [user.name for user in manager.list_users(db_ctx)] == []
    monkeypatch.setattr(manager, 'add_role', real_add_role)
    assert 'Created the service user nova' in ok('bootstrap', 'service-user')  # a rerun
