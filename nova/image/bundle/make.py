"""Make an image bundle the way euca-bundle-image does, in one streaming pass.

The image file is tarred (one member, its base name), the tar stream's SHA-1
taken, gzipped, AES-128-CBC encrypted with a random key and IV, and cut into
10 MiB parts named ``<prefix>.part.NN``; the manifest ``<prefix>.manifest.xml``
carries the key and IV RSA-encrypted for the cloud's certificate and the
user's, and the user's signature. Nothing is held in memory but a few
chunks, whatever the image size.
"""
import hashlib
import os
import tarfile
import zlib

from nova import crypto
from nova import exception
from nova.i18n import _
from nova.image.bundle import cipher
from nova.image.bundle import manifest as bundle_manifest

PART_SIZE = 10 * 1024 ** 2
CHUNK = 1024 ** 2


class _Parts:
    """Bytes cut into numbered part files, each with its SHA-1."""

    def __init__(self, destination, prefix, part_size):
        self.destination, self.prefix, self.part_size = destination, prefix, part_size
        self.parts, self.paths, self.size = [], [], 0
        self._file = self._digest = None
        self._room = 0

    def _next_part(self):
        self._close_part()
        filename = '%s.part.%s' % (self.prefix, str(len(self.parts)).zfill(2))
        path = os.path.join(self.destination, filename)
        self.paths.append(path)
        self._file = open(path, 'wb')
        self._digest = hashlib.sha1()
        self.parts.append(bundle_manifest.Part(filename))
        self._room = self.part_size

    def _close_part(self):
        if self._file is not None:
            self._file.close()
            self.parts[-1].digest = self._digest.hexdigest()
            self._file = None

    def write(self, data):
        view = memoryview(data)
        while view:
            if not self._room:
                self._next_part()
            piece = view[:self._room]
            self._file.write(piece)
            self._digest.update(piece)
            self._room -= len(piece)
            self.size += len(piece)
            view = view[len(piece):]

    def close(self):
        if not self.parts:
            self._next_part()  # an empty stream still makes one (empty) part
        self._close_part()


class _Pipeline:
    """The file object tarfile writes to: SHA-1 of the tar, gzip, AES, parts."""

    def __init__(self, parts, hex_key, hex_iv):
        self.parts = parts
        self.tar_digest = hashlib.sha1()
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, 31)
        self._encryptor = cipher.Encryptor(hex_key, hex_iv)

    def write(self, data):
        self.tar_digest.update(data)
        self.parts.write(self._encryptor.update(self._gzip.compress(data)))
        return len(data)

    def close(self):
        self.parts.write(self._encryptor.update(self._gzip.flush()))
        self.parts.write(self._encryptor.finish())
        self.parts.close()


def _tar_into(pipeline, image_path, name):
    with open(image_path, 'rb') as image:
        info = tarfile.TarInfo(name)
        stat = os.fstat(image.fileno())
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
        with tarfile.open(fileobj=pipeline, mode='w|', format=tarfile.GNU_FORMAT) as tar:
            tar.addfile(info, image)
        return stat.st_size


def make_bundle(image_path, destination, cloud_cert_pem, user_cert_pem, user_key_pem,
                prefix=None, user=None, image_type='machine', kernel_id=None,
                ramdisk_id=None, architecture='x86_64', part_size=PART_SIZE):
    """Write the parts and the manifest into destination; (manifest path, part paths).

    cloud_cert_pem: the cloud's certificate (nova.crypto.ca_cert_pem());
    user_cert_pem / user_key_pem: the bundler's certificate and private key.
    """
    if not os.path.isfile(image_path):
        raise exception.InvalidInput(reason=_('%s is not a file') % image_path)
    if image_type not in bundle_manifest.TYPES:
        raise exception.InvalidInput(reason=_('the image type must be one of %s') % ', '.join(
            bundle_manifest.TYPES))
    name = os.path.basename(image_path)
    prefix = prefix or name
    if not bundle_manifest.is_part_name(prefix + '.manifest.xml'):
        raise exception.InvalidInput(reason=_('prefix %r must be a plain file name') % prefix)
    os.makedirs(destination, exist_ok=True)
    hex_key, hex_iv = cipher.new_key_iv()
    parts = _Parts(destination, prefix, part_size)
    manifest_path = os.path.join(destination, prefix + '.manifest.xml')
    try:
        pipeline = _Pipeline(parts, hex_key, hex_iv)
        size = _tar_into(pipeline, image_path, name)
        pipeline.close()
        manifest = bundle_manifest.Manifest(
            name=name, image_type=image_type, parts=parts.parts, user=user,
            ec2_encrypted_key=crypto.encrypt_for(cloud_cert_pem, hex_key),
            ec2_encrypted_iv=crypto.encrypt_for(cloud_cert_pem, hex_iv),
            user_encrypted_key=crypto.encrypt_for(user_cert_pem, hex_key),
            user_encrypted_iv=crypto.encrypt_for(user_cert_pem, hex_iv),
            architecture=architecture, kernel_id=kernel_id, ramdisk_id=ramdisk_id,
            digest=pipeline.tar_digest.hexdigest(), size=size, bundled_size=parts.size)
        manifest.signature = crypto.sign(user_key_pem, manifest.signed_text())
        with open(manifest_path, 'wb') as f:
            f.write(manifest.to_xml())
    except BaseException:
        for path in parts.paths + [manifest_path]:
            if os.path.exists(path):
                os.unlink(path)
        raise
    return manifest_path, parts.paths
