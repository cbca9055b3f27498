"""Bundles made by make_bundle, stored in the objectstore, registered into the image
service: the happy path through every state, and each way a bundle can be bad."""
import binascii
import gzip
import io
import os
import tarfile

import pytest

from nova import crypto
from nova import exception
from nova.image.bundle import cipher
from nova.image.bundle import make
from nova.image.bundle import manifest as bundle_manifest
from nova.image.bundle import register
from tests.unit.image.conftest import project

PART = 256 * 1024


def _image(tmp_path, size=3 * PART + 1000, name='disk.img'):
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def _bundle(tmp_path, cloud_ca, user_keys, **kwargs):
    key, cert = user_keys
    image = kwargs.pop('image', None) or _image(tmp_path)
    out = tmp_path / 'out'
    manifest_path, parts = make.make_bundle(str(image), str(out), cloud_ca, cert, key,
                                            user='u-p1', part_size=PART, **kwargs)
    return image, manifest_path, parts


def _upload(store, paths, bucket='bundles', owner='p1'):
    try:
        target = store.get_bucket(bucket)
    except exception.BucketNotFound:
        target = store.create_bucket(bucket, owner, owner, 'private')
    for path in paths:
        with open(path, 'rb') as f:
            store.put_object(target, os.path.basename(path), [f.read()],
                             {'content_type': 'application/octet-stream', 'headers': {},
                              'meta': {}, 'acl': 'private'})


class Recorder:
    """Runs the background job at once and remembers every image_state it set."""

    def __init__(self, svc):
        self.svc, self.states = svc, []
        original = svc.update

        def update(context, image_id, values, **kwargs):
            self.states.append(values['properties']['image_state'])
            return original(context, image_id, values, **kwargs)
        svc.update = update

    def register(self, context, location, values=None, resolve=None):
        return register.register(context, self.svc, location, values or {'name': 'bundled'},
                                 resolve or (lambda ec2_id: 'uuid-of-' + ec2_id),
                                 spawn=lambda job: job())


def test_bundle_parts_manifest_and_signature(tmp_path, cloud_ca, user_keys):
    image, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    assert [os.path.basename(p) for p in parts] == ['disk.img.part.%02d' % i
                                                    for i in range(len(parts))]
    assert len(parts) >= 3 and all(os.path.getsize(p) == PART for p in parts[:-1])
    with open(manifest_path, 'rb') as f:
        parsed = bundle_manifest.parse(f.read())
    assert parsed.size == image.stat().st_size
    assert parsed.bundled_size == sum(os.path.getsize(p) for p in parts)
    assert crypto.verify(user_keys[1], parsed.signature, parsed.signed_text())
    assert not crypto.verify(user_keys[1], parsed.signature, parsed.signed_text() + b' ')
    # the user can decrypt the key too, and it is the one the cloud gets
    user_key = crypto.load_private_key(user_keys[0])
    from cryptography.hazmat.primitives.asymmetric import padding
    hex_key = user_key.decrypt(parsed.user_encrypted_key, padding.PKCS1v15())
    assert hex_key == crypto.decrypt_with_cloud_key(parsed.ec2_encrypted_key)
    # encrypted: the image bytes appear nowhere in the parts
    assert image.read_bytes()[:64] not in b''.join(open(p, 'rb').read() for p in parts)


def test_register_goes_through_every_state_to_available(tmp_path, cloud_ca, user_keys,
                                                        store, svc, p1):
    image, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys,
                                          kernel_id='aki-00000007')
    _upload(store, parts + [manifest_path])
    recorder = Recorder(svc)
    registered = recorder.register(p1, 'bundles/disk.img.manifest.xml')
    assert registered['disk_format'] == 'ami' and registered['status'] == 'queued'
    assert registered['properties']['image_state'] == 'pending'
    assert recorder.states == ['downloading', 'decrypting', 'untarring', 'uploading',
                               'available']
    done = svc.show(p1, registered['id'])
    assert done['status'] == 'active' and done['size'] == image.stat().st_size
    assert done['properties']['kernel_id'] == 'uuid-of-aki-00000007'
    assert done['properties']['image_location'] == 'bundles/disk.img.manifest.xml'
    _, chunks = svc.download(p1, registered['id'])
    assert b''.join(chunks) == image.read_bytes()
    assert os.listdir(tmp_path / 'decrypt') == []  # scratch files removed


def test_kernel_bundle_is_an_aki(tmp_path, cloud_ca, user_keys, store, svc, p1):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys, image_type='kernel',
                                      image=_image(tmp_path, 5000, 'vmlinuz'))
    _upload(store, parts + [manifest_path])
    registered = Recorder(svc).register(p1, '/bundles/vmlinuz.manifest.xml')
    assert registered['disk_format'] == registered['container_format'] == 'aki'
    assert svc.show(p1, registered['id'])['status'] == 'active'


