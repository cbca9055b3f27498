"""Compute-side cache of base images: each image is fetched once per host.

Instances on a host share ``$instances_path/_base/<image id>_<fingerprint>``,
the fingerprint being the image's checksum (md5; its os_hash_value, or its
size, when it has none) as the image service reports it: an image whose data
changed (re-uploaded into a store restored from backup, or an entry repaired
after the store rotted) has a new fingerprint, so a file cached for the old
data is never served for it. A fetch
streams the image into a temporary file, verifies its size and checksums
(md5, and os_hash_value with its algorithm) and only then renames it into
place, so a cached file is always complete and verified. Concurrent fetches
of one image wait for the first: green threads of a process on a per-image
lock, processes of a host on a lock file. A file's mtime is its last use: a
fetch and every periodic pass that finds it in use touch it, and
remove_unused deletes those unused for longer than
--remove_unused_base_images_age.
"""
import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time

from nova import exception
from nova.conf import CONF
from nova.image.service import get_default_image_service
from nova.image.stores import base as stores_base

LOG = logging.getLogger(__name__)

LOCK_DIR = '.locks'
_TEMP_SUFFIX = '.part'
_LOCK_POLL = 0.05  # seconds; polling keeps other green threads running while we wait

_locks = {}
_locks_guard = threading.Lock()


def _process_lock(path):
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


@contextlib.contextmanager
def _host_lock(path):
    """An exclusive flock on path, waited for without blocking the process."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(_LOCK_POLL)
        yield
    finally:
        os.close(fd)  # releases the lock


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _expected_digests(image):
    """{algorithm: expected hex digest} the image's registry entry vouches for."""
    expected = {}
    if image.get('checksum'):
        expected['md5'] = image['checksum']
    algorithm, value = image.get('os_hash_algo'), image.get('os_hash_value')
    if algorithm and value:
        if algorithm not in hashlib.algorithms_available:
            raise exception.ImageChecksumMismatch(image_id=image['id'], algorithm=algorithm,
                                                  expected=value, actual='(not computable)')
        expected[algorithm] = value
    return expected


def fingerprint(image):
    """What a cached file's name vouches for besides the id: the data's checksum."""
    if image.get('checksum'):
        return image['checksum']
    if image.get('os_hash_value'):
        return image['os_hash_value']
    if image.get('size') is not None:
        return 'size%d' % image['size']
    raise exception.ImageStatusConflict(image_id=image.get('id'), status=image.get('status'),
                                        action='cache it (no checksum or size yet)')


def image_id_of(name):
    """The image id a file of the cache is for (``<id>_<fingerprint>``, or ``<id>`` as
    caches before fingerprints named them); None for any other file."""
    image_id = name.split('_', 1)[0]
    return image_id if stores_base.is_image_id(image_id) else None


def _verified(image_id, image, chunks):
    """The chunks, then ImageChecksumMismatch if their size or checksums are not the
    image's; closing it closes the store's stream."""
    expected = _expected_digests(image)
    digests = {name: hashlib.new(name, usedforsecurity=False) for name in expected}
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            for digest in digests.values():
                digest.update(chunk)
            yield chunk
    finally:
        getattr(chunks, 'close', lambda: None)()
    if image.get('size') is not None and size != image['size']:
        raise exception.ImageChecksumMismatch(
            image_id=image_id, algorithm='size', expected=image['size'], actual=size)
    for name, digest in digests.items():
        if digest.hexdigest() != expected[name]:
            raise exception.ImageChecksumMismatch(
                image_id=image_id, algorithm=name, expected=expected[name],
                actual=digest.hexdigest())


