"""Multipart upload operations: create, upload part (or copy), list parts,
complete, abort. Storage is nova.objectstore.uploads."""
import webob

from nova.conf import CONF
from nova.objectstore import access
from nova.objectstore import acl
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
    bucket = s3req.bucket_granting(acl.WRITE)
    upload = uploads.create(bucket, s3req.key, s3req.object_attrs(bucket),
                            access.writer(s3req.context, bucket)[0])
    return xmlutil.response('InitiateMultipartUploadResult', [
        ('Bucket', bucket.name), ('Key', upload.key), ('UploadId', upload.id)])


def upload_part(s3req):
    """PUT ?partNumber&uploadId, with a body or x-amz-copy-source (UploadPartCopy)."""
    number = s3req.int_param('partNumber', None, 1, uploads.MAX_PARTS)
    if number is None:
        raise S3Error('InvalidArgument', 'partNumber is required', ArgumentName='partNumber')
    bucket, upload = _upload(s3req)
    limit = CONF.s3_max_object_size
    if 'x-amz-copy-source' in s3req.headers:
        return _copy_part(s3req, bucket, upload, number, limit)
    payload.require_length(s3req.req)
    body = s3req.body(limit)
    part = uploads.put_part(s3req.store, bucket, upload, number, body,
                            payload.content_md5(s3req.req), limit)
    return webob.Response(status=200, headerlist=[
        ('ETag', '"%s"' % part.etag), *objects.checksum_headers(body.checksums),
        ('Content-Length', '0')])


def _copy_range(header, size):
    if header is None:
        return 0, size
    spec = header.strip()
    first, _, last = spec[len('bytes='):].partition('-') if spec.startswith('bytes=') \
        else ('', '', '')
    try:
        first, last = int(first), int(last)
    except ValueError:
        raise S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the '
                      'form bytes=first-last where first and last are the zero-based '
                      'offsets of the first and last bytes to copy',
                      ArgumentName='x-amz-copy-source-range', ArgumentValue=header)
    if not 0 <= first <= last or last >= size:
        raise S3Error('InvalidRange', RangeRequested=header, ActualObjectSize=size)
    return first, last - first + 1


def _copy_part(s3req, bucket, upload, number, limit):
    _source, info, f = objects.readable_source(s3req)
    with f:
        first, length = _copy_range(s3req.headers.get('x-amz-copy-source-range'), info.size)
        chunks = objects.FileIter(f, first, length, CONF.s3_io_chunk_size)
        part = uploads.put_part(s3req.store, bucket, upload, number, chunks, None, limit)
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
    children = [('Bucket', bucket.name), ('Key', upload.key), ('UploadId', upload.id),
                ('Initiator', owner), ('Owner', owner), ('StorageClass', 'STANDARD'),
                ('PartNumberMarker', marker),
                ('NextPartNumberMarker', shown[-1].number if shown else marker),
                ('MaxParts', max_parts), ('IsTruncated', truncated)]
    children += [('Part', [('PartNumber', p.number), ('LastModified', p.last_modified),
                           ('ETag', '"%s"' % p.etag), ('Size', p.size)]) for p in shown]
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
        requested.append((number, etag))
    if not requested:
        raise S3Error('MalformedXML', 'The XML you provided was not well-formed or did not '
                      'validate against our published schema: it lists no part')
    return requested


def complete(s3req):
    bucket, upload = _upload(s3req)
    requested = _requested_parts(s3req.read_xml('CompleteMultipartUpload'))
    precondition = objects.early_precondition(s3req, bucket)
    info = uploads.complete(s3req.store, bucket, upload, requested, CONF.s3_min_part_size,
                            precondition)
    return xmlutil.response('CompleteMultipartUploadResult', [
        ('Location', s3req.url(upload.key)), ('Bucket', bucket.name), ('Key', upload.key),
        ('ETag', '"%s"' % info.etag)])


def abort(s3req):
    bucket, upload = _upload(s3req)
    uploads.abort(bucket, upload)
    return webob.Response(status=204)
