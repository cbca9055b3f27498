"""Buckets and objects on the filesystem.

Layout under --buckets_path::

    <bucket>/bucket.json   owner project, canned ACL, creation time, location
    <bucket>/objects/...   one file per object (paths: nova.objectstore.keys)
    <bucket>/uploads/<id>/ multipart uploads in progress (nova.objectstore.uploads)
    <bucket>/tmp/          writes in progress

An object's metadata (ETag, Content-Type and the other stored headers,
x-amz-meta-*, ACL) is one JSON document in the extended attribute
``user.nova.s3`` of its file. A write streams into a temporary file in tmp/,
sets the attribute, fsyncs, renames the file into place and fsyncs its
directory, so data and metadata appear together or not at all and stay once
acknowledged, and a reader holding the old file open keeps reading the old
version. A new bucket is assembled in a hidden directory
and renamed into place; a deleted one is renamed away before it is removed.
"""
import contextlib
import dataclasses
import datetime
import errno
import hashlib
import ipaddress
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid

from eventlet import tpool

from nova import exception
from nova.i18n import _
from nova.objectstore import acl as acls
from nova.objectstore import hashing
from nova.objectstore import keys
from nova.objectstore import versions
from nova.objectstore.files import (XATTR, ObjectInfo, discard, fsync_dir, prune_dirs,
                                    read_attrs, scandir, write_json)

BUCKET_FILE = 'bucket.json'
COPY_STEP = 64 * 1024 ** 2
_BUCKET_NAME = re.compile(r'^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')


def validate_bucket_name(name):
    """S3's rules for new buckets; InvalidBucketName with the rule broken."""
    if not _BUCKET_NAME.match(name or ''):
        raise exception.InvalidBucketName(
            bucket=name, reason=_('3 to 63 lower-case letters, digits, dots and hyphens, '
                                'starting and ending with a letter or digit'))
    if '..' in name or '.-' in name or '-.' in name:
        raise exception.InvalidBucketName(bucket=name, reason=_('adjacent dots or hyphens'))
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return name
    raise exception.InvalidBucketName(bucket=name, reason=_('formatted as an IP address'))


@dataclasses.dataclass
class Bucket:
    name: str
    path: str
    owner: str
    owner_name: str
    acl: acls.ACL
    created: datetime.datetime
    location: str = ''
    # sub-resources set with their own requests, as JSON: 'versioning' (Enabled
    # or Suspended), 'cors', 'tagging', 'lifecycle', 'policy'
    config: dict = dataclasses.field(default_factory=dict)

    @property
    def versioning(self):
        """None (never enabled), versions.ENABLED or versions.SUSPENDED."""
        return self.config.get('versioning')

    @property
    def objects(self):
        return os.path.join(self.path, 'objects')

    @property
    def versions(self):
        return os.path.join(self.path, 'versions')

    @property
    def uploads(self):
        return os.path.join(self.path, 'uploads')

    @property
    def tmp(self):
        return os.path.join(self.path, 'tmp')

    def document(self):
        return {'owner': self.owner, 'owner_name': self.owner_name,
                'acl': self.acl.document(),
                'created': self.created.isoformat(), 'location': self.location,
                'config': self.config}


