"""Image data: PUT and GET /v2/images/{id}/file (and PUT .../stage), streamed both ways.

The request body is read from wsgi.input in CHUNK_SIZE pieces as the store
consumes it (Content-Length or chunked transfer encoding), never whole; the
service kills the image when the body breaks off or the store fails. A
download is the store's chunk iterator as the response body, from an offset
when a Range header asks for part of it.
"""
import webob
import webob.byterange

from nova.i18n import _
from nova.image import service as image_service
from nova.image.api import wsgi

CHUNK_SIZE = 1024 * 1024
UPLOAD_TYPE = 'application/octet-stream'
# statuses whose data can be read (by admins only when deactivated)
READABLE = ('active', 'deactivated')


def _service():
    return image_service.get_default_image_service()


def _body_chunks(environ, length):
    """The request body in chunks: length bytes, or until the end of a chunked body.

    A body that ends early just ends: the service compares what it got with
    the declared size.
    """
    stream = environ['wsgi.input']
    if length is None and environ.get('HTTP_TRANSFER_ENCODING', '').lower() != 'chunked':
        return
    remaining = length
    while remaining is None or remaining > 0:
        chunk = stream.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
        if not chunk:
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


def _take(req, ctx, image_id, method):
    if req.content_type != UPLOAD_TYPE:
        raise wsgi.http_error(415, _('Content-Type must be %s, not %s') % (
            UPLOAD_TYPE, req.content_type or None))
    size = req.content_length
    method(ctx, image_id, _body_chunks(req.environ, size), size=size)
    return wsgi.no_content()


def upload(req, ctx, image_id):
    return _take(req, ctx, image_id, _service().upload)


def stage(req, ctx, image_id):
    """The data of a glance-direct import, kept until POST .../import."""
    return _take(req, ctx, image_id, _service().stage)


def _requested_range(req, size):
    """(offset, length) of the Range header, (0, None) without one; 416 when unsatisfiable."""
    if 'Range' not in req.headers:
        return 0, None
    try:
        requested = webob.byterange.Range.parse(req.headers['Range'])
    except ValueError:  # webob's parser raises on some malformed ranges ('bytes=-')
        requested = None
    bounds = requested.range_for_length(size) if requested is not None else None
    if bounds is None:
        raise wsgi.http_error(416, _('Requested range not satisfiable: %s')
                              % req.headers['Range'],
                              headers={'Content-Range': 'bytes */%d' % size})
    start, stop = bounds
    return start, stop - start


def download(req, ctx, image_id):
    """The data; 204 while the image has none (queued, saving, killed), as in Glance."""
    image = _service().show(ctx, image_id)
    if image['status'] not in READABLE:
        return wsgi.no_content()
    size = image['size'] or 0
    offset, length = _requested_range(req, size)
    image, chunks = _service().download(ctx, image_id, offset, length)
    response = webob.Response(status=200, content_type=UPLOAD_TYPE, app_iter=chunks)
    if length is None:
        response.content_length = size
        if image['checksum']:
            response.headers['Content-MD5'] = image['checksum']
    else:
        response.status = 206
        response.content_length = length
        response.headers['Content-Range'] = 'bytes %d-%d/%d' % (offset, offset + length - 1,
                                                               size)
    return response
