"""Object versions: the current one where unversioned buckets keep it, the
noncurrent ones beside, under <bucket>/versions/.

A bucket's versioning is off (never enabled), Enabled or Suspended. The
current version of a key is always the file at its object path (so GET,
listings and unversioned buckets work as before); with versioning on, it
carries its version id in its attributes, and a delete marker is a current
version too (an empty file whose attributes say so: listings skip it, GET
answers 404). Noncurrent versions live at::

    <bucket>/versions/<the key's object path, as a directory>/<version id>

A version id sorts newest first (it begins with the complement of the write
time), or is 'null': the one version written while versioning was off or
suspended. Replacing the current version first hard-links it into the
versions directory, then renames the new file over it, both with the key
locked (nova.objectstore.storage.KeyLocks): a crash between the two leaves
the old version twice, as current and as noncurrent with the same id, which
readers skip and the next write of the key overwrites; never a partial or a
lost version. Deleting the current version promotes the newest noncurrent one
with one rename over it.
"""
import os
import re
import secrets
import time

from nova import exception
from nova.i18n import _
from nova.objectstore import files
from nova.objectstore import keys
from nova.objectstore.errors import S3Error

ENABLED, SUSPENDED = 'Enabled', 'Suspended'
NULL = 'null'
_VERSION_ID = re.compile(r'^[0-9a-f]{32}$')


class DeleteMarker(exception.ObjectNotFound):
    """The current version of the key is a delete marker (GET: 404 with
    x-amz-delete-marker), or the version asked for is one (GET: 405)."""

    def __init__(self, info, **kwargs):
        super().__init__(**kwargs)
        self.info = info


class VersionNotFound(exception.ObjectNotFound):
    msg_fmt = _('Version %(version_id)s of %(key)s does not exist in %(bucket)s.')


def _time_key(nanoseconds):
    return '%016x' % ((1 << 64) - 1 - nanoseconds)


def new_id():
    """A fresh version id: newer ids sort first, ties broken at random."""
    return _time_key(time.time_ns()) + secrets.token_hex(8)


def order_key(info):
    """Where a version sorts among its key's versions, newest first: its id, or
    for the null version (no time in its id) its write time in the same form."""
    version_id = version_of(info.attrs)
    if version_id != NULL:
        return version_id
    return _time_key(int(info.mtime * 1e9)) + 'null'


def is_valid_id(version_id):
    return version_id == NULL or bool(_VERSION_ID.match(version_id or ''))


def id_for_write(bucket):
    """The version id a new version of any key of the bucket gets (None:
    versioning was never enabled, so no id at all)."""
    if bucket.versioning == ENABLED:
        return new_id()
    if bucket.versioning == SUSPENDED:
        return NULL
    return None


def stamp(bucket, attrs):
    """attrs of a new version (object or delete marker) of the bucket: with the
    version id it gets, without any it was copied with."""
    attrs = {name: value for name, value in attrs.items()
             if name not in ('version_id', 'delete_marker')} | (
        {'delete_marker': True} if attrs.get('delete_marker') else {})
    version_id = id_for_write(bucket)
    if version_id is not None:
        attrs['version_id'] = version_id
    return attrs


def valid(version_id, argument, given):
    """version_id (None passes) if it is one; InvalidArgument naming argument."""
    if version_id is not None and not is_valid_id(version_id):
        raise S3Error('InvalidArgument', _('Invalid version id specified'),
                      ArgumentName=argument, ArgumentValue=given)
    return version_id


def version_of(attrs):
    return attrs.get('version_id') or NULL


def directory(bucket, key):
    """Where the noncurrent versions of key are."""
    return os.path.join(bucket.versions, *keys.object_names(keys.validate(key)))


def _path(bucket, key, version_id):
    return os.path.join(directory(bucket, key), version_id)


def retire(bucket, key, current, new_version_id):
    """Before a new current version (or delete marker) replaces current (an
    ObjectInfo or None), with the key locked: keep current as noncurrent unless
    the bucket is unversioned or both are the null version; a new null version
    also removes a noncurrent null one."""
    if bucket.versioning is None:
        return
    if new_version_id == NULL:
        files.discard(_path(bucket, key, NULL))
    if current is None:
        return
    current_id = version_of(current.attrs)
    if current_id == NULL and new_version_id == NULL:
        return
    target = _path(bucket, key, current_id)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(keys.object_path(bucket.objects, key), target)
    except FileExistsError:
        pass  # a crash after this step last time: it is the same file
    files.fsync_dir(os.path.dirname(target))