class ImageCache:
    """Base images of one compute host."""

    def __init__(self, image_service=None, base_dir=None):
        self.image_service = image_service or get_default_image_service()
        self.base_dir = base_dir or os.path.join(CONF.instances_path,
                                                 CONF.image_cache_subdirectory_name)

    def path(self, image):
        """Where the data of image (its registry entry: id and checksum) is cached."""
        return os.path.join(self.base_dir, '%s_%s' % (
            stores_base.check_image_id(image['id']), fingerprint(image)))

    @contextlib.contextmanager
    def _locked(self, image_id):
        stores_base.check_image_id(image_id)
        lock_dir = os.path.join(self.base_dir, LOCK_DIR)
        os.makedirs(lock_dir, exist_ok=True)
        with _process_lock(os.path.join(self.base_dir, image_id)), \
                _host_lock(os.path.join(lock_dir, image_id + '.lock')):
            yield

    def cached(self, image):
        """The path of the data image (an entry read by the caller: id and checksum)
        vouches for if it is cached here (its use time renewed), else None."""
        try:
            path = self.path(image)
            os.utime(path)
        except (FileNotFoundError, exception.ImageStatusConflict):
            return None
        return path

    def fetch(self, context, image_id, image=None):
        """The local path of the image's verified data, downloaded unless cached for
        the data the image's entry vouches for now. ``image``: that entry when the
        caller has just read it (saves asking the image service for it again)."""
        stores_base.check_image_id(image_id)
        if image is None or image.get('id') != image_id:
            image = self.image_service.show(context, image_id)
        with self._locked(image_id):
            path = self.path(image)
            try:
                os.utime(path)
                return path
            except FileNotFoundError:
                pass
            return self._download(context, image_id)

    def open(self, context, image_id):
        """(image, chunks) of the image's data as the image service streams it; the
        chunks raise ImageChecksumMismatch at their end unless the size and checksums
        match (for a driver that caches images in its own storage)."""
        image, chunks = self.image_service.download(context, image_id)
        return image, _verified(image_id, image, chunks)

    def _download(self, context, image_id):
        """Stream the image into the cache; its path, named for the data downloaded
        (which the service may have changed since the caller read the entry)."""
        image, chunks = self.open(context, image_id)
        path = self.path(dict(image, id=image_id))
        fd, temp = tempfile.mkstemp(prefix='.%s.' % image_id, suffix=_TEMP_SUFFIX,
                                    dir=self.base_dir)
        try:
            size = 0
            with os.fdopen(fd, 'wb') as f:
                for chunk in chunks:
                    size += len(chunk)
                    f.write(chunk)
                os.fchmod(f.fileno(), 0o644)  # the hypervisor (qemu) reads base images
                f.flush()
                os.fsync(f.fileno())
            os.rename(temp, path)
        except BaseException:
            chunks.close()  # release the store's stream now
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _fsync_dir(self.base_dir)
        LOG.info('Cached image %s (%d bytes) at %s', image_id, size, path)
        return path

    def remove_unused(self, in_use_image_ids, max_age_seconds=None):
        """Delete cached images no instance uses that were last used too long ago.

        Images in use are touched (every file cached for the image: an instance's
        disk may still be backed by the data of an older fingerprint): an image's
        age is the time since it was last seen in use. Temporary files of fetches
        that died are removed by the same age. Returns the ids of the images
        removed.
        """
        max_age = (CONF.remove_unused_base_images_age if max_age_seconds is None
                   else max_age_seconds)
        in_use = set(in_use_image_ids)
        try:
            names = sorted(os.listdir(self.base_dir))
        except FileNotFoundError:
            return []
        removed = []
        for name in names:
            image_id = image_id_of(name)
            if image_id:
                with self._locked(image_id):
                    path = os.path.join(self.base_dir, name)
                    if (self._remove_if_unused(path, image_id in in_use, max_age)
                            and image_id not in removed):
                        removed.append(image_id)
            elif name.startswith('.') and name.endswith(_TEMP_SUFFIX):
                self._remove_if_unused(os.path.join(self.base_dir, name), False, max_age)
        if removed:
            LOG.info('Removed unused base images: %s', ', '.join(removed))
        return removed

    @staticmethod
    def _remove_if_unused(path, in_use, max_age):
        try:
            if in_use:
                os.utime(path)
                return False
            if time.time() - os.stat(path).st_mtime < max_age:
                return False
            os.unlink(path)
            return True
        except FileNotFoundError:
            return False
