"""Multipart uploads in progress: <bucket>/uploads/<upload id>/.

Each upload directory holds upload.json (key, the object's future attributes,
owner, initiation time) and one file per part, part-NNNNN, whose MD5 is in the
same extended attribute objects use. Completing concatenates the listed parts
in the kernel (copy_file_range) into a staged file that is renamed into place
like any object, then removes the upload; aborting renames the upload away
before removing it, so a part arriving meanwhile finds no upload.

An upload created with a checksum algorithm keeps each part's checksum of it
(computed if the client sent none) and gives the object a COMPOSITE or
FULL_OBJECT checksum (nova.objectstore.checksums); the object remembers its
parts' sizes (for partNumber reads and GetObjectAttributes). A completed
upload leaves uploads/done-<id>.json behind for a while, so that completing it
again answers the same, as S3 does.
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
from nova.objectstore import checksums
from nova.objectstore import files
from nova.objectstore import keys
from nova.objectstore import versions

UPLOAD_FILE = 'upload.json'
MAX_PARTS = 10000
CHECKSUM_ATTR = 'upload_checksum'  # {'algorithm', 'type'} of the upload, in its attrs
MAX_PART_CHECKSUMS_KEPT = 100  # with the object (its extended attribute is 4 KiB)
DONE_PREFIX = 'done-'  # uploads/done-<id>.json: the result of a completed upload
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
    checksums: dict = dataclasses.field(default_factory=dict)  # algorithm -> base64

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


def put_part(store, bucket, upload, number, chunks, content_md5=None, limit=None,
             part_checksums=None):
    """Store one part (replacing an earlier one of that number).

    part_checksums: {algorithm: base64} of the part, filled in (by the body's
    checks) by the time chunks are exhausted."""
    with store.stage(bucket) as staged:
        digest = staged.write_stream(chunks, limit)
        if content_md5 is not None and digest.digest() != content_md5:
            raise exception.ObjectDigestMismatch()
        sums = dict(part_checksums or {})
        stat = staged.finish({'etag': digest.hexdigest(), 'checksums': sums})
        try:
            os.replace(staged.path, _part_path(upload, number))
        except FileNotFoundError:
            raise exception.UploadNotFound(upload_id=upload.id)
    return Part(number, stat.st_size, digest.hexdigest(), stat.st_mtime, sums)


def list_parts(upload):
    parts = []
    for entry in files.scandir(upload.path):
        match = _PART_FILE.match(entry.name)
        if match:
            try:
                stat = entry.stat()
                attrs = files.read_attrs(entry.path)
            except FileNotFoundError:
                continue
            parts.append(Part(int(match.group(1)), stat.st_size, attrs['etag'], stat.st_mtime,
                              attrs.get('checksums') or {}))
    return sorted(parts, key=lambda p: p.number)


def checksum_of(upload):
    """(algorithm, type) of the upload's checksum, (None, None) without one."""
    found = upload.attrs.get(CHECKSUM_ATTR) or {}
    return found.get('algorithm'), found.get('type')


def _object_checksums(upload, chosen):
    """The checksums attributes of the completed object: the whole object's
    (composite or full-object), its parts' sizes and (few enough to keep in
    an extended attribute) their checksums."""
    algorithm, kind = checksum_of(upload)
    sizes = []
    for part in chosen:
        if sizes and sizes[-1][0] == part.size:
            sizes[-1][1] += 1
        else:
            sizes.append([part.size, 1])
    found = {'parts': sizes, 'checksums': {}}
    if algorithm is None:
        return found
    values = [part.checksums.get(algorithm) for part in chosen]
    if None in values:
        raise exception.UploadPartInvalid(part=chosen[values.index(None)].number)
    if kind == checksums.COMPOSITE:
        whole = checksums.composite(algorithm, values)
    else:
        whole = checksums.full_object(algorithm, [(v, p.size) for v, p in zip(values, chosen)])
    found.update(checksums={algorithm: whole}, checksum_type=kind)
    if len(values) <= MAX_PART_CHECKSUMS_KEPT:
        found['part_checksums'] = values
    return found


def complete(store, bucket, upload, requested, min_size, precondition=None, expected=None):
    """Assemble the requested [(number, etag, {algorithm: checksum})] parts into
    the object, and remember the result for a repeated CompleteMultipartUpload.

    UploadPartsOutOfOrder, UploadPartInvalid (missing part, other ETag or
    checksum), UploadPartTooSmall (a part but the last below min_size);
    precondition as for Store.put_object; expected: the whole object's
    {algorithm: checksum} the client sent (ObjectDigestMismatch if not so).
    """
    stored = {part.number: part for part in list_parts(upload)}
    chosen = []
    for number, etag, sums in requested:
        if chosen and number <= chosen[-1].number:
            raise exception.UploadPartsOutOfOrder()
        part = stored.get(number)
        if part is None or part.etag != etag.strip().strip('"') or any(
                part.checksums.get(algorithm, value) != value
                for algorithm, value in sums.items()):
            raise exception.UploadPartInvalid(part=number)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < min_size:
            raise exception.UploadPartTooSmall(part=part.number, limit=min_size)
    attrs = {name: value for name, value in upload.attrs.items() if name != CHECKSUM_ATTR}
    attrs.update(_object_checksums(upload, chosen))
    for algorithm, value in (expected or {}).items():
        stored = attrs['checksums'].get(algorithm) or ''
        if value not in (stored, stored.partition('-')[0]):
            raise exception.ObjectDigestMismatch()
    attrs = versions.stamp(bucket, dict(attrs, etag=multipart_etag([p.etag for p in chosen])))
    with store.stage(bucket) as staged:
        for part in chosen:
            with open(_part_path(upload, part.number), 'rb') as f:
                staged.copy_from(f.fileno(), 0, part.size)
        stat = staged.finish(attrs)
        store.commit(bucket, upload.key, staged, precondition, attrs.get('version_id'))
    info = files.ObjectInfo(upload.key, stat.st_size, stat.st_mtime, attrs)
    files.write_json(_done_path(bucket, upload.id), {
        'key': upload.key, 'etag': attrs['etag'], 'version_id': attrs.get('version_id'),
        'checksums': attrs['checksums'], 'checksum_type': attrs.get('checksum_type')})
    try:
        _remove(bucket, upload)
    except exception.UploadNotFound:
        pass  # aborted while completing: the object is complete all the same
    return info


def _done_path(bucket, upload_id):
    return os.path.join(bucket.uploads, DONE_PREFIX + upload_id + '.json')


def completed(bucket, upload_id, key):
    """What completing upload_id of key made (an ObjectInfo without size), if it
    was completed lately (S3 answers a repeated CompleteMultipartUpload with
    the same result); None otherwise."""
    if not _UPLOAD_ID.match(upload_id or ''):
        return None
    try:
        with open(_done_path(bucket, upload_id)) as f:
            done = json.load(f)
    except (FileNotFoundError, ValueError):
        return None
    if done['key'] != key:
        return None
    attrs = {'etag': done['etag'], 'checksums': done['checksums']}
    if done.get('checksum_type'):
        attrs['checksum_type'] = done['checksum_type']
    if done.get('version_id'):
        attrs['version_id'] = done['version_id']
    return files.ObjectInfo(key, None, None, attrs)


def abort(bucket, upload):
    _remove(bucket, upload)


def _remove(bucket, upload):
    gone = os.path.join(bucket.tmp, 'a-' + upload.id)
    try:
        os.rename(upload.path, gone)
    except FileNotFoundError:
        raise exception.UploadNotFound(upload_id=upload.id)
    shutil.rmtree(gone, ignore_errors=True)
