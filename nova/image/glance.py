"""The image service as a compute host reaches it: the Glance v2 HTTP API of nova-image.

Hosts share only RabbitMQ and SQL, so a compute host cannot read the image
store's files (or credentials): it reads, uploads and deletes image data
through the image API, as any other client, with the token of the request it
serves. A context without a token (a periodic task, a recovery at start) or
whose token expired meanwhile uses the service credentials
--image_api_user/--image_api_password/--image_api_project, when set.

The methods are those of nova.image.service.ImageService that compute uses
(show, detail, update, upload, download, delete), answering the same image
dicts, so nova.image.cache and the host's collaborators take either one:
--compute_image_api=local keeps the in-process service for a compute on the
image service's own host (nova-all), 'http' is this client.
"""
import datetime
import http.client
import json
import logging
import threading
import urllib.parse

from nova import exception
from nova import utils
from nova.auth import endpoints
from nova.conf import CONF
from nova.i18n import _
from nova.image.api import views

LOG = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'
DATA_TYPE = 'application/octet-stream'
PAGE = 1000  # images per list request (Glance's maximum)
# what Glance's image view adds beside the attributes and properties
_VIEW_EXTRAS = frozenset(('created_at', 'updated_at', 'tags', 'self', 'file', 'schema',
                          'stores', 'direct_url', 'locations'))
_TOKEN_MARGIN = datetime.timedelta(seconds=60)  # renew a service token this early


def get_compute_image_api():
    """The image API nova-compute uses, by --compute_image_api."""
    if CONF.compute_image_api == 'http':
        client = GlanceClient()
        LOG.info('Images through the image API at %s', client.endpoint)
        return client
    from nova.image import service  # the in-process service (and its stores)
    return service.get_default_image_service()


def _parse_time(value):
    if not value:
        return None
    return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ')


def image_from_view(view):
    """The service's image dict from Glance's flat view (properties gathered back)."""
    image = {name: view.get(name) for name in views.ATTRIBUTES}
    image['properties'] = {name: value for name, value in view.items()
                           if name not in views.ATTRIBUTES and name not in _VIEW_EXTRAS}
    image['tags'] = list(view.get('tags') or ())
    image['created_at'] = _parse_time(view.get('created_at'))
    image['updated_at'] = _parse_time(view.get('updated_at'))
    image['locations'] = []  # the API does not show them; this host cannot read them
    return image


def _listed(value):
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _query(filters):
    """Glance's query parameters for the service's detail() filters."""
    params = []
    for name, value in (filters or {}).items():
        if name == 'properties':
            params.extend(sorted(value.items()))
        elif isinstance(value, (list, tuple)):
            params.append((name, 'in:' + ','.join(value)))
        else:
            params.append((name, value))
    return params


