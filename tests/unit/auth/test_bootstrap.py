"""First start: the admin account and a private, sourceable novarc; idempotent."""
import os
import stat
import subprocess

from nova.auth import bootstrap
from nova.auth import manager
from nova.conf import CONF


def read_novarc(path):
    """The variables a shell gets from sourcing the file."""
    out = subprocess.run(['bash', '-c', 'set -a; source "$0"; env -0', str(path)],
                         capture_output=True, check=True, env={}).stdout
    return dict(item.split('=', 1) for item in out.decode().split('\0') if '=' in item)


def test_first_call_creates_admin_and_writes_novarc(db_ctx, tmp_path):
    CONF.set_override('public_endpoint_host', 'cloud.example.org')
    path = tmp_path / 'novarc'
    assert bootstrap.ensure_admin(str(path)) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    env = read_novarc(path)
    assert env['OS_AUTH_URL'] == 'http://cloud.example.org:5000/v3'
    assert (env['OS_USERNAME'], env['OS_PROJECT_NAME']) == ('admin', 'admin')
    assert (env['OS_USER_DOMAIN_NAME'], env['OS_PROJECT_DOMAIN_NAME']) == ('Default', 'Default')
    assert (env['OS_REGION_NAME'], env['AWS_DEFAULT_REGION']) == ('RegionOne', 'RegionOne')
    assert (env['OS_IDENTITY_API_VERSION'], env['OS_INTERFACE']) == ('3', 'public')
    assert env['EC2_URL'] == 'http://cloud.example.org:8773/services/Cloud'
    assert env['S3_URL'] == 'http://cloud.example.org:3333'
    assert env['EC2_ACCESS_KEY'] == env['AWS_ACCESS_KEY_ID']
    assert env['EC2_SECRET_KEY'] == env['AWS_SECRET_ACCESS_KEY']
    user = manager.authenticate('admin', env['OS_PASSWORD'])
    project = manager.get_project_by_name(db_ctx, 'admin')
    assert user.default_project_id == project.id
    assert manager.has_role(db_ctx, user.id, project.id, 'admin')
    credential = manager.get_ec2_credentials(db_ctx, env['EC2_ACCESS_KEY'])
    assert credential.secret == env['EC2_SECRET_KEY']


def test_second_call_changes_nothing(db_ctx, tmp_path):
    path = tmp_path / 'novarc'
    bootstrap.ensure_admin(str(path))
    before = path.read_text()
    assert bootstrap.ensure_admin(str(path)) is False
    assert path.read_text() == before
    assert len(manager.list_users(db_ctx)) == 1
    assert len(manager.list_ec2_credentials(db_ctx)) == 1


def test_lost_novarc_gets_a_new_password(db_ctx, tmp_path):
    path = tmp_path / 'novarc'
    bootstrap.ensure_admin(str(path))
    old = read_novarc(path)
    path.unlink()
    assert bootstrap.ensure_admin(str(path)) is False
    new = read_novarc(path)
    assert new['OS_PASSWORD'] != old['OS_PASSWORD']
    assert new['EC2_ACCESS_KEY'] == old['EC2_ACCESS_KEY']
    assert manager.authenticate('admin', new['OS_PASSWORD'])


def test_default_path_is_under_state_path(db_ctx, tmp_path):
    CONF.set_override('state_path', str(tmp_path / 'state'))
    bootstrap.ensure_admin()
    assert (tmp_path / 'state' / 'novarc').exists()
