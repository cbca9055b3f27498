"""ListObjects (v1 and v2) and ListMultipartUploads: pages of a bucket's keys.

A page is read from the sorted walk of nova.objectstore.keys: it starts after
the marker, stops one key past max-keys (to know it is truncated), and once a
common prefix is reported the walk skips its whole subtree.
"""
import base64
import binascii
import dataclasses
import urllib.parse

from nova.objectstore import access
from nova.objectstore import keys
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

MAX_KEYS = 1000
STORAGE_CLASS = 'STANDARD'


@dataclasses.dataclass
class Page:
    contents: list  # (key, ObjectInfo)
    prefixes: list  # common prefixes, in order
    truncated: bool = False
    last: str = None  # the last key or common prefix on the page


def common_prefix(key, prefix, delimiter):
    """The common prefix key rolls up into, or None."""
    if delimiter:
        at = key.find(delimiter, len(prefix))
        if at >= 0:
            return key[:at + len(delimiter)]
    return None


def page(store, bucket, prefix='', delimiter='', after='', max_keys=MAX_KEYS):
    """One page of keys sorting after `after` (a marker may be a common prefix).

    max_keys 0 asks for nothing, and S3 says such a page is not truncated.
    """
    if max_keys == 0:
        return Page([], [])
    skip = common_prefix(after, prefix, delimiter) if after.startswith(prefix) else None
    bounds = keys.Bounds(prefix, after, skip)
    result = Page([], [])
    for key, info in store.iter_objects(bucket, bounds):
        if not bounds.wants_key(key):
            continue  # read ahead by a merge before the bounds moved
        if len(result.contents) + len(result.prefixes) >= max_keys:
            result.truncated = True
            break
        rolled = common_prefix(key, prefix, delimiter)
        if rolled:
            result.prefixes.append(rolled)
            bounds.skip = result.last = rolled
        else:
            result.contents.append((key, info))
            result.last = key
    return result


def encoder(s3req):
    """The function applied to keys in the response: URL-encoding if asked."""
    encoding = s3req.params.get('encoding-type')
    if encoding is None:
        return lambda value: value
    if encoding != 'url':
        raise S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request',
                      ArgumentName='encoding-type', ArgumentValue=encoding)
    return lambda value: None if value is None else urllib.parse.quote(value, safe='/')


def _contents(result, bucket, encode, owner):
    children = []
    for key, info in result.contents:
        entry = [('Key', encode(key)), ('LastModified', info.last_modified),
                 ('ETag', '"%s"' % info.etag), ('Size', info.size)]
        if owner:
            rights = access.object_acl(bucket, info.attrs)
            entry.append(('Owner', [('ID', rights.owner), ('DisplayName', rights.owner_name)]))
        entry.append(('StorageClass', STORAGE_CLASS))
        children.append(('Contents', entry))
    children += [('CommonPrefixes', [('Prefix', encode(p))]) for p in result.prefixes]
    return children


def list_objects(s3req, bucket):
    """GET Bucket (ListObjects): marker paging."""
    encode = encoder(s3req)
    prefix = s3req.params.get('prefix', '')
    delimiter = s3req.params.get('delimiter', '')
    marker = s3req.params.get('marker', '')
    max_keys = s3req.int_param('max-keys', MAX_KEYS, 0, 2 ** 31 - 1)
    result = page(s3req.store, bucket, prefix, delimiter, marker, min(max_keys, MAX_KEYS))
    children = [('Name', bucket.name), ('Prefix', encode(prefix)), ('Marker', encode(marker)),
                ('MaxKeys', max_keys), ('Delimiter', encode(delimiter) or None),
                ('IsTruncated', result.truncated),
                ('NextMarker', encode(result.last) if result.truncated else None),
                ('EncodingType', s3req.params.get('encoding-type'))]
    children += _contents(result, bucket, encode, owner=True)
    return xmlutil.response('ListBucketResult', children)


