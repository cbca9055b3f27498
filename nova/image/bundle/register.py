"""EC2 RegisterImage of an S3 bundle: ImageLocation=bucket/[dir/]name.manifest.xml.

The manifest is read and checked at once, so that a missing or malformed one
is the API's 4xx; the image is then created queued with the property
``image_state`` 'pending', and a green thread takes it through downloading ->
decrypting -> untarring -> uploading -> available, or stops at
failed_download / failed_decrypt / failed_untar / failed_upload with the
reason in ``image_state_reason`` (what DescribeImages shows as StateReason).

Where the bundle is read from: the objectstore's storage module, directly,
under --buckets_path, with the objectstore's own access rule (the bucket's
project, an admin, or public-read objects). That is simpler and as correct as
fetching over S3: it needs no credentials of the user (the EC2 request's
context is already authenticated; S3 would need the user's secret key and
the objectstore's address) and no second HTTP hop. The price is that the
process serving RegisterImage (nova-api or nova-all) must see --buckets_path,
as it does when nova-objectstore runs beside it, the classic layout.

A registration runs in the process that accepted it; should that process
die, the image would stay in progress forever. So each one records its
worker (host, pid, a per-process token), and the first RegisterImage a
process serves fails the registrations of dead processes of its host with
the reason 'interrupted' (fail_interrupted).

Scratch files live in a fresh directory under --image_decryption_dir and
are removed afterwards. Every stage streams in chunks, so memory stays small
whatever the image size; the blocking work (file copies, AES, gunzip) runs in
eventlet's thread pool so the API keeps answering meanwhile.
"""
import gzip
import hashlib
import logging
import os
import posixpath
import shutil
import tarfile
import tempfile
import uuid
import zlib

import eventlet
from eventlet import semaphore
from eventlet import tpool

from nova import context as nova_context
from nova import crypto
from nova import exception
from nova.conf import CONF
from nova.i18n import _, _LE, _LW
from nova.image.bundle import cipher
from nova.image.bundle import manifest as bundle_manifest
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import storage

LOG = logging.getLogger(__name__)

FORMATS = {'machine': 'ami', 'kernel': 'aki', 'ramdisk': 'ari'}
CHUNK = 1024 ** 2
MAX_CONCURRENT = 2  # registrations decrypting at once; later ones wait 'pending'
_slots = semaphore.Semaphore(MAX_CONCURRENT)
# image_state while registering, and the failed_* state it becomes when interrupted
IN_PROGRESS = {'pending': 'failed_download', 'downloading': 'failed_download',
               'decrypting': 'failed_decrypt', 'untarring': 'failed_untar',
               'uploading': 'failed_upload'}
_TOKEN = uuid.uuid4().hex[:12]
_swept = []  # non-empty once this process has looked for interrupted registrations


class StageFailed(Exception):
    """A stage of the registration failed for a reason the user may read."""


def parse_location(location):
    """(bucket, manifest key) of 'bucket/name.manifest.xml'; InvalidBundle otherwise."""
    bucket, _sep, key = (location or '').lstrip('/').partition('/')
    if not bucket or not key.endswith('.manifest.xml'):
        raise exception.InvalidBundle(reason=_('ImageLocation %r is not '
                                             'bucket/name.manifest.xml') % location)
    return bucket, key


def _open_readable(context, store, bucket, key):
    """(ObjectInfo, open file) of an object context may read; NotFound/Forbidden."""
    info, f = store.open_object(bucket, key)
    if not access.object_allows(access.Asker(context, 's3:GetObject'), bucket, key,
                                info.attrs, acl.READ):
        f.close()
        raise exception.Forbidden(reason=_('you may not read %s/%s') % (bucket.name, key))
    return info, f


