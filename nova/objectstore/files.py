"""Files under buckets_path: metadata in an extended attribute, atomic JSON
documents, durable renames and what goes with them. Shared by buckets,
objects, versions and multipart uploads."""
import dataclasses
import datetime
import json
import os
import tempfile

XATTR = 'user.nova.s3'


def utc(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


@dataclasses.dataclass
class ObjectInfo:
    """An object's stored attributes and its size and modification time."""

    key: str
    size: int
    mtime: float
    attrs: dict

    @property
    def etag(self):
        return self.attrs['etag']

    @property
    def last_modified(self):
        return utc(self.mtime)


def read_attrs(path_or_fd):
    return json.loads(os.getxattr(path_or_fd, XATTR))


def write_json(path, document):
    """Replace path with document atomically (temporary file, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.json-')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(document, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def discard(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(path):
    """Flush a directory's entries (a rename into it) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune_dirs(path, root):
    """Remove the empty directories from path up to (not including) root."""
    while path != root and path.startswith(root):
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


def scandir(path):
    """The entries of a directory, none if it is gone."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []
