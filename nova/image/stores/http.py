"""Read-only store for image data that an HTTP(S) server already serves.

Glance's http store: an admin points an image at a URL; nothing is ever
written or deleted there. Ranges are asked of the server, and skipped by hand
when it answers the whole body anyway.
"""
import contextlib
from urllib import error as url_error
from urllib import request as url_request

from nova import exception
from nova.conf import CONF
from nova.i18n import _
from nova.image.stores import base


def _stream(response, skip, length):
    with contextlib.closing(response):
        while skip:
            skipped = len(response.read(min(skip, base.CHUNK_SIZE)))
            if not skipped:
                return
            skip -= skipped
        remaining = length
        while remaining is None or remaining > 0:
            size = base.CHUNK_SIZE if remaining is None else min(base.CHUNK_SIZE, remaining)
            chunk = response.read(size)
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


class HttpStore(base.Store):
    name = 'http'
    schemes = ('http', 'https')

    def _open(self, location, method='GET', headers=None):
        request = url_request.Request(location, method=method, headers=headers or {})
        try:
            return url_request.urlopen(request, timeout=CONF.http_store_timeout)
        except url_error.HTTPError as e:
            e.close()
            if e.code in (404, 410):
                raise exception.ImageDataNotFound(location=location) from e
            raise exception.ImageStoreError(store=self.name, reason=_('%s answered %s %s') % (
                location, e.code, e.reason)) from e
        except (url_error.URLError, OSError, ValueError) as e:
            reason = getattr(e, 'reason', None) or e
            raise exception.ImageStoreError(store=self.name, reason=_('%s: %s') % (
                location, reason)) from e

    def add(self, image_id, chunks, size_hint=None):
        raise exception.ImageStoreReadOnly(store=self.name)

    def delete(self, location):
        raise exception.ImageStoreReadOnly(store=self.name)

    def get_size(self, location):
        with contextlib.closing(self._open(location, method='HEAD')) as response:
            size = response.headers.get('Content-Length')
        if size is None or not size.isdigit():
            raise exception.ImageStoreError(store=self.name, reason=_('%s gives no size')
                                            % location)
        return int(size)

    def get(self, location, offset=0, length=None):
        base.check_range(offset, length)
        headers = {}
        if offset or length is not None:
            end = '' if length is None else str(offset + length - 1)
            headers['Range'] = 'bytes=%d-%s' % (offset, end)
        if length == 0:
            self.get_size(location)  # still tell a missing image from an empty range
            return iter(())
        response = self._open(location, headers=headers)
        skip = offset if response.status != 206 else 0
        return _stream(response, skip, length)
