"""ListObjects (v1 and v2), ListObjectVersions and ListMultipartUploads: pages
of a bucket's keys.

A page is read from the sorted walk of nova.objectstore.keys: it starts after
the marker, stops one key past max-keys (to know it is truncated), and once a
common prefix is reported the walk skips its whole subtree.
"""
import base64
import binascii
import dataclasses
import heapq
import operator
import urllib.parse

from nova.i18n import _
from nova.objectstore import access
from nova.objectstore import keys
from nova.objectstore import versions
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
        raise S3Error('InvalidArgument', _('Invalid Encoding Method specified in Request'),
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
        raise S3Error('InvalidArgument', _('The continuation token provided is incorrect'),
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


def _versions_of(store, bucket, key, after_version=None):
    """(ObjectInfo, is latest) of every version of key, newest first; with
    after_version, only those that sort after it (it may be gone: a client
    deletes what it listed before asking for the next page)."""
    current = store.current(bucket, key, markers=True)
    found = ([(current, True)] if current is not None else []) + [
        (info, False) for info in versions.noncurrent(bucket, key, current)]
    if after_version is not None:
        if after_version == versions.NULL:
            nulls = [info for info, _ in found
                     if versions.version_of(info.attrs) == versions.NULL]
            if not nulls:
                return []
            after_version = versions.order_key(nulls[0])
        found = [(info, latest) for info, latest in found
                 if versions.order_key(info) > after_version]
    return found


def keys_in_either_tree(store, bucket, bounds):
    """Every key with a current version or noncurrent ones, in order, once."""
    merged = heapq.merge(store.iter_current(bucket, bounds),
                         versions.keys_with_versions(bucket, bounds),
                         key=operator.itemgetter(0))
    previous = None
    for key, _value in merged:
        if key != previous:
            previous = key
            yield key


def list_versions(s3req, bucket):
    """GET Bucket ?versions (ListObjectVersions): every version of every key,
    keys in order and each key's versions newest first, paged by key-marker
    and version-id-marker. An unversioned bucket lists its objects as null
    versions."""
    encode = encoder(s3req)
    prefix = s3req.params.get('prefix', '')
    delimiter = s3req.params.get('delimiter', '')
    key_marker = s3req.params.get('key-marker', '')
    version_marker = s3req.params.get('version-id-marker') or None
    max_keys = s3req.int_param('max-keys', MAX_KEYS, 0, 2 ** 31 - 1)
    if version_marker is not None and not key_marker:
        raise S3Error('InvalidArgument', _('A version-id marker cannot be specified without '
                      'a key marker.'), ArgumentName='version-id-marker',
                      ArgumentValue=version_marker)
    versions.valid(version_marker, 'version-id-marker', version_marker)
    limit = min(max_keys, MAX_KEYS)
    entries, prefixes, truncated, last = [], [], False, (None, None)

    def room():
        return len(entries) + len(prefixes) < limit

    def take(key, found):
        nonlocal truncated, last
        for info, latest in found:
            if not room():
                truncated = True
                return False
            entries.append((key, info, latest))
            last = (key, versions.version_of(info.attrs))
        return True

    going = limit > 0
    if going and version_marker is not None and key_marker.startswith(prefix):
        going = take(key_marker, _versions_of(s3req.store, bucket, key_marker,
                                              version_marker))
    skip = common_prefix(key_marker, prefix, delimiter) if key_marker.startswith(prefix) \
        else None
    bounds = keys.Bounds(prefix, key_marker, skip)
    for key in keys_in_either_tree(s3req.store, bucket, bounds) if going else ():
        if not bounds.wants_key(key):
            continue
        rolled = common_prefix(key, prefix, delimiter)
        if rolled:
            if not room():
                truncated = True
                break
            prefixes.append(rolled)
            bounds.skip = rolled
            last = (rolled, None)
            continue
        if not take(key, _versions_of(s3req.store, bucket, key)):
            break
    children = [('Name', bucket.name), ('Prefix', encode(prefix)),
                ('KeyMarker', encode(key_marker)), ('VersionIdMarker', version_marker or ''),
                ('NextKeyMarker', encode(last[0]) if truncated else None),
                ('NextVersionIdMarker', last[1] if truncated else None),
                ('MaxKeys', max_keys), ('Delimiter', encode(delimiter) or None),
                ('IsTruncated', truncated), ('EncodingType', s3req.params.get('encoding-type'))]
    for key, info, latest in entries:
        rights = access.object_acl(bucket, info.attrs)
        owner = ('Owner', [('ID', rights.owner), ('DisplayName', rights.owner_name)])
        common = [('Key', encode(key)), ('VersionId', versions.version_of(info.attrs)),
                  ('IsLatest', latest), ('LastModified', info.last_modified)]
        if info.attrs.get('delete_marker'):
            children.append(('DeleteMarker', common + [owner]))
        else:
            children.append(('Version', common + [
                ('ETag', '"%s"' % info.etag), ('Size', info.size),
                ('StorageClass', STORAGE_CLASS), owner]))
    children += [('CommonPrefixes', [('Prefix', encode(p))]) for p in prefixes]
    return xmlutil.response('ListVersionsResult', children)
