"""Object and bucket tags: Put/Get/DeleteObjectTagging (of any version),
x-amz-tagging on PutObject, CopyObject (x-amz-tagging-directive) and
CreateMultipartUpload, x-amz-tagging-count on GET and HEAD, and
Put/Get/DeleteBucketTagging. S3's limits: 10 tags an object, 50 a bucket,
keys of 1 to 128 characters, values up to 256, no duplicate keys, no 'aws:'
prefix; anything else is InvalidTag. An object's tags are in its attributes
(one setxattr changes them), a bucket's in its configuration. Tag sets
themselves: nova.objectstore.tagsets.
"""
import webob

from nova import exception
from nova.objectstore import acl
from nova.objectstore import objects
from nova.objectstore import tagsets
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

def _read_tag_set(s3req, most):
    document = s3req.read_xml('Tagging')
    tags = []
    for tag in document.findall('TagSet/Tag'):
        key, value = tag.findtext('Key'), tag.findtext('Value')
        if key is None or value is None:
            raise S3Error('MalformedXML')
        tags.append((key, value))
    return tagsets.validate(tags, most)


def _response(tags, headers=()):
    response = xmlutil.response('Tagging', [('TagSet', [
        ('Tag', [('Key', key), ('Value', value)]) for key, value in sorted(tags.items())])])
    response.headerlist += list(headers)
    return response


# ------------------------------------------------------------------ objects

def get_object_tagging(s3req):
    _bucket, info = objects.object_with(s3req, acl.READ)
    return _response(info.attrs.get('tags') or {}, objects.version_headers(info))


def put_object_tagging(s3req):
    bucket, info = objects.object_with(s3req, acl.WRITE)
    tags = _read_tag_set(s3req, tagsets.MAX_OBJECT_TAGS)
    _set(s3req, bucket, info, tags)
    return webob.Response(status=200, headerlist=objects.version_headers(info))


def delete_object_tagging(s3req):
    bucket, info = objects.object_with(s3req, acl.WRITE)
    _set(s3req, bucket, info, {})
    return webob.Response(status=204, headerlist=objects.version_headers(info))


def _set(s3req, bucket, info, tags):
    try:
        s3req.store.update_attrs(bucket, s3req.key, {'tags': tags},
                                 info.attrs.get('version_id'))
    except exception.ObjectNotFound:
        raise S3Error('NoSuchKey', Key=s3req.key)


# ------------------------------------------------------------------ buckets

def get_bucket_tagging(s3req):
    return _response(s3req.bucket_config('tagging', 'NoSuchTagSet')[1])


def put_bucket_tagging(s3req):
    return s3req.set_bucket_config('tagging', _read_tag_set(s3req, tagsets.MAX_BUCKET_TAGS),
                                   204)


def delete_bucket_tagging(s3req):
    return s3req.set_bucket_config('tagging', None)
