"""The default store: one file per image under --filesystem_store_datadir.

Data is written to a hidden temporary file in the same directory, fsynced and
then linked to its final name, so a reader only ever sees complete images and
a failed or interrupted upload leaves nothing (the temporary file is removed).
Files are named by the image's uuid and locations are checked to lie in the
directory, so no id or location can reach a file outside it. Temporary files
that a dead process left (untouched for ABANDONED_AGE) are removed by the
first upload of each store instance.
"""
import contextlib
import logging
import os
import tempfile
import time
from urllib import parse

from nova import exception
from nova.conf import CONF
from nova.i18n import _
from nova.image.stores import base

LOG = logging.getLogger(__name__)

PART_SUFFIX = '.part'
# a live upload writes its temporary file every few seconds; the client socket
# timeout ends a stalled one long before this
ABANDONED_AGE = 3600


@contextlib.contextmanager
def _disk_errors():
    """The disk's own failures (full, read-only) as store errors."""
    try:
        yield
    except OSError as e:
        raise exception.ImageStoreError(store='file', reason=e.strerror or str(e)) from e


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(f, offset, length):
    with f:
        f.seek(offset)
        remaining = length
        while remaining is None or remaining > 0:
            size = base.CHUNK_SIZE if remaining is None else min(base.CHUNK_SIZE, remaining)
            chunk = f.read(size)
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


class FilesystemStore(base.Store):
    name = 'file'
    schemes = ('file',)

    @classmethod
    def settings(cls):
        return (CONF.filesystem_store_datadir,)

    def __init__(self, datadir=None):
        self.datadir = os.path.realpath(datadir or CONF.filesystem_store_datadir)
        self._swept = False

    def remove_abandoned_parts(self, max_age=ABANDONED_AGE, live_keys=None):
        """Remove temporary files untouched for max_age seconds; their names. (A live
        upload writes its file at every chunk: age tells the dead here.)"""
        removed = []
        try:
            names = os.listdir(self.datadir)
        except FileNotFoundError:
            return removed
        limit = time.time() - max_age
        for name in names:
            if not (name.startswith('.') and name.endswith(PART_SUFFIX)):
                continue
            path = os.path.join(self.datadir, name)
            try:
                if os.stat(path).st_mtime < limit:
                    os.unlink(path)
                    removed.append(name)
            except FileNotFoundError:
                pass  # finished or removed meanwhile
        if removed:
            LOG.info('Removed abandoned partial uploads from %s: %s', self.datadir,
                     ', '.join(removed))
        return removed

    def _path(self, location):
        """The file of a file:// location, refused unless it is an image file of datadir."""
        url = parse.urlsplit(location)
        path = os.path.realpath(parse.unquote(url.path))
        if (url.scheme != 'file' or url.netloc not in ('', 'localhost')
                or os.path.dirname(path) != self.datadir
                or not base.is_image_id(os.path.basename(path))):
            raise exception.InvalidInput(
                reason=_('%s is not a location of the filesystem store') % location)
        return path

    def add(self, image_id, chunks, size_hint=None):
        path = os.path.join(self.datadir, base.check_image_id(image_id))
        if not self._swept:
            self._swept = True
            self.remove_abandoned_parts()
        with _disk_errors():
            os.makedirs(self.datadir, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix='.%s.' % image_id, suffix=PART_SUFFIX,
                                        dir=self.datadir)
        hasher = base.Hasher()
        try:
            with os.fdopen(fd, 'wb') as f:
                for chunk in chunks:
                    hasher.update(chunk)
                    with _disk_errors():
                        f.write(chunk)
                with _disk_errors():
                    f.flush()
                    os.fsync(f.fileno())
            try:
                os.link(temp, path)  # unlike rename, never replaces an existing image
            except FileExistsError:
                raise exception.Conflict(reason=_('data of image %s is already stored')
                                         % image_id) from None
            except OSError as e:
                raise exception.ImageStoreError(store='file', reason=e.strerror) from e
        finally:
            os.unlink(temp)
        with _disk_errors():
            _fsync_dir(self.datadir)
        return ('file://' + parse.quote(path),) + hasher.result()

    def get(self, location, offset=0, length=None):
        base.check_range(offset, length)
        try:
            f = open(self._path(location), 'rb')
        except FileNotFoundError:
            raise exception.ImageDataNotFound(location=location) from None
        return _read(f, offset, length)

    def get_size(self, location):
        try:
            return os.path.getsize(self._path(location))
        except FileNotFoundError:
            raise exception.ImageDataNotFound(location=location) from None

    def delete(self, location):
        try:
            os.unlink(self._path(location))
        except FileNotFoundError:
            raise exception.ImageDataNotFound(location=location) from None
