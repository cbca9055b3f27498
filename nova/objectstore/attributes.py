"""GetObjectAttributes (GET ?attributes): an object's ETag, checksum, parts,
storage class and size without its body, as x-amz-object-attributes asks."""
from nova import exception
from nova.i18n import _
from nova.objectstore import checksums
from nova.objectstore import objects
from nova.objectstore import request
from nova.objectstore import uploads
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

NAMES = ('ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize')
MAX_PARTS_LISTED = 1000


def _asked(s3req):
    wanted = [name.strip() for name in s3req.headers.get('x-amz-object-attributes', '')
              .split(',') if name.strip()]
    if not wanted:
        raise S3Error('InvalidRequest', _('The x-amz-object-attributes header specifying the '
                      'attributes to be retrieved is either missing or empty'))
    for name in wanted:
        if name not in NAMES:
            raise S3Error('InvalidArgument', _('Invalid attribute name specified.'),
                          ArgumentName='x-amz-object-attributes', ArgumentValue=name[:60])
    return wanted


def _parts(s3req, info):
    """ObjectParts of a multipart object, paged by the part number marker."""
    sizes = info.attrs['parts']
    count = sum(n for _size, n in sizes)
    headers = s3req.headers
    marker = request.bounded_int(headers.get('x-amz-part-number-marker'),
                                 'x-amz-part-number-marker', 0, 0, uploads.MAX_PARTS)
    most = request.bounded_int(headers.get('x-amz-max-parts'), 'x-amz-max-parts',
                               MAX_PARTS_LISTED, 0, MAX_PARTS_LISTED)
    kept = info.attrs.get('part_checksums')
    algorithm = next(iter(info.attrs.get('checksums') or {}), None)
    numbered, number = [], 0
    for size, n in sizes:
        for _copy in range(n):
            number += 1
            if number > marker:
                numbered.append((number, size))
    shown = numbered[:most]
    children = [('PartsCount', count), ('PartNumberMarker', marker),
                ('NextPartNumberMarker', shown[-1][0] if shown else marker),
                ('MaxParts', most), ('IsTruncated', len(shown) < len(numbered))]
    for number, size in shown:
        entry = [('PartNumber', number), ('Size', size)]
        if kept and algorithm:
            entry.append((checksums.ELEMENT[algorithm], kept[number - 1]))
        children.append(('Part', entry))
    return children


def get_object_attributes(s3req):
    wanted = _asked(s3req)
    bucket = s3req.bucket()
    version_id = objects.requested_version(s3req)
    try:
        info, f = objects.open_addressed(s3req, bucket, version_id=version_id)
    except (exception.ObjectNotFound, S3Error):
        s3req.require_listing(bucket, s3req.key)
        raise
    f.close()
    objects.require_readable(s3req, bucket, info)
    children = []
    if 'ETag' in wanted:
        children.append(('ETag', info.etag))
    sums = info.attrs.get('checksums') or {}
    if 'Checksum' in wanted and sums:
        children.append(('Checksum', [(checksums.ELEMENT[a], v) for a, v in sums.items()]
                         + [('ChecksumType', info.attrs.get('checksum_type',
                                                         checksums.FULL_OBJECT))]))
    if 'ObjectParts' in wanted and info.attrs.get('parts'):
        children.append(('ObjectParts', _parts(s3req, info)))
    if 'StorageClass' in wanted:
        children.append(('StorageClass', 'STANDARD'))
    if 'ObjectSize' in wanted:
        children.append(('ObjectSize', info.size))
    response = xmlutil.response('GetObjectAttributesResponse', children)
    response.headerlist += [('Last-Modified', request.http_date(info.last_modified))]
    response.headerlist += objects.version_headers(info)
    return response
