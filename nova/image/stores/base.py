"""What every image store is: add, get as a stream, get_size, delete by location URL.

A store never holds a whole image in memory: data comes in and goes out as an
iterator of byte chunks, and add() hashes it on the way (md5 for Glance's
``checksum``, sha512 for ``os_hash_value``) so nothing is read twice.
"""
import abc
import hashlib
import uuid

from nova import exception
from nova.i18n import _

CHUNK_SIZE = 64 * 1024


class Store(abc.ABC):
    """One kind of storage, chosen by the scheme of a location URL."""

    name = None  # as error messages name it
    schemes = ()  # location URL schemes this store reads

    @classmethod
    def settings(cls):
        """The flag values an instance is built from: one instance serves while they
        stay the same (building one can be costly: the s3 store makes a boto3 client).
        """
        return ()

    @abc.abstractmethod
    def add(self, image_id, chunks, size_hint=None):
        """Store chunks as image_id's data; (location, bytes written, md5 hex, sha512 hex).

        Nothing is left behind when chunks raise or the store fails part way.
        size_hint: the expected size, if known, to plan the upload.
        """

    @abc.abstractmethod
    def get(self, location, offset=0, length=None):
        """An iterator of the chunks from offset, length bytes at most (None: to the end).

        ImageDataNotFound is raised by the call, before any chunk, if the data is gone.
        """

    @abc.abstractmethod
    def get_size(self, location):
        """Bytes stored at location (ImageDataNotFound if none)."""

    @abc.abstractmethod
    def delete(self, location):
        """Remove the data at location (ImageDataNotFound if none)."""

    def remove_abandoned_parts(self, max_age, live_keys=None):
        """Remove what uploads of dead processes left; what was removed. A store tells
        the dead by age (untouched for max_age seconds) or, where a live upload may
        be silent for long, by live_keys (keys -> those a live upload may still be
        writing: ImageService.live_upload_keys). A store whose failed uploads leave
        nothing has nothing to do."""
        return []


class Hasher:
    """The size, md5 and sha512 of every chunk fed to it."""

    def __init__(self):
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha512 = hashlib.sha512()

    def update(self, chunk):
        self.size += len(chunk)
        self._md5.update(chunk)
        self._sha512.update(chunk)

    def result(self):
        return self.size, self._md5.hexdigest(), self._sha512.hexdigest()


def iter_chunks(data, chunk_size=CHUNK_SIZE):
    """Non-empty byte chunks from a file-like object (read()) or an iterable of bytes."""
    chunks = iter(lambda: data.read(chunk_size), b'') if hasattr(data, 'read') else data
    for chunk in chunks:
        if chunk:
            yield bytes(chunk)


def is_image_id(value):
    """True for a canonical lowercase uuid, the only form that names a file or key."""
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def check_image_id(image_id):
    if not is_image_id(image_id):
        raise exception.InvalidInput(reason=_('image id %r is not a uuid') % (image_id,))
    return image_id


def check_range(offset, length):
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise exception.InvalidInput(reason=_('offset must be an integer >= 0'))
    if length is not None and (not isinstance(length, int) or isinstance(length, bool)
                               or length < 0):
        raise exception.InvalidInput(reason=_('length must be an integer >= 0'))
