"""Object operations: put, get, head, delete, copy and ACLs."""
import urllib.parse

import webob

from nova import exception
from nova.api import request_input
from nova.conf import CONF
from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import conditions
from nova.objectstore import files
from nova.objectstore import payload
from nova.objectstore import checksums
from nova.objectstore import request
from nova.objectstore import tagsets
from nova.objectstore import uploads
from nova.objectstore import versions
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

# GetObject query parameters that override a response header
RESPONSE_OVERRIDES = {
    'response-content-type': 'Content-Type',
    'response-content-language': 'Content-Language',
    'response-expires': 'Expires',
    'response-cache-control': 'Cache-Control',
    'response-content-disposition': 'Content-Disposition',
    'response-content-encoding': 'Content-Encoding',
}


class FileIter:
    """Serves [offset, offset + length) of an open file in large reads; closes it.
    A range of --s3_direct_io_min bytes or more is read around the page cache
    (files.read_direct), as large bodies are written."""

    def __init__(self, f, offset, length, chunk_size):
        self.file, self.offset, self.length, self.chunk_size = f, offset, length, chunk_size
        self._reads = None

    def __iter__(self):
        if CONF.s3_direct_io_min and self.length >= CONF.s3_direct_io_min:
            self._reads = files.read_direct(self.file.fileno(), self.offset, self.length,
                                            self.chunk_size)
            return self._reads
        return self._buffered()

    def _buffered(self):
        self.file.seek(self.offset)
        remaining = self.length
        while remaining > 0:
            data = self.file.read(min(self.chunk_size, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data

    def close(self):
        if self._reads is not None:
            self._reads.close()  # waits for a read in flight
        self.file.close()


def validators(info):
    return [('ETag', '"%s"' % info.etag),
            ('Last-Modified', request.http_date(info.last_modified))]


def object_headers(info):
    """What GET and HEAD return about an object (before any override)."""
    headers = validators(info) + [('Content-Type', info.attrs['content_type']),
                                  ('Accept-Ranges', 'bytes')]
    headers += sorted(info.attrs['headers'].items())
    headers += sorted(info.attrs['meta'].items())
    return headers


def checksum_headers(checksums):
    """x-amz-checksum-<algorithm> headers of verified checksums ({algorithm: base64})."""
    return [('x-amz-checksum-%s' % algorithm, value)
            for algorithm, value in sorted((checksums or {}).items())]


def put_object(s3req):
    bucket = s3req.bucket_granting(acl.WRITE)
    payload.require_length(s3req.req)
    precondition = early_precondition(s3req, bucket)
    limit = CONF.s3_max_object_size
    body = s3req.body(limit)
    # body.checksums is filled in as the body ends, before storage writes the attrs
    attrs = dict(s3req.object_attrs(bucket), checksums=body.checksums)
    info = s3req.store.put_object(bucket, s3req.key, body, attrs,
                                  payload.content_md5(s3req.req), limit, precondition)
    return webob.Response(status=200, headerlist=[
        ('ETag', '"%s"' % info.etag), *checksum_headers(info.attrs['checksums']),
        *version_headers(info), ('Content-Length', '0')])


def version_headers(info):
    """x-amz-version-id of a version of a versioned bucket (and
    x-amz-delete-marker when it is a delete marker)."""
    headers = []
    if 'version_id' in info.attrs:
        headers.append(('x-amz-version-id', info.attrs['version_id']))
    if info.attrs.get('delete_marker'):
        headers.append(('x-amz-delete-marker', 'true'))
    return headers


def requested_version(s3req):
    """The versionId parameter (None without one); InvalidArgument if malformed."""
    version_id = s3req.params.get('versionId')
    return versions.valid(version_id, 'versionId', version_id)


def open_addressed(s3req, bucket, key=None, version_id=None):
    """(ObjectInfo, open file) of the current version of key, or of version_id;
    S3's answers for a delete marker (404 NoSuchKey for the current one, 405
    for one asked by id, both with x-amz-delete-marker) and a missing version."""
    key = key or s3req.key
    try:
        if version_id is None:
            return s3req.store.open_object(bucket, key)
        return versions.open_version(s3req.store, bucket, key, version_id)
    except versions.DeleteMarker as e:
        if version_id is None:
            error = S3Error('NoSuchKey', Key=key)
        else:
            error = S3Error('MethodNotAllowed', _('The specified method is not allowed '
                            'against this resource.'), Method=s3req.req.method,
                            ResourceType='DeleteMarker')
            error.headers['Last-Modified'] = request.http_date(e.info.last_modified)
        error.headers.update(version_headers(e.info))
        raise error
    except versions.VersionNotFound:
        raise S3Error('NoSuchVersion', Key=key, VersionId=version_id)


def early_precondition(s3req, bucket):
    """The write's If-Match / If-None-Match check, already run once against the
    current object (no body is read to be refused); storage runs it again as
    it commits."""
    precondition = conditions.write_precondition(s3req.headers)
    if precondition is not None:
        precondition(s3req.store.current(bucket, s3req.key))
    return precondition


def _readable(s3req):
    """(bucket, ObjectInfo, open file) if the caller may read the object."""
    bucket = s3req.bucket()
    try:
        info, f = open_addressed(s3req, bucket, version_id=requested_version(s3req))
    except (exception.ObjectNotFound, S3Error):
        s3req.require_listing(bucket, s3req.key)  # else what exists is nobody's business
        raise
    try:
        require_readable(s3req, bucket, info)
    except S3Error:
        f.close()
        raise
    return bucket, info, f


def require_readable(s3req, bucket, info):
    """AccessDenied unless the caller may read the object."""
    if not access.object_allows(s3req.asker, bucket, s3req.key, info.attrs, acl.READ):
        raise S3Error('AccessDenied')


def part_bounds(info, number):
    """(first byte, last byte, parts count) of part number of an object; a
    single-part object is its own part 1; InvalidPartNumber beyond."""
    sizes = info.attrs.get('parts') or [[info.size, 1]]
    count = sum(n for _size, n in sizes)
    if number > count:
        raise S3Error('InvalidPartNumber', PartNumberRequested=number, ActualPartCount=count)
    first, seen = 0, 0
    for size, n in sizes:
        if number <= seen + n:
            first += (number - seen - 1) * size
            return first, first + size - 1, count
        first, seen = first + size * n, seen + n
    raise S3Error('InvalidPartNumber')  # not reached: number <= count


def _checksum_answer(s3req, info, part_number):
    """x-amz-checksum-* of a GET/HEAD that asked (x-amz-checksum-mode): the
    object's, or the part's for a partNumber read when it was kept."""
    if s3req.headers.get('x-amz-checksum-mode', '').upper() != 'ENABLED':
        return []
    sums = info.attrs.get('checksums') or {}
    if part_number is not None and 'parts' in info.attrs:
        kept = info.attrs.get('part_checksums')
        if not kept or not sums:
            return []
        return [('x-amz-checksum-%s' % next(iter(sums)), kept[part_number - 1]),
                ('x-amz-checksum-type', checksums.FULL_OBJECT)]
    if not sums:
        return []
    return checksum_headers(sums) + [
        ('x-amz-checksum-type', info.attrs.get('checksum_type', checksums.FULL_OBJECT))]


def get_object(s3req):
    """GET and HEAD: preconditions, one byte range or part (partNumber),
    response-* overrides, and the checksums the object was stored with when
    asked (x-amz-checksum-mode)."""
    part_number = s3req.int_param('partNumber', None, 1, uploads.MAX_PARTS)
    if part_number is not None and 'Range' in s3req.headers:
        raise S3Error('InvalidRequest', _('Cannot specify both Range header and partNumber '
                      'query parameter'))
    overrides = {header: s3req.params[name] for name, header in RESPONSE_OVERRIDES.items()
                 if name in s3req.params}
    if overrides and s3req.context is None:
        raise S3Error('InvalidRequest', _('Request specific response headers cannot be used '
                      'for anonymous GET requests.'))
    _bucket, info, f = _readable(s3req)
    try:
        if conditions.evaluate(s3req.headers, info) == conditions.NOT_MODIFIED:
            f.close()
            return webob.Response(status=304, headerlist=validators(info))
        headers = [(name, value) for name, value in object_headers(info)
                   if name not in overrides] + sorted(overrides.items())
        headers += version_headers(info) + tagsets.count_header(info.attrs)
        status, first, length = 200, 0, info.size
        if part_number is not None:
            first, last, count = part_bounds(info, part_number)
            headers.append(('x-amz-mp-parts-count', str(count)))
            ranged = (first, last) if 'parts' in info.attrs else None
        else:
            ranged = conditions.byte_range(s3req.headers.get('Range'), info.size)
        if ranged:
            first, last = ranged
            status, length = 206, last - first + 1
            headers.append(('Content-Range', 'bytes %d-%d/%d' % (first, last, info.size)))
        if not ranged or part_number is not None:
            headers += _checksum_answer(s3req, info, part_number)
        headers.append(('Content-Length', str(length)))
    except BaseException:
        f.close()
        raise
    if s3req.req.method == 'HEAD':
        f.close()
        return webob.Response(status=status, headerlist=headers, app_iter=[])
    return webob.Response(status=status, headerlist=headers,
                          app_iter=FileIter(f, first, length, CONF.s3_io_chunk_size))


def delete_object(s3req):
    """DeleteObject, conditional on If-Match, x-amz-if-match-last-modified-time
    and x-amz-if-match-size when given."""
    headers = s3req.headers
    precondition = conditions.delete_precondition(
        headers.get('If-Match'), headers.get('x-amz-if-match-last-modified-time'),
        headers.get('x-amz-if-match-size'))
    bucket = s3req.bucket_granting(acl.WRITE)
    removed = delete_one(s3req, bucket, s3req.key, requested_version(s3req), precondition)
    return webob.Response(status=204, headerlist=version_headers(removed) if removed else [])


def delete_one(s3req, bucket, key, version_id=None, precondition=None):
    """Delete key (a delete marker in a versioned bucket) or one version of it
    for good: the ObjectInfo of the marker made or the version removed, if any."""
    if version_id is not None:
        if precondition is not None:
            raise S3Error('InvalidArgument', _('Conditional deletes of a given version are '
                          'not supported'), ArgumentName='versionId', ArgumentValue=version_id)
        removed = versions.remove(s3req.store, bucket, key, version_id)
        if removed is not None and 'version_id' not in removed.attrs:
            removed.attrs = dict(removed.attrs, version_id=versions.NULL)
        return removed
    owner, owner_name = access.writer(s3req.context, bucket)
    marker_acl = acl.canned('private', owner, owner_name).document()
    return s3req.store.delete_object(bucket, key, precondition, {'acl': marker_acl})


def copy_source(s3req):
    """(bucket name, key, version id or None) of x-amz-copy-source:
    '[/]bucket/key[?versionId=...]'."""
    raw = s3req.headers['x-amz-copy-source']
    path, _sep, query = raw.partition('?')
    try:
        path = request_input.unquote(path, 'x-amz-copy-source')
    except request_input.MalformedInput:
        raise S3Error('InvalidArgument', _('Invalid copy source encoding.'),
                      ArgumentName='x-amz-copy-source', ArgumentValue=raw) from None
    name, _sep, key = path.lstrip('/').partition('/')
    version = dict(urllib.parse.parse_qsl(query)).get('versionId')
    if not name or not key:
        raise S3Error('InvalidArgument', _('Copy Source must mention the source bucket and '
                      'key: sourcebucket/sourcekey'), ArgumentName='x-amz-copy-source',
                      ArgumentValue=raw)
    return name, key, versions.valid(version, 'x-amz-copy-source', raw)


def readable_source(s3req):
    """(bucket, ObjectInfo, open file) of the copy source (the version named, or
    the current one), readable by the caller, preconditions checked."""
    name, key, version_id = copy_source(s3req)
    source = s3req.store.get_bucket(name)
    try:
        info, f = open_addressed(s3req, source, key, version_id)
    except (exception.ObjectNotFound, S3Error) as e:
        s3req.require_listing(source)
        if isinstance(e, S3Error):
            if e.code == 'MethodNotAllowed':  # a delete marker, named by its id
                raise S3Error('InvalidRequest', _('The source of a copy request may not '
                              'specifically refer to a delete marker by version id.'))
            raise
        raise S3Error('NoSuchKey', Key=key)
    try:
        access.require_object(s3req.asker, source, key, info.attrs, acl.READ,
                              's3:GetObjectVersion' if version_id else 's3:GetObject')
        if conditions.evaluate(s3req.headers, info, 'x-amz-copy-source-') is not None:
            raise S3Error('PreconditionFailed', Condition='x-amz-copy-source-If-None-Match')
    except BaseException:
        f.close()
        raise
    return source, info, f


def source_version_headers(info):
    if 'version_id' in info.attrs:
        return [('x-amz-copy-source-version-id', info.attrs['version_id'])]
    return []


def copy_object(s3req):
    """PUT with x-amz-copy-source: metadata COPY (default) or REPLACE; the copy
    gets the ACL of the request, not the source's (as S3)."""
    bucket = s3req.bucket_granting(acl.WRITE)
    source, info, f = readable_source(s3req)
    with f:
        directive = s3req.headers.get('x-amz-metadata-directive', 'COPY').upper()
        if directive not in ('COPY', 'REPLACE'):
            raise S3Error('InvalidArgument', _('Unknown metadata directive.'),
                          ArgumentName='x-amz-metadata-directive', ArgumentValue=directive)
        if directive == 'COPY' and (source.name, info.key) == (bucket.name, s3req.key) \
                and 'x-amz-copy-source-version-id' not in s3req.headers \
                and bucket.versioning is None:
            raise S3Error('InvalidRequest', _("This copy request is illegal because it is "
                          "trying to copy an object to itself without changing the object's "
                          "metadata, storage class, website redirect location or encryption "
                          "attributes."))
        new = s3req.object_attrs(bucket)
        attrs = new if directive == 'REPLACE' else dict(info.attrs, acl=new['acl'])
        tagging = s3req.headers.get('x-amz-tagging-directive', 'COPY').upper()
        if tagging not in ('COPY', 'REPLACE'):
            raise S3Error('InvalidArgument', _('Unknown tagging directive.'),
                          ArgumentName='x-amz-tagging-directive', ArgumentValue=tagging)
        attrs['tags'] = new['tags'] if tagging == 'REPLACE' else info.attrs.get('tags', {})
        copied = s3req.store.copy_object(info, f, bucket, s3req.key, attrs,
                                         CONF.s3_max_object_size)
    response = xmlutil.response('CopyObjectResult', [('LastModified', copied.last_modified),
                                                     ('ETag', '"%s"' % copied.etag)])
    response.headerlist += source_version_headers(info) + version_headers(copied)
    return response


def object_with(s3req, permission):
    """(bucket, ObjectInfo) of the version addressed, if the caller has the
    permission on it."""
    bucket = s3req.bucket()
    try:
        info, f = open_addressed(s3req, bucket, version_id=requested_version(s3req))
    except (exception.ObjectNotFound, S3Error):
        s3req.require_listing(bucket, s3req.key)
        raise
    f.close()
    access.require_object(s3req.asker, bucket, s3req.key, info.attrs, permission)
    return bucket, info


def get_acl(s3req):
    bucket, info = object_with(s3req, acl.READ_ACP)
    return access.object_acl(bucket, info.attrs).response()


def put_acl(s3req):
    bucket, info = object_with(s3req, acl.WRITE_ACP)
    current = access.object_acl(bucket, info.attrs)
    rights = access.acl_from_put_request(s3req, current.owner, current.owner_name, bucket)
    s3req.store.update_attrs(bucket, s3req.key, {'acl': rights.document()},
                             info.attrs.get('version_id'))
    return webob.Response(status=200)
