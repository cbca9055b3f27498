"""nova-manage image bundle (with --bucket) and credentials cacert, run in process."""
import io
import os

import pytest

from nova import manage
from nova.auth import manager
from nova.image.bundle import manifest as bundle_manifest
from nova.manage import account
from nova.manage import image as image_commands
from tests.unit.image.conftest import project


@pytest.fixture
def alice(state, admin):
    found = manager.create_project(admin, 'A')
    user = manager.create_user(admin, 'alice', 'pw', default_project_id=found.id)
    manager.add_role(admin, user.id, found.id, 'member')
    manager.create_project(admin, 'B')
    return user, found


def _run(words, capsys):
    err = io.StringIO()
    code = manage.dispatch([image_commands.ImageCommands, account.CredentialCommands], words,
                           err=err)
    return code, capsys.readouterr().out, err.getvalue()


def test_bundle_into_a_bucket_then_register(tmp_path, cloud_ca, store, svc, alice, capsys):
    user, found = alice
    image = tmp_path / 'vmlinuz'
    image.write_bytes(os.urandom(3000))
    code, out, err = _run(['image', 'bundle', str(image), '--user', 'alice', '--project', 'A',
                           '--bucket', 'kernels', '--folder', 'v1', '--kernel', 'true'], capsys)
    assert code == 0, err
    assert 'ImageLocation=kernels/v1/vmlinuz.manifest.xml' in out
    bucket = store.get_bucket('kernels')
    assert bucket.owner == found.id and not bucket.acl.is_public()
    info, f = store.open_object(bucket, 'v1/vmlinuz.manifest.xml')
    with f:
        parsed = bundle_manifest.parse(f.read())
    assert parsed.image_type == 'kernel' and parsed.user == user.id
    from nova.image.bundle import register
    context = project(found.id)
    registered = register.register(context, svc, 'kernels/v1/vmlinuz.manifest.xml',
                                   {'name': 'k'}, str, spawn=lambda job: job())
    done = svc.show(context, registered['id'])
    assert done['status'] == 'active' and done['disk_format'] == 'aki'
    assert done['properties']['image_state'] == 'available'


def test_bundle_refuses_bad_requests(tmp_path, cloud_ca, store, alice, capsys):
    image = tmp_path / 'disk.img'
    image.write_bytes(b'x' * 100)
    code, _, err = _run(['image', 'bundle', str(image), '--user', 'alice', '--project', 'B',
                         '-d', str(tmp_path / 'o')], capsys)
    assert code == 1 and 'has no role on project' in err
    code, _, err = _run(['image', 'bundle', str(tmp_path / 'missing'), '--user', 'alice',
                         '--project', 'A', '-d', str(tmp_path / 'o')], capsys)
    assert code == 1 and 'is not a file' in err
    code, _, err = _run(['image', 'bundle', str(image), '--user', 'alice', '--project', 'A',
                         '--cert', str(image)], capsys)
    assert code == 2 and '--privatekey' in err
    store.create_bucket('taken', 'someone-else', 'x', 'private')
    code, _, err = _run(['image', 'bundle', str(image), '--user', 'alice', '--project', 'A',
                         '--bucket', 'taken'], capsys)
    assert code == 1 and 'another project' in err


def test_credentials_cacert_prints_and_writes_the_cloud_cert(tmp_path, cloud_ca, state,
                                                              capsys):
    code, out, _ = _run(['credentials', 'cacert'], capsys)
    assert code == 0 and out.encode() == cloud_ca
    code, _, _ = _run(['credentials', 'cacert', str(tmp_path / 'ca.pem')], capsys)
    assert code == 0 and (tmp_path / 'ca.pem').read_bytes() == cloud_ca