def _final(svc, context, image):
    props = svc.show(context, image['id'])['properties']
    return props['image_state'], props.get('image_state_reason')


def test_bundle_for_another_cloud_fails_decrypt_with_reason(tmp_path, cloud_ca, user_keys,
                                                            store, svc, p1, other_cloud_cert):
    _, manifest_path, parts = _bundle(tmp_path, other_cloud_cert, user_keys)
    _upload(store, parts + [manifest_path])
    image = Recorder(svc).register(p1, 'bundles/disk.img.manifest.xml')
    state, reason = _final(svc, p1, image)
    assert state == 'failed_decrypt' and 'this cloud' in reason
    assert svc.show(p1, image['id'])['status'] == 'queued'  # never active


def test_corrupt_ciphertext_fails_decrypt(tmp_path, cloud_ca, user_keys, store, svc, p1):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    with open(parts[-1], 'r+b') as f:  # a truncated last part, digest updated to match
        f.truncate(os.path.getsize(parts[-1]) - 5)
    with open(manifest_path, 'rb') as f:
        parsed = bundle_manifest.parse(f.read())
    import hashlib
    parsed.parts[-1].digest = hashlib.sha1(open(parts[-1], 'rb').read()).hexdigest()
    with open(manifest_path, 'wb') as f:
        f.write(parsed.to_xml())
    _upload(store, parts + [manifest_path])
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/disk.img.manifest.xml'))
    assert state == 'failed_decrypt' and 'AES blocks' in reason


def test_tampered_part_fails_download(tmp_path, cloud_ca, user_keys, store, svc, p1):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    with open(parts[1], 'r+b') as f:
        f.write(b'X')
    _upload(store, parts + [manifest_path])
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/disk.img.manifest.xml'))
    assert state == 'failed_download' and 'disk.img.part.01' in reason and 'SHA-1' in reason


def test_missing_part_fails_download(tmp_path, cloud_ca, user_keys, store, svc, p1):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    _upload(store, parts[:-1] + [manifest_path])
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/disk.img.manifest.xml'))
    assert state == 'failed_download' and 'missing' in reason