class Staged:
    """A temporary file in a bucket's tmp/ that becomes an object or a part."""

    def __init__(self, directory):
        fd, self.path = tempfile.mkstemp(dir=directory, prefix='w-')
        self.file = open(fd, 'wb', buffering=0)
        self.size = 0

    def write_stream(self, chunks, limit=None):
        """Append every chunk; the md5 of what was written. The hashing and the
        writes run beside the reading (nova.objectstore.hashing)."""
        digest = hashing.Beside(hashlib.md5())
        writer = hashing.FileSink(self.file.fileno())
        sink = hashing.Beside(writer)
        try:
            for chunk in chunks:
                self.size += len(chunk)
                if limit is not None and self.size > limit:
                    raise exception.ObjectTooLarge(limit=limit)
                digest.update(chunk)
                sink.update(chunk)
            sink.finish()
            if writer.direct:
                tpool.execute(writer.close)
        except BaseException:
            digest.cancel()
            sink.cancel()
            raise
        return digest.finish()

    def copy_from(self, fd, offset, count):
        """Append count bytes of the open file fd from offset, in the kernel."""
        tpool.execute(_copy_range, fd, offset, count, self.file.fileno())
        self.size += count

    def finish(self, attrs):
        """Attach the metadata and make the data durable; the file's stat."""
        os.setxattr(self.file.fileno(), XATTR, json.dumps(attrs).encode('utf-8'))
        tpool.execute(os.fsync, self.file.fileno())
        stat = os.fstat(self.file.fileno())
        self.file.close()
        return stat

    def commit(self, path, root):
        """Rename into place below root, creating (and re-creating) parents, and
        make the rename durable: an acknowledged object survives a crash."""
        for _attempt in range(10):
            try:
                os.replace(self.path, path)
                break
            except FileNotFoundError:  # a parent pruned by a concurrent delete
                os.makedirs(os.path.dirname(path), exist_ok=True)
        else:
            raise exception.NovaException('could not store %s under %s' % (path, root))
        tpool.execute(fsync_dir, os.path.dirname(path))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.file.closed:
            self.file.close()
        if exc_type is not None:
            discard(self.path)


def _copy_range(src, offset, count, dst):
    """copy_file_range from src at offset to dst's position (in a pool thread)."""
    while count > 0:
        done = os.copy_file_range(src, dst, min(count, COPY_STEP), offset)
        if not done:
            raise exception.NovaException('source file shrank while copying')
        offset, count = offset + done, count - done