class _ServiceToken:
    """A token of the service user, fetched from the identity API and renewed before
    it expires or when the flags name another user; shared by the green threads of
    the process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._token = self._expires = self._identity = None

    def get(self, client, renew=False):
        if not (CONF.image_api_user and CONF.image_api_password):
            return None
        identity = (CONF.image_api_auth_url, CONF.image_api_user, CONF.image_api_password,
                    CONF.image_api_project)
        with self._lock:
            now = utils.utcnow()
            if (renew or self._token is None or self._identity != identity
                    or self._expires - _TOKEN_MARGIN <= now):
                self._token, self._expires = self._fetch(client)
                self._identity = identity
            return self._token

    @staticmethod
    def _fetch(client):
        url = CONF.image_api_auth_url or endpoints.url('identity', '/v3')
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': CONF.image_api_user, 'password': CONF.image_api_password,
                'domain': {'id': 'default'}}}},
            'scope': {'project': {'name': CONF.image_api_project,
                                  'domain': {'id': 'default'}}}}}
        conn, response = client.send('POST', url.rstrip('/') + '/auth/tokens',
                                     json.dumps(body).encode(),
                                     {'Content-Type': 'application/json'})
        try:
            answer = response.read()
        finally:
            conn.close()
        if response.status != 201:
            raise exception.ImageServiceUnavailable(
                url=url, reason=_('the service user %s got %d from the identity API')
                % (CONF.image_api_user, response.status))
        expires = json.loads(answer)['token']['expires_at']
        return (response.getheader('X-Subject-Token'),
                datetime.datetime.strptime(expires[:19], '%Y-%m-%dT%H:%M:%S'))


_service_token = _ServiceToken()


class GlanceClient:
    """Images through the Glance v2 API of nova-image (--image_api_endpoint)."""

    def __init__(self, endpoint=None):
        self.endpoint = (endpoint or CONF.image_api_endpoint
                         or endpoints.url('image')).rstrip('/')

    # ------------------------------------------------------------ transport

    def send(self, method, url, body=None, headers=None):
        """(connection, response) of one request; ImageServiceUnavailable when the
        service cannot be reached. The caller reads the response and closes."""
        parts = urllib.parse.urlsplit(url)
        conn_class = (http.client.HTTPSConnection if parts.scheme == 'https'
                      else http.client.HTTPConnection)
        conn = conn_class(parts.hostname, parts.port, timeout=CONF.image_api_timeout)
        path = parts.path + ('?' + parts.query if parts.query else '')
        headers = dict(headers or {})
        chunked = (body is not None and not isinstance(body, (bytes, str))
                   and 'Content-Length' not in headers)
        if chunked:
            headers['Transfer-Encoding'] = 'chunked'
        try:
            conn.request(method, path, body=body, headers=headers, encode_chunked=chunked)
            return conn, conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise exception.ImageServiceUnavailable(url=url, reason=e) from e

    def _request(self, context, method, path, body=None, headers=None, image_id=None,
                 token=None):
        """(connection, response) of a successful (2xx) request, with context's token,
        the service user's when context has none; when that token is refused and the
        body can be sent again, once more with a fresh service token. The error's
        exception otherwise."""
        headers = dict(headers or {}, Accept='application/json')
        first_try = token is None
        own = getattr(context, 'auth_token', None)
        token = token or own or _service_token.get(self)
        if token:
            headers['X-Auth-Token'] = token
        conn, response = self.send(method, self.endpoint + path, body, headers)
        replayable = body is None or isinstance(body, bytes)
        if response.status == 401 and first_try and replayable:
            service = _service_token.get(self, renew=not own)
            if service:
                conn.close()
                LOG.info('%s %s: token refused, retrying as the service user', method, path)
                return self._request(context, method, path, body, headers, image_id,
                                     token=service)
        if response.status < 300:
            return conn, response
        try:
            raise self._error(method, path, response, image_id)
        finally:
            conn.close()

    @staticmethod
    def _error(method, path, response, image_id):
        raw = response.read(64 * 1024)
        try:
            message = json.loads(raw).get('message') or raw.decode('utf-8', 'replace')
        except (ValueError, AttributeError):
            message = raw.decode('utf-8', 'replace').strip()
        if response.status == 404 and image_id:
            return exception.ImageNotFound(image_id=image_id)
        if response.status == 409:
            return exception.Conflict(reason=message)
        if response.status == 403:
            return exception.Forbidden(reason=message)
        if response.status == 401:
            return exception.NotAuthorized()
        if response.status == 413:
            return exception.ImageTooLarge(limit=CONF.image_size_cap)
        if 400 <= response.status < 500:
            return exception.Invalid(reason=message)
        return exception.ImageServiceUnavailable(
            url=path, reason=_('%s answered %d: %s') % (method, response.status, message))

    def _json(self, context, method, path, body=None, content_type='application/json',
              image_id=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {'Content-Type': content_type} if data is not None else {}
        conn, response = self._request(context, method, path, data, headers, image_id)
        try:
            raw = response.read()
        finally:
            conn.close()
        return json.loads(raw) if raw else None

    # ------------------------------------------------------------ the service's methods

    def show(self, context, image_id):
        return image_from_view(self._json(context, 'GET', views.image_href(image_id),
                                          image_id=image_id))

    def detail(self, context, filters=None, sort_keys=None, sort_dirs=None):
        """Every image context may list that matches filters, page after page."""
        params = _query(filters) + [('limit', PAGE)]
        for name, values in (('sort_key', sort_keys), ('sort_dir', sort_dirs)):
            params.extend((name, value) for value in _listed(values))
        images, marker = [], None
        while True:
            page = params + ([('marker', marker)] if marker else [])
            body = self._json(context, 'GET', '/v2/images?' + urllib.parse.urlencode(page))
            images.extend(image_from_view(view) for view in body['images'])
            if 'next' not in body or not body['images']:
                return images
            marker = body['images'][-1]['id']

    def update(self, context, image_id, values):
        """Replace attributes and properties (values: flat, as in a Glance PATCH)."""
        flat = dict(values)
        flat.update(flat.pop('properties', None) or {})
        ops = [{'op': 'replace' if name in views.ATTRIBUTES else 'add',
                'path': '/' + name, 'value': value} for name, value in flat.items()]
        return image_from_view(self._json(context, 'PATCH', views.image_href(image_id),
                                          ops, PATCH_TYPE, image_id=image_id))

    def delete(self, context, image_id):
        self._json(context, 'DELETE', views.image_href(image_id), image_id=image_id)

    def upload(self, context, image_id, data, size=None):
        """PUT the data (bytes chunks), chunked unless size is given; the image as it
        is then. A failure midway leaves the service to kill the image."""
        headers = {'Content-Type': DATA_TYPE}
        if size is not None:
            headers['Content-Length'] = str(size)
        conn, response = self._request(context, 'PUT', views.image_href(image_id) + '/file',
                                       data, headers, image_id)
        conn.close()
        return self.show(context, image_id)

    def download(self, context, image_id, offset=0, length=None):
        """(image, chunks) of an active image's data as the service streams it. A
        queued, saving or killed image (204, no data) is ImageStatusConflict."""
        image = self.show(context, image_id)
        headers = {}
        if offset or length is not None:
            end = '' if length is None else str(offset + length - 1)
            headers['Range'] = 'bytes=%d-%s' % (offset, end)
        conn, response = self._request(context, 'GET', views.image_href(image_id) + '/file',
                                       headers=headers, image_id=image_id)
        if response.status == 204:
            conn.close()
            raise exception.ImageStatusConflict(image_id=image_id, status=image['status'],
                                                action='download its data')
        return image, _chunks(conn, response)


def _chunks(conn, response):
    """The response body in chunks; closing the generator closes the connection. A body
    cut short raises (the cache's size and checksum checks would catch it anyway)."""
    try:
        yield from iter(lambda: response.read(CHUNK_SIZE), b'')
    except (OSError, http.client.HTTPException) as e:
        raise exception.ImageServiceUnavailable(url=conn.host, reason=e) from e
    finally:
        conn.close()
