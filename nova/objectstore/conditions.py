"""Conditional requests (If-Match and friends) and byte ranges, as S3 applies them.

Preconditions follow RFC 7232's order, which is S3's: If-Match, else
If-Unmodified-Since (412); then If-None-Match, else If-Modified-Since (304 for
GET and HEAD). Times compare in whole seconds, the precision of Last-Modified.
CopyObject has the same four with an x-amz-copy-source- prefix, and answers
412 to all of them.
"""
from nova.i18n import _
from nova.objectstore import request
from nova.objectstore.errors import S3Error

NOT_MODIFIED = 'not-modified'


def _etag_matches(header, etag):
    for candidate in header.split(','):
        candidate = candidate.strip()
        if candidate == '*':
            return True
        if candidate.startswith('W/'):
            candidate = candidate[2:]
        if candidate.strip('"') == etag:
            return True
    return False


def _modified_since(info, header):
    """True/False against the date in header; None when it is absent or unparsable."""
    since = request.parse_http_date(header)
    if since is None:
        return None
    return int(info.mtime) > since.timestamp()


def evaluate(headers, info, prefix=''):
    """None if the request may proceed, NOT_MODIFIED, or raise PreconditionFailed."""
    if_match = headers.get(prefix + 'If-Match')
    if if_match is not None:
        if not _etag_matches(if_match, info.etag):
            raise S3Error('PreconditionFailed', Condition=prefix + 'If-Match')
    elif _modified_since(info, headers.get(prefix + 'If-Unmodified-Since')):
        raise S3Error('PreconditionFailed', Condition=prefix + 'If-Unmodified-Since')
    if_none_match = headers.get(prefix + 'If-None-Match')
    if if_none_match is not None:
        if _etag_matches(if_none_match, info.etag):
            return NOT_MODIFIED
    elif _modified_since(info, headers.get(prefix + 'If-Modified-Since')) is False:
        return NOT_MODIFIED
    return None


def byte_range(header, size):
    """(first, last) inclusive for a single 'bytes=' range, None for the whole object.

    Like S3: a malformed header or several ranges serve the whole object; a
    range starting at or past the end is InvalidRange (416).
    """
    if not header or not header.strip().startswith('bytes='):
        return None
    spec = header.strip()[len('bytes='):]
    first, sep, last = spec.partition('-')
    if not sep or ',' in spec:
        return None
    try:
        if first.strip() == '':
            length = int(last)
            first, last = max(0, size - length), size - 1
            if length == 0:
                first = size
        else:
            first = int(first)
            last = int(last) if last.strip() else size - 1
    except ValueError:
        return None
    if first >= size:
        error = S3Error('InvalidRange', RangeRequested=header, ActualObjectSize=size)
        error.headers['Content-Range'] = 'bytes */%d' % size
        raise error
    if first < 0 or last < first:
        return None
    return first, min(last, size - 1)


def write_precondition(headers):
    """PutObject / CompleteMultipartUpload's If-None-Match: * and If-Match: a check
    of the current object for storage to run as it commits, None without them.

    S3 takes only '*' in If-None-Match on a write (NotImplemented otherwise); an
    If-Match naming an object that does not exist is NoSuchKey.
    """
    if_none_match = headers.get('If-None-Match')
    if_match = headers.get('If-Match')
    if if_none_match is not None and if_none_match.strip() != '*':
        raise S3Error('NotImplemented', _('If-None-Match on a write only takes *'))
    if if_none_match is None and if_match is None:
        return None

    def check(current):
        if if_none_match is not None and current is not None:
            raise S3Error('PreconditionFailed', Condition='If-None-Match')
        if if_match is not None:
            if current is None:
                raise S3Error('NoSuchKey')
            if not _etag_matches(if_match, current.etag):
                raise S3Error('PreconditionFailed', Condition='If-Match')
    return check


def delete_precondition(if_match=None, last_modified=None, size=None):
    """DeleteObject's If-Match, x-amz-if-match-last-modified-time and
    x-amz-if-match-size (or the ETag, LastModifiedTime and Size of a
    DeleteObjects entry): a check of the current object, None without them.
    """
    if if_match is None and last_modified is None and size is None:
        return None
    when = None
    if last_modified is not None:
        when = request.parse_http_date(last_modified) or request.parse_iso_date(last_modified)
        if when is None:
            raise S3Error('InvalidArgument', _('x-amz-if-match-last-modified-time must be a '
                          'date'), ArgumentName='x-amz-if-match-last-modified-time',
                          ArgumentValue=last_modified)
    if size is not None:
        try:
            size = int(size)
        except ValueError:
            raise S3Error('InvalidArgument', _('x-amz-if-match-size must be a number of bytes'),
                          ArgumentName='x-amz-if-match-size', ArgumentValue=size)

    def check(current):
        if current is None:
            raise S3Error('NoSuchKey')
        if if_match is not None and not _etag_matches(if_match, current.etag):
            raise S3Error('PreconditionFailed', Condition='If-Match')
        if when is not None and int(current.mtime) != int(when.timestamp()):
            raise S3Error('PreconditionFailed', Condition='x-amz-if-match-last-modified-time')
        if size is not None and current.size != size:
            raise S3Error('PreconditionFailed', Condition='x-amz-if-match-size')
    return check
