"""Multipart upload operations: create, upload part (or copy), list parts,
complete, abort. Storage is nova.objectstore.uploads."""
import webob

from nova import exception
from nova.conf import CONF
from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import acl
from nova.objectstore import checksums
from nova.objectstore import objects
from nova.objectstore import payload
from nova.objectstore import uploads
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

MAX_PARTS_LISTED = 1000


def _upload(s3req, permission=acl.WRITE):
    bucket = s3req.bucket_granting(permission)
    return bucket, uploads.get(bucket, s3req.params.get('uploadId'), s3req.key)


def create(s3req):
    """CreateMultipartUpload; with x-amz-checksum-algorithm (and -type), every
    part gets that checksum and the object a composite or full-object one."""
    bucket = s3req.bucket_granting(acl.WRITE)
    attrs = s3req.object_attrs(bucket)
    headers = []
    name = s3req.headers.get('x-amz-checksum-algorithm')
    if name is not None:
        algorithm = checksums.algorithm_named(name)
        kind = checksums.multipart_type(algorithm, s3req.headers.get('x-amz-checksum-type'))
        attrs[uploads.CHECKSUM_ATTR] = {'algorithm': algorithm, 'type': kind}
        headers = [('x-amz-checksum-algorithm', algorithm.upper()),
                   ('x-amz-checksum-type', kind)]
    elif 'x-amz-checksum-type' in s3req.headers:
        raise S3Error('InvalidRequest', _('The x-amz-checksum-type header can only be used '
                      'with the x-amz-checksum-algorithm header.'))
    upload = uploads.create(bucket, s3req.key, attrs, access.writer(s3req.context, bucket)[0])
    response = xmlutil.response('InitiateMultipartUploadResult', [
        ('Bucket', bucket.name), ('Key', upload.key), ('UploadId', upload.id)])
    response.headerlist += headers
    return response


def upload_part(s3req):
    """PUT ?partNumber&uploadId, with a body or x-amz-copy-source (UploadPartCopy)."""
    number = s3req.int_param('partNumber', None, 1, uploads.MAX_PARTS)
    if number is None:
        raise S3Error('InvalidArgument', _('partNumber is required'), ArgumentName='partNumber')
    bucket, upload = _upload(s3req)
    limit = CONF.s3_max_object_size
    if 'x-amz-copy-source' in s3req.headers:
        return _copy_part(s3req, bucket, upload, number, limit)
    payload.require_length(s3req.req)
    algorithm, _kind = uploads.checksum_of(upload)
    body = payload.body(s3req.req, s3req.identity, limit, compute=algorithm)
    part = uploads.put_part(s3req.store, bucket, upload, number, body,
                            payload.content_md5(s3req.req), limit, body.checksums)
    return webob.Response(status=200, headerlist=[
        ('ETag', '"%s"' % part.etag), *objects.checksum_headers(part.checksums),
        ('Content-Length', '0')])


def _copy_range(header, size):
    if header is None:
        return 0, size
    spec = header.strip()
    first, _sep, last = spec[len('bytes='):].partition('-') if spec.startswith('bytes=') \
        else ('', '', '')
    try:
        first, last = int(first), int(last)
    except ValueError:
        raise S3Error('InvalidArgument', _('The x-amz-copy-source-range value must be of the '
                      'form bytes=first-last where first and last are the zero-based '
                      'offsets of the first and last bytes to copy'),
                      ArgumentName='x-amz-copy-source-range', ArgumentValue=header)
    if not 0 <= first <= last or last >= size:
        raise S3Error('InvalidRange', RangeRequested=header, ActualObjectSize=size)
    return first, last - first + 1


def _copy_part(s3req, bucket, upload, number, limit):
    _source, info, f = objects.readable_source(s3req)
    with f:
        first, length = _copy_range(s3req.headers.get('x-amz-copy-source-range'), info.size)
        chunks = objects.FileIter(f, first, length, CONF.s3_io_chunk_size)
        try:
            part = uploads.put_part(s3req.store, bucket, upload, number, chunks, None, limit)
        finally:
            chunks.close()
    return xmlutil.response('CopyPartResult', [('LastModified', part.last_modified),
                                               ('ETag', '"%s"' % part.etag)])