class KeyLocks:
    """One lock per name, held while a write decides and commits.

    A conditional write (If-None-Match, If-Match) checks the current object
    and renames its own into place as one step: two writers of one key take
    turns for that step (not while their bodies stream). One nova-objectstore
    serves a buckets_path; green threads take the locks once eventlet patched
    threading.
    """

    def __init__(self):
        self._guard = threading.Lock()
        self._held = {}  # name -> [lock, users]

    @contextlib.contextmanager
    def hold(self, name):
        with self._guard:
            entry = self._held.setdefault(name, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if not entry[1]:
                    del self._held[name]


class Store:
    """The buckets under one root directory."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)
        self._check_xattrs()
        self.locks = KeyLocks()

    def _check_xattrs(self):
        with tempfile.NamedTemporaryFile(dir=self.root, prefix='.probe-') as probe:
            try:
                os.setxattr(probe.fileno(), XATTR, b'{}')
            except OSError as e:
                raise exception.ConfigError(reason=_('buckets_path %s does not support user '
                                            'extended attributes: %s') % (self.root, e))

    # ------------------------------------------------------------- buckets

    def _bucket_path(self, name):
        if not _BUCKET_NAME.match(name or '') or '..' in name:
            raise exception.BucketNotFound(bucket=name)
        return os.path.join(self.root, name)

    def get_bucket(self, name):
        path = self._bucket_path(name)
        try:
            with open(os.path.join(path, BUCKET_FILE)) as f:
                doc = json.load(f)
        except (FileNotFoundError, NotADirectoryError):
            raise exception.BucketNotFound(bucket=name)
        return Bucket(name, path, doc['owner'], doc['owner_name'],
                      acls.from_document(doc['acl'], doc['owner'], doc['owner_name']),
                      datetime.datetime.fromisoformat(doc['created']), doc['location'],
                      doc.get('config', {}))

    def list_buckets(self):
        found = []
        for name in sorted(os.listdir(self.root)):
            if not name.startswith('.'):
                try:
                    found.append(self.get_bucket(name))
                except exception.BucketNotFound:
                    continue  # being created or removed
        return found

    def create_bucket(self, name, owner, owner_name, acl, location=''):
        """A new bucket; BucketExists (kwarg owner: its owner) if the name is taken.

        acl: an ACL, or the name of a canned one."""
        validate_bucket_name(name)
        if isinstance(acl, str):
            acl = acls.canned(acl, owner, owner_name)
        path = os.path.join(self.root, name)
        staging = tempfile.mkdtemp(dir=self.root, prefix='.new-')
        bucket = Bucket(name, staging, owner, owner_name, acl,
                        datetime.datetime.now(datetime.timezone.utc), location)
        try:
            for sub in (bucket.objects, bucket.uploads, bucket.tmp):
                os.mkdir(sub)
            write_json(os.path.join(staging, BUCKET_FILE), bucket.document())
            os.rename(staging, path)
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            if e.errno in (errno.EEXIST, errno.ENOTEMPTY):
                raise exception.BucketExists(bucket=name, owner=self.get_bucket(name).owner)
            raise
        bucket.path = path
        return bucket

    def set_bucket_acl(self, bucket, acl):
        bucket.acl = acl
        write_json(os.path.join(bucket.path, BUCKET_FILE), bucket.document())

    def set_bucket_config(self, bucket, name, document):
        """Set (document None: remove) one configuration sub-resource."""
        if document is None:
            bucket.config.pop(name, None)
        else:
            bucket.config[name] = document
        write_json(os.path.join(bucket.path, BUCKET_FILE), bucket.document())

    def delete_bucket(self, bucket):
        """Remove an empty bucket (uploads in progress go with it); BucketNotEmpty."""
        for tree in (bucket.objects, bucket.versions):
            if next(keys.walk(tree, keys.Bounds()), None) is not None:
                raise exception.BucketNotEmpty(bucket=bucket.name)
        trash = os.path.join(self.root, '.trash-%s' % uuid.uuid4().hex)
        try:
            os.rename(bucket.path, trash)
        except FileNotFoundError:
            raise exception.BucketNotFound(bucket=bucket.name)
        shutil.rmtree(trash, ignore_errors=True)

    def remove_stale(self, max_age):
        """Remove what interrupted writes left behind (tmp files, half-made buckets)."""
        limit = time.time() - max_age
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if name.startswith(('.new-', '.trash-')):
                shutil.rmtree(path, ignore_errors=True)
                continue
            for entry in scandir(os.path.join(path, 'uploads')):
                if entry.name.startswith('done-') and \
                        entry.stat(follow_symlinks=False).st_mtime < limit:
                    discard(entry.path)  # a completed upload's remembered result
            for entry in scandir(os.path.join(path, 'tmp')):
                if entry.stat(follow_symlinks=False).st_mtime >= limit:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    discard(entry.path)

    # ------------------------------------------------------------- objects

    def stage(self, bucket):
        return Staged(bucket.tmp)

    def put_object(self, bucket, key, chunks, attrs, content_md5=None, limit=None,
                   precondition=None):
        """Store the streamed chunks as key; ObjectDigestMismatch if content_md5 differs.

        precondition(current ObjectInfo or None) runs just before the commit,
        with the key locked, and raises to refuse it (conditional writes).
        """
        keys.validate(key)  # before reading the body
        with self.stage(bucket) as staged:
            digest = staged.write_stream(chunks, limit)
            if content_md5 is not None and digest.digest() != content_md5:
                raise exception.ObjectDigestMismatch()
            attrs = versions.stamp(bucket, dict(attrs, etag=digest.hexdigest()))
            stat = staged.finish(attrs)
            self.commit(bucket, key, staged, precondition, attrs.get('version_id'))
        return ObjectInfo(key, stat.st_size, stat.st_mtime, attrs)

    def commit(self, bucket, key, staged, precondition=None, version_id=None):
        """Rename a finished staged file into place as key (its version version_id),
        its precondition held, the version it replaces kept if the bucket is
        versioned (nova.objectstore.versions)."""
        path = keys.object_path(bucket.objects, key)
        with self.locks.hold((bucket.name, key)):
            current = self.current(bucket, key, markers=True)
            if precondition is not None:
                precondition(None if current is None or current.attrs.get('delete_marker')
                             else current)
            versions.retire(bucket, key, current, version_id)
            staged.commit(path, bucket.objects)

    def current(self, bucket, key, markers=False):
        """The ObjectInfo of key, None if there is none (or, unless markers, if
        its current version is a delete marker)."""
        try:
            return self.head_object(bucket, key, markers)
        except exception.ObjectNotFound:
            return None

    def open_object(self, bucket, key, markers=False):
        """(ObjectInfo, open binary file) of one consistent version; ObjectNotFound
        (versions.DeleteMarker if the current version is one, unless markers)."""
        path = keys.object_path(bucket.objects, key)
        try:
            f = open(path, 'rb')
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise exception.ObjectNotFound(bucket=bucket.name, key=key)
        try:
            stat = os.fstat(f.fileno())
            info = ObjectInfo(key, stat.st_size, stat.st_mtime, read_attrs(f.fileno()))
        except BaseException:
            f.close()
            raise
        if info.attrs.get('delete_marker') and not markers:
            f.close()
            raise versions.DeleteMarker(info, bucket=bucket.name, key=key)
        return info, f

    def head_object(self, bucket, key, markers=False):
        info, f = self.open_object(bucket, key, markers)
        f.close()
        return info

    def copy_object(self, info, f, bucket, key, attrs, limit=None):
        """Copy the open source version (info, f) to bucket/key with attrs (the
        ETag is the source's); closes f."""
        keys.validate(key)
        with f, self.stage(bucket) as staged:
            if limit is not None and info.size > limit:
                raise exception.ObjectTooLarge(limit=limit)
            staged.copy_from(f.fileno(), 0, info.size)
            attrs = versions.stamp(bucket, dict(attrs, etag=info.etag))
            stat = staged.finish(attrs)
            self.commit(bucket, key, staged, version_id=attrs.get('version_id'))
        return ObjectInfo(key, stat.st_size, stat.st_mtime, attrs)

    def update_attrs(self, bucket, key, changes, version_id=None):
        """Change some of a version's attributes (its ACL, its tags) in place: one
        setxattr of the whole document, on the file read, with the key locked so
        that a write committing meanwhile is not given the old object's rest.
        version_id: that version (default: the current one)."""
        with self.locks.hold((bucket.name, key)):
            path = versions.path_of(self, bucket, key, version_id)
            try:
                fd = os.open(path, os.O_RDONLY)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                raise exception.ObjectNotFound(bucket=bucket.name, key=key)
            try:
                attrs = dict(read_attrs(fd), **changes)
                os.setxattr(fd, XATTR, json.dumps(attrs).encode('utf-8'))
            finally:
                os.close(fd)
        return attrs

    def delete_object(self, bucket, key, precondition=None, marker_attrs=None):
        """Remove key if it exists (S3 answers the same either way); in a
        versioned bucket, make a delete marker its current version instead.

        precondition: as for put_object (conditional deletes); marker_attrs:
        what a delete marker keeps (its ACL). The marker's ObjectInfo, or None."""
        if bucket.versioning is not None:
            attrs = versions.stamp(bucket, dict(marker_attrs or {}, delete_marker=True,
                                                etag=''))
            with self.stage(bucket) as staged:
                stat = staged.finish(attrs)
                self.commit(bucket, key, staged, precondition, attrs['version_id'])
            return ObjectInfo(key, stat.st_size, stat.st_mtime, attrs)
        path = keys.object_path(bucket.objects, key)
        with self.locks.hold((bucket.name, key)):
            if precondition is not None:
                precondition(self.current(bucket, key))
            try:
                os.unlink(path)
            except (FileNotFoundError, NotADirectoryError):
                return
        prune_dirs(os.path.dirname(path), bucket.objects)

    def iter_objects(self, bucket, bounds):
        """(key, ObjectInfo) in key order, delete markers left out; reads one stat
        and one xattr per key."""
        for key, entry in keys.walk(bucket.objects, bounds):
            try:
                stat = entry.stat()
                attrs = read_attrs(entry.path)
            except FileNotFoundError:
                continue  # deleted while listing
            if not attrs.get('delete_marker'):
                yield key, ObjectInfo(key, stat.st_size, stat.st_mtime, attrs)

    def iter_current(self, bucket, bounds):
        """(key, os.DirEntry) of every key's current version (delete markers too),
        in key order, reading nothing but directories."""
        return keys.walk(bucket.objects, bounds)