def register(context, image_service, location, values, resolve_image_id,
             spawn=eventlet.spawn_n):
    """Create the image from the bundle's manifest and start the background work.

    values: name and properties from the request (they win over the
    manifest's); resolve_image_id: EC2 id -> image uuid, for the manifest's
    kernel_id and ramdisk_id. Returns the queued image.
    """
    bucket_name, key = parse_location(location)
    if not _swept:
        _swept.append(True)
        try:
            fail_interrupted(image_service)
        except Exception:  # noqa: BLE001 -- a failed sweep must not fail this request
            LOG.exception(_LE('Could not look for interrupted bundle registrations'))
    store = storage.Store(CONF.buckets_path)
    bucket = store.get_bucket(bucket_name)
    info, f = _open_readable(context, store, bucket, key)
    with f:
        if info.size > bundle_manifest.MAX_MANIFEST_SIZE:
            raise exception.InvalidBundle(reason=_('the manifest is larger than %d bytes')
                                                 % bundle_manifest.MAX_MANIFEST_SIZE)
        manifest = bundle_manifest.parse(f.read())
    properties = dict(values.get('properties') or {})
    if manifest.architecture:
        properties.setdefault('architecture', manifest.architecture)
    if manifest.image_type == 'machine':
        for kind in ('kernel', 'ramdisk'):
            ref = getattr(manifest, kind + '_id')
            if ref and not properties.get(kind + '_id'):
                properties[kind + '_id'] = resolve_image_id(ref)
    properties.update(image_location=location, image_state='pending',
                      bundle_worker=worker())
    disk_format = FORMATS[manifest.image_type]
    image = image_service.create(context, dict(values, disk_format=disk_format,
                                               container_format=disk_format,
                                               properties=properties))
    job = Registration(context, image_service, image['id'], store, bucket,
                       posixpath.dirname(key), manifest)
    spawn(job.run)
    return image


def worker():
    """Who registers in this process: 'host:pid:token'."""
    return '%s:%d:%s' % (CONF.host, os.getpid(), _TOKEN)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _interrupted(worker_text):
    """True when worker_text names a process of this host that is gone."""
    host, _sep, rest = (worker_text or '').partition(':')
    pid, _sep, token = rest.partition(':')
    if host != CONF.host or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return token != _TOKEN  # our pid, an earlier process's token
    return not _alive(int(pid))


def fail_interrupted(image_service):
    """Fail the registrations that dead processes of this host left in progress."""
    admin = nova_context.get_admin_context()
    for state, failed in IN_PROGRESS.items():
        for image in image_service.detail(admin, filters={'image_state': state}):
            if not _interrupted(image['properties'].get('bundle_worker')):
                continue
            if image['status'] == 'active':  # only 'available' was not written
                properties = {'image_state': 'available'}
            else:
                properties = {'image_state': failed, 'image_state_reason': (
                    'interrupted while %s: the process registering it stopped; register '
                    'the bundle again' % state)}
            LOG.warning(_LW('Image %s: registration interrupted while %s'), image['id'], state)
            image_service.update(admin, image['id'], {'properties': properties})