def list_parts(s3req):
    bucket, upload = _upload(s3req, acl.READ)
    marker = s3req.int_param('part-number-marker', 0, 0, uploads.MAX_PARTS)
    max_parts = s3req.int_param('max-parts', MAX_PARTS_LISTED, 0, 2 ** 31 - 1)
    parts = [p for p in uploads.list_parts(upload) if p.number > marker]
    shown = parts[:min(max_parts, MAX_PARTS_LISTED)]
    truncated = len(shown) < len(parts)
    owner = [('ID', bucket.owner), ('DisplayName', bucket.owner_name)]
    algorithm, kind = uploads.checksum_of(upload)
    children = [('Bucket', bucket.name), ('Key', upload.key), ('UploadId', upload.id),
                ('Initiator', owner), ('Owner', owner), ('StorageClass', 'STANDARD'),
                ('PartNumberMarker', marker),
                ('NextPartNumberMarker', shown[-1].number if shown else marker),
                ('MaxParts', max_parts), ('IsTruncated', truncated),
                ('ChecksumAlgorithm', algorithm.upper() if algorithm else None),
                ('ChecksumType', kind)]
    for p in shown:
        entry = [('PartNumber', p.number), ('LastModified', p.last_modified),
                 ('ETag', '"%s"' % p.etag), ('Size', p.size)]
        if algorithm:
            entry.append((checksums.ELEMENT[algorithm], p.checksums.get(algorithm)))
        children.append(('Part', entry))
    return xmlutil.response('ListPartsResult', children)


def _requested_parts(document):
    requested = []
    for part in document.findall('Part'):
        number, etag = part.findtext('PartNumber'), part.findtext('ETag')
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise S3Error('MalformedXML')
        if etag is None or not 1 <= number <= uploads.MAX_PARTS:
            raise S3Error('MalformedXML')
        sums = {algorithm: part.findtext(element).strip()
                for algorithm, element in checksums.ELEMENT.items()
                if part.findtext(element) is not None}
        requested.append((number, etag, sums))
    if not requested:
        raise S3Error('MalformedXML', _('The XML you provided was not well-formed or did not '
                      'validate against our published schema: it lists no part'))
    return requested


def complete(s3req):
    """CompleteMultipartUpload; completing one already completed answers the
    same result again, as S3 does."""
    bucket = s3req.bucket_granting(acl.WRITE)
    upload_id = s3req.params.get('uploadId')
    try:
        upload = uploads.get(bucket, upload_id, s3req.key)
    except exception.UploadNotFound:
        done = uploads.completed(bucket, upload_id, s3req.key)
        if done is None:
            raise
        return _completed(s3req, bucket, done)
    requested = _requested_parts(s3req.read_xml('CompleteMultipartUpload'))
    precondition = objects.early_precondition(s3req, bucket)
    expected = {name[len('x-amz-checksum-'):]: value.strip()
                for name, value in s3req.headers.items()
                if name.lower()[len('x-amz-checksum-'):] in checksums.ALGORITHMS
                and name.lower().startswith('x-amz-checksum-')}
    info = uploads.complete(s3req.store, bucket, upload, requested, CONF.s3_min_part_size,
                            precondition, {k.lower(): v for k, v in expected.items()})
    return _completed(s3req, bucket, info)


def _completed(s3req, bucket, info):
    children = [('Location', s3req.url(info.key)), ('Bucket', bucket.name),
                ('Key', info.key), ('ETag', '"%s"' % info.etag)]
    children += [(checksums.ELEMENT[algorithm], value)
                 for algorithm, value in sorted(info.attrs.get('checksums', {}).items())]
    children.append(('ChecksumType', info.attrs.get('checksum_type')))
    response = xmlutil.response('CompleteMultipartUploadResult', children)
    response.headerlist += objects.version_headers(info)
    return response


def abort(s3req):
    bucket, upload = _upload(s3req)
    uploads.abort(bucket, upload)
    return webob.Response(status=204)
