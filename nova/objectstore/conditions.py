"""Conditional requests (If-Match and friends) and byte ranges, as S3 applies them.

Preconditions follow RFC 7232's order, which is S3's: If-Match, else
If-Unmodified-Since (412); then If-None-Match, else If-Modified-Since (304 for
GET and HEAD). Times compare in whole seconds, the precision of Last-Modified.
CopyObject has the same four with an x-amz-copy-source- prefix, and answers
412 to all of them.
"""
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