class Registration:
    """The background part: fetch, decrypt, untar and upload one bundle."""

    def __init__(self, context, image_service, image_id, store, bucket, directory,
                 manifest, blocking=tpool.execute):
        self.context, self.images, self.image_id = context, image_service, image_id
        self.store, self.bucket, self.directory = store, bucket, directory
        self.manifest = manifest
        self.blocking = blocking  # runs a blocking function off the event loop

    def run(self):
        with _slots:
            os.makedirs(CONF.image_decryption_dir, exist_ok=True)
            workdir = tempfile.mkdtemp(dir=CONF.image_decryption_dir, prefix='bundle-')
            try:
                self._run(workdir)
            except exception.ImageNotFound:
                LOG.info('Image %s was deleted while it was being registered', self.image_id)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

    def _run(self, workdir):
        encrypted = os.path.join(workdir, 'image.encrypted')
        targz = os.path.join(workdir, 'image.tar.gz')
        image = os.path.join(workdir, 'image')
        stages = [('downloading', 'failed_download', self.blocking, self._download,
                   (encrypted,)),
                  ('decrypting', 'failed_decrypt', self.blocking, self._decrypt,
                   (encrypted, targz)),
                  ('untarring', 'failed_untar', self.blocking, self._untar, (targz, image)),
                  ('uploading', 'failed_upload', _call, self._upload, (image,))]
        for state, failed, runner, func, args in stages:
            self._set_state(state)
            try:
                runner(func, *args)
            except (StageFailed, exception.NovaException) as e:
                reason = e.format_message() if isinstance(e, exception.NovaException) \
                    else str(e)
                self._fail(failed, reason)
                return
            except Exception:
                LOG.exception(_LE('Registering image %s failed while %s'), self.image_id, state)
                self._fail(failed, 'unexpected error while %s; the cloud\'s log has the '
                                   'details' % state)
                return
        self._set_state('available')
        LOG.info('Image %s registered from bundle', self.image_id)

    def _set_state(self, state, reason=None):
        properties = {'image_state': state}
        if reason is not None:
            properties['image_state_reason'] = reason[:255]
        self.images.update(self.context, self.image_id, {'properties': properties})

    def _fail(self, state, reason):
        LOG.warning(_LW('Image %s: %s: %s'), self.image_id, state, reason)
        self._set_state(state, reason)

    # -------------------------------------------------------------- stages

    def _download(self, path):
        """Concatenate the parts, checking each one's SHA-1 against the manifest."""
        with open(path, 'wb') as out:
            for part in self.manifest.parts:
                key = posixpath.join(self.directory, part.filename)
                try:
                    _info, f = _open_readable(self.context, self.store, self.bucket, key)
                except exception.NotFound:
                    raise StageFailed('part %s is missing from bucket %s'
                                      % (key, self.bucket.name))
                digest = hashlib.sha1()
                with f:
                    for chunk in iter(lambda: f.read(CHUNK), b''):
                        digest.update(chunk)
                        out.write(chunk)
                if part.digest and digest.hexdigest() != part.digest:
                    raise StageFailed('part %s does not match its SHA-1 digest in the '
                                      'manifest' % key)

    def _decrypt(self, encrypted, targz):
        """The AES key and IV with the cloud's private key, then the image with them."""
        try:
            hex_key = crypto.decrypt_with_cloud_key(self.manifest.ec2_encrypted_key)
            hex_iv = crypto.decrypt_with_cloud_key(self.manifest.ec2_encrypted_iv)
        except ValueError:
            raise StageFailed('the AES key and IV were not encrypted for this cloud\'s '
                              'certificate (cacert.pem)')
        try:
            with open(encrypted, 'rb') as src, open(targz, 'wb') as out:
                for chunk in cipher.decrypt_stream(hex_key, hex_iv,
                                                   iter(lambda: src.read(CHUNK), b'')):
                    out.write(chunk)
        except cipher.DecryptError as e:
            raise StageFailed(str(e))
        os.unlink(encrypted)

    def _untar(self, targz, image_path):
        """Extract the image file; reject any member that is not a plain file name."""
        try:
            extract_image(targz, image_path, self.manifest.name, self.manifest.digest)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise StageFailed('the decrypted bundle is not a gzipped tar: %s' % e)
        os.unlink(targz)

    def _upload(self, image_path):
        with open(image_path, 'rb') as f:
            size = os.fstat(f.fileno()).st_size
            self.images.upload(self.context, self.image_id, f, size=size)


def _call(func, *args):
    return func(*args)


class _Hashing:
    """A read-only stream that hashes what is read through it."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha1()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _unsafe(member):
    """Why a tar member must not be extracted (None: it may)."""
    name = member.name
    if name.startswith('/') or '\\' in name:
        return 'has an absolute path'
    if '..' in name.split('/'):
        return 'has a .. path component'
    if not (member.isfile() or member.isdir()):
        return 'is not a regular file (links and devices are refused)'
    return None


def extract_image(targz, image_path, name, tar_digest=None):
    """Write the regular file member `name` of the gzipped tar to image_path.

    The output path is ours, never a member's, so nothing is written
    anywhere else; members with absolute or '..' paths, links and devices
    are refused outright, as is a tar whose SHA-1 differs from tar_digest.
    """
    found = False
    with gzip.open(targz, 'rb') as gz:
        stream = _Hashing(gz)
        with tarfile.open(fileobj=stream, mode='r|') as tar:
            for member in tar:
                problem = _unsafe(member)
                if problem:
                    raise StageFailed('tar member %r %s' % (member.name[:100], problem))
                if not member.isfile() or member.name.removeprefix('./') != name or found:
                    continue
                source = tar.extractfile(member)
                fd = os.open(image_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             0o600)
                with os.fdopen(fd, 'wb') as out:
                    shutil.copyfileobj(source, out, CHUNK)
                found = True
        while stream.read(CHUNK):
            pass  # the tar's end padding counts in the digest
    if not found:
        raise StageFailed('the bundle has no file named %r' % name)
    if tar_digest and stream.digest.hexdigest() != tar_digest:
        raise StageFailed('the image tar does not match its SHA-1 digest in the manifest')