def token(value):
    """An opaque continuation token for a listing that resumes after value."""
    return base64.urlsafe_b64encode(value.encode('utf-8')).decode('ascii')


def untoken(value, name='continuation-token'):
    """The value a token() was made of; InvalidArgument naming the parameter."""
    try:
        return base64.b64decode(value.encode('ascii'), altchars=b'-_',
                                validate=True).decode('utf-8')
    except (binascii.Error, ValueError):
        raise S3Error('InvalidArgument', 'The continuation token provided is incorrect',
                      ArgumentName=name, ArgumentValue=value)


def list_objects_v2(s3req, bucket):
    """GET Bucket ?list-type=2: continuation tokens, start-after, KeyCount."""
    encode = encoder(s3req)
    prefix = s3req.params.get('prefix', '')
    delimiter = s3req.params.get('delimiter', '')
    given = s3req.params.get('continuation-token')
    start_after = s3req.params.get('start-after', '')
    max_keys = s3req.int_param('max-keys', MAX_KEYS, 0, 2 ** 31 - 1)
    after = untoken(given) if given is not None else start_after
    result = page(s3req.store, bucket, prefix, delimiter, after, min(max_keys, MAX_KEYS))
    children = [('Name', bucket.name), ('Prefix', encode(prefix)),
                ('Delimiter', encode(delimiter) or None), ('MaxKeys', max_keys),
                ('EncodingType', s3req.params.get('encoding-type')),
                ('KeyCount', len(result.contents) + len(result.prefixes)),
                ('IsTruncated', result.truncated), ('ContinuationToken', given),
                ('NextContinuationToken', token(result.last) if result.truncated else None),
                ('StartAfter', encode(start_after) or None)]
    children += _contents(result, bucket, encode,
                          owner=s3req.params.get('fetch-owner') == 'true')
    return xmlutil.response('ListBucketResult', children)


def list_uploads(s3req, bucket, uploads):
    """GET Bucket ?uploads over the uploads in progress (key, initiated order)."""
    encode = encoder(s3req)
    prefix = s3req.params.get('prefix', '')
    delimiter = s3req.params.get('delimiter', '')
    key_marker = s3req.params.get('key-marker', '')
    id_marker = s3req.params.get('upload-id-marker', '')
    max_uploads = s3req.int_param('max-uploads', MAX_KEYS, 0, 2 ** 31 - 1)
    found, prefixes, truncated = [], [], False
    for upload in uploads:
        if not upload.key.startswith(prefix) or upload.key < key_marker or (
                upload.key == key_marker and (not id_marker or upload.id <= id_marker)):
            continue
        rolled = common_prefix(upload.key, prefix, delimiter)
        if rolled in prefixes:
            continue
        if len(found) + len(prefixes) >= min(max_uploads, MAX_KEYS):
            truncated = True
            break
        if rolled:
            prefixes.append(rolled)
        else:
            found.append(upload)
    owner = [('ID', bucket.owner), ('DisplayName', bucket.owner_name)]
    children = [('Bucket', bucket.name), ('KeyMarker', encode(key_marker)),
                ('UploadIdMarker', id_marker),
                ('NextKeyMarker', encode(found[-1].key) if truncated and found else None),
                ('NextUploadIdMarker', found[-1].id if truncated and found else None),
                ('Prefix', encode(prefix)), ('Delimiter', encode(delimiter) or None),
                ('MaxUploads', max_uploads), ('IsTruncated', truncated),
                ('EncodingType', s3req.params.get('encoding-type'))]
    children += [('Upload', [('Key', encode(u.key)), ('UploadId', u.id),
                             ('Initiator', owner), ('Owner', owner),
                             ('StorageClass', STORAGE_CLASS), ('Initiated', u.initiated)])
                 for u in found]
    children += [('CommonPrefixes', [('Prefix', encode(p))]) for p in prefixes]
    return xmlutil.response('ListMultipartUploadsResult', children)