def _hostile_bundle(tmp_path, cloud_ca, members):
    """A bundle whose tar holds the given (name, data, type) members."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w') as tar:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = '/etc/passwd'
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    hex_key, hex_iv = cipher.new_key_iv()
    encryptor = cipher.Encryptor(hex_key, hex_iv)
    body = encryptor.update(gzip.compress(raw.getvalue())) + encryptor.finish()
    part = tmp_path / 'evil.part.0'
    part.write_bytes(body)
    manifest = bundle_manifest.Manifest(
        name='disk.img', image_type='machine', parts=[bundle_manifest.Part(part.name)],
        ec2_encrypted_key=crypto.encrypt_for(cloud_ca, hex_key),
        ec2_encrypted_iv=crypto.encrypt_for(cloud_ca, hex_iv))
    manifest_path = tmp_path / 'evil.manifest.xml'
    manifest_path.write_bytes(manifest.to_xml())
    return [str(part), str(manifest_path)]


@pytest.mark.parametrize('member, why', [
    ('../escaped.img', '.. path'), ('/tmp/absolute.img', 'absolute'),
    ('a/../../escaped.img', '.. path')])
def test_tar_members_escaping_the_scratch_dir_are_refused(tmp_path, cloud_ca, store, svc,
                                                          p1, member, why):
    paths = _hostile_bundle(tmp_path, cloud_ca, [(member, b'evil', tarfile.REGTYPE),
                                                 ('disk.img', b'fine', tarfile.REGTYPE)])
    _upload(store, paths)
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/evil.manifest.xml'))
    assert state == 'failed_untar' and why in reason and member in reason
    assert not (tmp_path / 'escaped.img').exists()
    assert not os.path.exists('/tmp/absolute.img')
    assert os.listdir(tmp_path / 'decrypt') == []


def test_links_in_the_tar_are_refused(tmp_path, cloud_ca, store, svc, p1):
    _upload(store, _hostile_bundle(tmp_path, cloud_ca, [('disk.img', b'', tarfile.SYMTYPE)]))
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/evil.manifest.xml'))
    assert state == 'failed_untar' and 'links' in reason


def test_not_a_tar_fails_untar(tmp_path, cloud_ca, store, svc, p1):
    paths = _hostile_bundle(tmp_path, cloud_ca, [])
    hex_key, hex_iv = cipher.new_key_iv()
    encryptor = cipher.Encryptor(hex_key, hex_iv)
    with open(paths[0], 'wb') as f:
        f.write(encryptor.update(b'plain text, not gzip') + encryptor.finish())
    parsed = bundle_manifest.parse(open(paths[1], 'rb').read())
    parsed.ec2_encrypted_key = crypto.encrypt_for(cloud_ca, hex_key)
    parsed.ec2_encrypted_iv = crypto.encrypt_for(cloud_ca, hex_iv)
    open(paths[1], 'wb').write(parsed.to_xml())
    _upload(store, paths)
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/evil.manifest.xml'))
    assert state == 'failed_untar' and 'gzipped tar' in reason


def test_another_projects_bundle_cannot_be_registered(tmp_path, cloud_ca, user_keys, store,
                                                      svc):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    _upload(store, parts + [manifest_path])
    with pytest.raises(exception.Forbidden):
        Recorder(svc).register(project('p2'), 'bundles/disk.img.manifest.xml')
    assert svc.detail(project('p2')) == []


@pytest.mark.parametrize('location, error', [
    ('bundles', exception.InvalidBundle), ('bundles/disk.img', exception.InvalidBundle),
    ('nosuchbucket/x.manifest.xml', exception.BucketNotFound),
    ('bundles/missing.manifest.xml', exception.ObjectNotFound)])
def test_bad_locations_are_client_errors(tmp_path, cloud_ca, store, svc, p1, location, error):
    store.create_bucket('bundles', 'p1', 'p1', 'private')
    with pytest.raises(error) as raised:
        Recorder(svc).register(p1, location)
    assert raised.value.code in (400, 404)


def test_decrypt_stream_rejects_a_wrong_key():
    hex_key, hex_iv = cipher.new_key_iv()
    encryptor = cipher.Encryptor(hex_key, hex_iv)
    body = encryptor.update(b'x' * 1000) + encryptor.finish()
    assert b''.join(cipher.decrypt_stream(hex_key, hex_iv, [body[:17], body[17:]])) \
        == b'x' * 1000
    wrong = binascii.hexlify(os.urandom(16))
    with pytest.raises(cipher.DecryptError):
        b''.join(cipher.decrypt_stream(wrong, hex_iv, [body]))


def test_registrations_of_a_dead_process_are_failed_as_interrupted(tmp_path, cloud_ca,
                                                                   user_keys, store, svc, p1):
    import subprocess
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    _upload(store, parts + [manifest_path])
    never_run = []
    mine = register.register(p1, svc, 'bundles/disk.img.manifest.xml', {'name': 'mine'},
                             str, spawn=never_run.append)
    orphan = register.register(p1, svc, 'bundles/disk.img.manifest.xml', {'name': 'orphan'},
                               str, spawn=never_run.append)
    dead = subprocess.Popen(['true'])
    dead.wait()
    host = register.worker().split(':')[0]
    svc.update(p1, orphan['id'], {'properties': {'image_state': 'decrypting',
                                                 'bundle_worker': '%s:%d:x' % (host, dead.pid)}})
    elsewhere = register.register(p1, svc, 'bundles/disk.img.manifest.xml', {'name': 'other'},
                                  str, spawn=never_run.append)
    svc.update(p1, elsewhere['id'], {'properties': {'bundle_worker': 'otherhost:1:x'}})
    register.fail_interrupted(svc)
    assert _final(svc, p1, orphan)[0] == 'failed_decrypt'
    assert 'interrupted while decrypting' in _final(svc, p1, orphan)[1]
    assert _final(svc, p1, mine) == ('pending', None)  # this process is alive
    assert _final(svc, p1, elsewhere) == ('pending', None)  # not ours to judge
    never_run[0]()  # the live registration still finishes
    assert _final(svc, p1, mine)[0] == 'available'


def test_tar_digest_mismatch_fails_untar(tmp_path, cloud_ca, user_keys, store, svc, p1):
    _, manifest_path, parts = _bundle(tmp_path, cloud_ca, user_keys)
    with open(manifest_path, 'rb') as f:
        parsed = bundle_manifest.parse(f.read())
    parsed.digest = '0' * 40
    with open(manifest_path, 'wb') as f:
        f.write(parsed.to_xml())
    _upload(store, parts + [manifest_path])
    state, reason = _final(svc, p1, Recorder(svc).register(p1, 'bundles/disk.img.manifest.xml'))
    assert state == 'failed_untar' and 'SHA-1' in reason


def test_directory_entries_are_skipped_and_the_named_file_taken(tmp_path, cloud_ca, store,
                                                                 svc, p1):
    _upload(store, _hostile_bundle(tmp_path, cloud_ca, [
        ('./', b'', tarfile.DIRTYPE), ('other.txt', b'not me', tarfile.REGTYPE),
        ('./disk.img', b'the image', tarfile.REGTYPE)]))
    image = Recorder(svc).register(p1, 'bundles/evil.manifest.xml')
    assert _final(svc, p1, image)[0] == 'available'
    assert b''.join(svc.download(p1, image['id'])[1]) == b'the image'
