"""nova.compute.keypairs: generation, import, OpenSSH fingerprints, names, quota."""
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from nova import context as nova_context
from nova import exception
from nova.compute import keypairs
from nova.conf import CONF
from nova.db import api as db

from tests.unit.db import conftest as db_fixtures

# the DB fixtures of tests/unit/db: a migrated SQLite database and an admin context
ctx, db_ctx, empty_db, synced_db = (db_fixtures.ctx, db_fixtures.db_ctx, db_fixtures.empty_db,
                                    db_fixtures.synced_db)

# a fixed key and what `ssh-keygen -l -E md5|sha256 -f` (OpenSSH 9) prints for it
KNOWN_KEY = ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMmpnD3xmnOEuw1pPQE5AWdbLYo7nj0NuC2ApZX8UK8p'
             ' test@example')
KNOWN_MD5 = 'da:5b:99:5d:61:16:f6:aa:e6:c7:e2:ca:80:cc:3f:1f'
KNOWN_SHA256 = 'SHA256:4lo+Z705g6+WyR86aijg8VK7byjJcGb0BeBPI5rG9V4'
SSH_KEYGEN = shutil.which('ssh-keygen')


def _user_ctx(project_id='p1'):
    return nova_context.RequestContext(user_id='u1', project_id=project_id, overwrite=False)


def _ssh_keygen_fingerprint(tmp_path, public_key, hash_name):
    path = tmp_path / ('key-%s.pub' % hash_name)
    path.write_text(public_key + '\n')
    out = subprocess.run([SSH_KEYGEN, '-l', '-E', hash_name, '-f', str(path)],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def _ssh_keygen_key(tmp_path, key_type, bits=None):
    path = tmp_path / ('id_%s_%s' % (key_type, bits))
    subprocess.run([SSH_KEYGEN, '-q', '-t', key_type, '-N', '', '-f', str(path)] +
                   (['-b', str(bits)] if bits else []), check=True)
    return (tmp_path / (path.name + '.pub')).read_text().strip()


def test_known_vector():
    assert keypairs.fingerprint(KNOWN_KEY) == KNOWN_MD5
    assert keypairs.fingerprint_sha256(KNOWN_KEY) == KNOWN_SHA256


@pytest.mark.skipif(SSH_KEYGEN is None, reason='ssh-keygen is not installed')
def test_known_vector_is_what_ssh_keygen_prints(tmp_path):
    assert _ssh_keygen_fingerprint(tmp_path, KNOWN_KEY, 'md5') == 'MD5:' + KNOWN_MD5
    assert _ssh_keygen_fingerprint(tmp_path, KNOWN_KEY, 'sha256') == KNOWN_SHA256


@pytest.mark.skipif(SSH_KEYGEN is None, reason='ssh-keygen is not installed')
@pytest.mark.parametrize('key_type, bits', [('rsa', 2048), ('ed25519', None),
                                            ('ecdsa', 256), ('ecdsa', 384), ('ecdsa', 521)])
def test_fingerprints_match_ssh_keygen(tmp_path, key_type, bits):
    public_key = _ssh_keygen_key(tmp_path, key_type, bits)
    assert 'MD5:' + keypairs.fingerprint(public_key) == _ssh_keygen_fingerprint(
        tmp_path, public_key, 'md5')
    assert keypairs.fingerprint_sha256(public_key) == _ssh_keygen_fingerprint(
        tmp_path, public_key, 'sha256')


def test_generated_key_is_rsa_2048_and_matches_its_public_half(tmp_path):
    private_pem, public_key, fingerprint = keypairs.generate_ssh_key()
    assert private_pem.startswith('-----BEGIN RSA PRIVATE KEY-----')
    assert public_key.startswith('ssh-rsa ') and public_key.endswith(' Generated-by-Nova')
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert key.key_size == 2048
    derived = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                            serialization.PublicFormat.OpenSSH).decode()
    assert public_key.split()[:2] == derived.split()
    assert fingerprint == keypairs.fingerprint(public_key)
    if SSH_KEYGEN:
        assert _ssh_keygen_fingerprint(tmp_path, public_key, 'md5') == 'MD5:' + fingerprint


