"""Tag sets as S3 limits them, from XML bodies and x-amz-tagging headers."""
import urllib.parse

from nova.i18n import _
from nova.objectstore.errors import S3Error

MAX_OBJECT_TAGS = 10
MAX_BUCKET_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def validate(tags, most):
    """tags ([(key, value)]) as a dict, or InvalidTag saying what is wrong."""
    if len(tags) > most:
        raise S3Error('InvalidTag', _('Object tags cannot be greater than %d') % most)
    found = {}
    for key, value in tags:
        if not 1 <= len(key) <= MAX_KEY:
            raise S3Error('InvalidTag', _('The TagKey you have provided is invalid'),
                          TagKey=key[:MAX_KEY])
        if len(value) > MAX_VALUE:
            raise S3Error('InvalidTag', _('The TagValue you have provided is invalid'),
                          TagKey=key, TagValue=value[:MAX_VALUE])
        if key.lower().startswith('aws:'):
            raise S3Error('InvalidTag', _('Your TagKey cannot be prefixed with aws:'),
                          TagKey=key)
        if key in found:
            raise S3Error('InvalidTag', _('Cannot provide multiple Tags with the same key'),
                          TagKey=key)
        found[key] = value
    return found


def from_header(value):
    """The tags of an x-amz-tagging header: a URL-encoded query string."""
    try:
        pairs = urllib.parse.parse_qsl(value, keep_blank_values=True, strict_parsing=True,
                                       errors='strict')
    except (ValueError, UnicodeDecodeError):
        raise S3Error('InvalidArgument', _('The header x-amz-tagging shall be encoded as '
                      'UTF-8 then URLEncoded URL query parameters without tag name '
                      'duplicates.'), ArgumentName='x-amz-tagging', ArgumentValue=value[:256])
    return validate(pairs, MAX_OBJECT_TAGS)


def count_header(attrs):
    """x-amz-tagging-count of an object with tags."""
    tags = attrs.get('tags')
    return [('x-amz-tagging-count', str(len(tags)))] if tags else []


def for_new_object(headers):
    """The tags a write sets from its x-amz-tagging header ({} without one)."""
    value = headers.get('x-amz-tagging')
    return from_header(value) if value else {}