def path_of(store, bucket, key, version_id=None):
    """The file holding a version of key (default: the current one), with the
    key locked by the caller; ObjectNotFound / VersionNotFound."""
    path = keys.object_path(bucket.objects, key)
    if version_id is None:
        return path
    current = store.current(bucket, key, markers=True)
    if current is not None and version_of(current.attrs) == version_id:
        return path
    version_path = _path(bucket, key, version_id)
    if not os.path.exists(version_path):
        raise VersionNotFound(bucket=bucket.name, key=key, version_id=version_id)
    return version_path


def noncurrent(bucket, key, current=None):
    """The noncurrent versions of key as ObjectInfo, newest first (one a crash
    left behind with the current's id is skipped)."""
    skip = version_of(current.attrs) if current is not None else None
    found = []
    for entry in files.scandir(directory(bucket, key)):
        if entry.name == skip or not is_valid_id(entry.name):
            continue
        try:
            stat = entry.stat()
            attrs = files.read_attrs(entry.path)
        except FileNotFoundError:
            continue
        found.append(files.ObjectInfo(key, stat.st_size, stat.st_mtime, attrs))
    found.sort(key=order_key)
    return found


def open_version(store, bucket, key, version_id):
    """(ObjectInfo, open file) of one version of key; VersionNotFound, or
    DeleteMarker when that version is one."""
    for _attempt in range(3):  # the current one may be retired meanwhile
        try:
            info, f = store.open_object(bucket, key, markers=True)
        except exception.ObjectNotFound:
            info = f = None
        if info is not None and version_of(info.attrs) == version_id:
            return _not_a_marker(info, f, bucket, key)
        if f is not None:
            f.close()
        try:
            f = open(_path(bucket, key, version_id), 'rb')
        except (FileNotFoundError, NotADirectoryError):
            continue
        stat = os.fstat(f.fileno())
        info = files.ObjectInfo(key, stat.st_size, stat.st_mtime,
                                  files.read_attrs(f.fileno()))
        return _not_a_marker(info, f, bucket, key)
    raise VersionNotFound(bucket=bucket.name, key=key, version_id=version_id)


def _not_a_marker(info, f, bucket, key):
    if info.attrs.get('delete_marker'):
        f.close()
        raise DeleteMarker(info, bucket=bucket.name, key=key)
    return info, f


def remove(store, bucket, key, version_id):
    """Delete one version for good (DeleteObject with a versionId). The current
    one is replaced by the newest noncurrent one (one rename), or goes.

    The ObjectInfo of what was removed, None if there was no such version."""
    path = keys.object_path(bucket.objects, key)
    with store.locks.hold((bucket.name, key)):
        current = store.current(bucket, key, markers=True)
        if current is not None and version_of(current.attrs) == version_id:
            newer = noncurrent(bucket, key, current)
            if newer:
                promoted = _path(bucket, key, version_of(newer[0].attrs))
                os.replace(promoted, path)
                files.fsync_dir(os.path.dirname(path))
            else:
                files.discard(path)
            files.discard(_path(bucket, key, version_id))  # a crash's duplicate
            removed = current
        else:
            try:
                f = open(_path(bucket, key, version_id), 'rb')
            except (FileNotFoundError, NotADirectoryError):
                return None
            with f:
                stat = os.fstat(f.fileno())
                removed = files.ObjectInfo(key, stat.st_size, stat.st_mtime,
                                             files.read_attrs(f.fileno()))
            files.discard(_path(bucket, key, version_id))
    files.prune_dirs(directory(bucket, key), bucket.versions)
    files.prune_dirs(os.path.dirname(path), bucket.objects)
    return removed


def keys_with_versions(bucket, bounds):
    """(key, None) of every key with noncurrent versions, in key order (the
    versions tree has the objects tree's shape, a directory per key)."""
    for key, _entry in keys.walk(bucket.versions, bounds):
        yield key, None
