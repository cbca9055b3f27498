"""Multipart uploads in progress: <bucket>/uploads/<upload id>/.

Each upload directory holds upload.json (key, the object's future attributes,
owner, initiation time) and one file per part, part-NNNNN, whose MD5 is in the
same extended attribute objects use. Completing concatenates the listed parts
in the kernel (copy_file_range) into a staged file that is renamed into place
like any object, then removes the upload; aborting renames the upload away
before removing it, so a part arriving meanwhile finds no upload.
"""
import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid

from nova import exception
from nova.objectstore import files
from nova.objectstore import keys
from nova.objectstore import versions

UPLOAD_FILE = 'upload.json'
MAX_PARTS = 10000
_UPLOAD_ID = re.compile(r'^[0-9a-f]{32}$')
_PART_FILE = re.compile(r'^part-(\d{5})$')


@dataclasses.dataclass
class Upload:
    id: str
    key: str
    path: str
    attrs: dict
    owner: str
    initiated: datetime.datetime


@dataclasses.dataclass
class Part:
    number: int
    size: int
    etag: str
    mtime: float

    @property
    def last_modified(self):
        return files.utc(self.mtime)


def multipart_etag(md5_hexes):
    """S3's ETag of a multipart object: MD5 of the parts' binary MD5s, '-', count."""
    joined = b''.join(bytes.fromhex(value) for value in md5_hexes)
    return '%s-%d' % (hashlib.md5(joined).hexdigest(), len(md5_hexes))


def _part_path(upload, number):
    return os.path.join(upload.path, 'part-%05d' % number)


def create(bucket, key, attrs, owner):
    """A new upload of key; its id names its directory."""
    keys.validate(key)
    upload = Upload(uuid.uuid4().hex, key, None, attrs, owner,
                    datetime.datetime.now(datetime.timezone.utc))
    staging = tempfile.mkdtemp(dir=bucket.tmp, prefix='u-')
    try:
        files.write_json(os.path.join(staging, UPLOAD_FILE), {
            'key': key, 'attrs': attrs, 'owner': owner,
            'initiated': upload.initiated.isoformat()})
        upload.path = os.path.join(bucket.uploads, upload.id)
        os.rename(staging, upload.path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return upload


def _load(path, upload_id):
    with open(os.path.join(path, UPLOAD_FILE)) as f:
        doc = json.load(f)
    return Upload(upload_id, doc['key'], path, doc['attrs'], doc['owner'],
                  datetime.datetime.fromisoformat(doc['initiated']))


def get(bucket, upload_id, key):
    """The upload upload_id of key; UploadNotFound otherwise."""
    if not _UPLOAD_ID.match(upload_id or ''):
        raise exception.UploadNotFound(upload_id=upload_id)
    try:
        upload = _load(os.path.join(bucket.uploads, upload_id), upload_id)
    except FileNotFoundError:
        raise exception.UploadNotFound(upload_id=upload_id)
    if upload.key != key:
        raise exception.UploadNotFound(upload_id=upload_id)
    return upload


def list_uploads(bucket):
    """Every upload in progress, by key then initiation time."""
    found = []
    for entry in files.scandir(bucket.uploads):
        if _UPLOAD_ID.match(entry.name):
            try:
                found.append(_load(entry.path, entry.name))
            except FileNotFoundError:
                continue  # completed or aborted meanwhile
    return sorted(found, key=lambda u: (u.key, u.initiated, u.id))


def put_part(store, bucket, upload, number, chunks, content_md5=None, limit=None):
    """Store one part (replacing an earlier one of that number)."""
    with store.stage(bucket) as staged:
        digest = staged.write_stream(chunks, limit)
        if content_md5 is not None and digest.digest() != content_md5:
            raise exception.ObjectDigestMismatch()
        stat = staged.finish({'etag': digest.hexdigest()})
        try:
            os.replace(staged.path, _part_path(upload, number))
        except FileNotFoundError:
            raise exception.UploadNotFound(upload_id=upload.id)
    return Part(number, stat.st_size, digest.hexdigest(), stat.st_mtime)


def list_parts(upload):
    parts = []
    for entry in files.scandir(upload.path):
        match = _PART_FILE.match(entry.name)
        if match:
            try:
                stat = entry.stat()
                etag = files.read_attrs(entry.path)['etag']
            except FileNotFoundError:
                continue
            parts.append(Part(int(match.group(1)), stat.st_size, etag, stat.st_mtime))
    return sorted(parts, key=lambda p: p.number)


def complete(store, bucket, upload, requested, min_size, precondition=None):
    """Assemble the requested [(number, etag)] parts into the object.

    UploadPartsOutOfOrder, UploadPartInvalid (missing part, other ETag),
    UploadPartTooSmall (a part but the last below min_size); precondition as
    for Store.put_object.
    """
    stored = {part.number: part for part in list_parts(upload)}
    chosen = []
    for number, etag in requested:
        if chosen and number <= chosen[-1].number:
            raise exception.UploadPartsOutOfOrder()
        part = stored.get(number)
        if part is None or part.etag != etag.strip().strip('"'):
            raise exception.UploadPartInvalid(part=number)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < min_size:
            raise exception.UploadPartTooSmall(part=part.number, limit=min_size)
    attrs = versions.stamp(bucket, dict(upload.attrs,
                                        etag=multipart_etag([p.etag for p in chosen])))
    with store.stage(bucket) as staged:
        for part in chosen:
            with open(_part_path(upload, part.number), 'rb') as f:
                staged.copy_from(f.fileno(), 0, part.size)
        stat = staged.finish(attrs)
        store.commit(bucket, upload.key, staged, precondition, attrs.get('version_id'))
    try:
        _remove(bucket, upload)
    except exception.UploadNotFound:
        pass  # aborted while completing: the object is complete all the same
    return files.ObjectInfo(upload.key, stat.st_size, stat.st_mtime, attrs)


def abort(bucket, upload):
    _remove(bucket, upload)


def _remove(bucket, upload):
    gone = os.path.join(bucket.tmp, 'a-' + upload.id)
    try:
        os.rename(upload.path, gone)
    except FileNotFoundError:
        raise exception.UploadNotFound(upload_id=upload.id)
    shutil.rmtree(gone, ignore_errors=True)