@pytest.mark.parametrize('public_key', [
    '', 'ssh-rsa', 'ssh-dss AAAAB3NzaC1kc3MAAACBAP', 'ssh-rsa not-base64!',
    'ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIMmpnD3xmnOEuw1pPQE5AWdbLYo7nj0NuC2ApZX8UK8p',
    'ssh-ed25519 AAAA', 12])
def test_invalid_public_keys(public_key):
    with pytest.raises(exception.InvalidKeypair):
        keypairs.fingerprint(public_key)


@pytest.mark.parametrize('name', ['', 'x' * 256, 'a/b', 'a\nb', 'semi;colon'])
def test_invalid_names(name):
    with pytest.raises(exception.InvalidKeypair, match='name'):
        keypairs.validate_name(name)


def test_valid_names():
    for name in ('my key', 'user@host', 'a.b-c_d', 'clé'):
        assert keypairs.validate_name(name) == name


def test_create_import_get_delete(db_ctx):
    ctxt = _user_ctx()
    row, private_key = keypairs.create_key_pair(ctxt, 'u1', 'gen')
    assert row.type == 'ssh' and 'PRIVATE KEY' in private_key
    assert 'PRIVATE' not in (row.public_key or '')
    imported = keypairs.import_key_pair(ctxt, 'u1', 'mine', KNOWN_KEY + '\n')
    assert (imported.fingerprint, imported.public_key) == (KNOWN_MD5, KNOWN_KEY)
    with pytest.raises(exception.KeyPairExists):
        keypairs.import_key_pair(ctxt, 'u1', 'mine', KNOWN_KEY)
    assert [k.name for k in keypairs.get_key_pairs(ctxt, 'u1')] == ['gen', 'mine']
    assert keypairs.get_key_pair(ctxt, 'u1', 'gen').fingerprint == row.fingerprint
    keypairs.delete_key_pair(ctxt, 'u1', 'gen')
    with pytest.raises(exception.KeypairNotFound):
        keypairs.get_key_pair(ctxt, 'u1', 'gen')
    with pytest.raises(exception.InvalidKeypair, match='type'):
        keypairs.import_key_pair(ctxt, 'u1', 'k', KNOWN_KEY, key_type='pgp')


def test_x509_generate_and_import(db_ctx, tmp_path):
    ctxt = _user_ctx()
    row, private_key = keypairs.create_key_pair(ctxt, 'u1', 'cert', key_type='x509')
    assert row.type == 'x509' and row.public_key.startswith('-----BEGIN CERTIFICATE-----')
    assert len(row.fingerprint.split(':')) == 20  # SHA-1
    imported = keypairs.import_key_pair(ctxt, 'u1', 'cert2', row.public_key, key_type='x509')
    assert imported.fingerprint == row.fingerprint
    if shutil.which('openssl'):
        pem = tmp_path / 'cert.pem'
        pem.write_text(row.public_key)
        out = subprocess.run(['openssl', 'x509', '-noout', '-fingerprint', '-sha1', '-in',
                              str(pem)], capture_output=True, text=True, check=True).stdout
        assert out.strip().split('=', 1)[1].lower() == row.fingerprint
    with pytest.raises(exception.InvalidKeypair, match='x509'):
        keypairs.import_key_pair(ctxt, 'u1', 'bad', KNOWN_KEY, key_type='x509')


def test_key_pairs_quota_from_flag_and_project_override(db_ctx):
    CONF.set_override('quota_key_pairs', 2)
    ctxt = _user_ctx()
    keypairs.import_key_pair(ctxt, 'u1', 'a', KNOWN_KEY)
    keypairs.import_key_pair(ctxt, 'u1', 'b', KNOWN_KEY)
    with pytest.raises(exception.OverQuota, match='key_pairs'):
        keypairs.import_key_pair(ctxt, 'u1', 'c', KNOWN_KEY)
    db.quota_create_or_update(db_ctx, 'p1', 'key_pairs', 3)
    keypairs.import_key_pair(ctxt, 'u1', 'c', KNOWN_KEY)
    db.quota_create_or_update(db_ctx, 'p1', 'key_pairs', -1)
    for i in range(5):
        keypairs.import_key_pair(ctxt, 'u1', 'n%d' % i, KNOWN_KEY)
    assert db.key_pair_count_by_user(db_ctx, 'u1') == 8
