"""Where each API can be reached: the service catalog, novarc URLs, WWW-Authenticate.

The host of a URL is --public_endpoint_host when set, else the API's listen
address when it is a specific one, else the host the client used to reach us
(or, with no request at hand, --my_ip); the port is the API's *_listen_port.
"""
import urllib.parse
import uuid

from nova.conf import CONF

# (type, name, paste app whose *_listen flags apply, path)
SERVICES = (
    ('compute', 'nova', 'osapi_compute', '/v2.1'),
    ('image', 'glance', 'image', ''),
    ('identity', 'keystone', 'identity', '/v3'),
    ('ec2', 'ec2', 'ec2', '/services/Cloud'),
    ('s3', 's3', 'objectstore', ''),
    ('monitoring', 'cloudwatch', 'cloudwatch', ''),
    ('block-storage', 'cinder', 'osapi_volume', '/v3/%(project_id)s'),
    ('volumev3', 'cinderv3', 'osapi_volume', '/v3/%(project_id)s'),
    ('network', 'neutron', 'network', ''),
)
INTERFACES = ('public', 'internal', 'admin')
_ANY_ADDRESS = ('', '0.0.0.0', '::')


def request_host(host_header):
    """The host part of a Host header ('h', 'h:port', '[v6]:port'); None if absent."""
    if not host_header:
        return None
    try:
        return urllib.parse.urlsplit('//' + host_header).hostname
    except ValueError:
        return None


def host_for(api, request_host=None):
    if CONF.public_endpoint_host:
        return CONF.public_endpoint_host
    listen = getattr(CONF, '%s_listen' % api)
    if listen not in _ANY_ADDRESS:
        return listen
    return request_host or CONF.my_ip


def url(api, path='', request_host=None, scheme='http'):
    host = host_for(api, request_host)
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s://%s:%d%s' % (scheme, host, getattr(CONF, '%s_listen_port' % api), path)


def _id(*parts):
    return uuid.uuid5(uuid.NAMESPACE_URL, '/'.join(parts)).hex


def service_path(path, project_id=None):
    """A catalog path with the token's project in it ('/v3/%(project_id)s'); without
    a project, the path up to it (for endpoint lists)."""
    if '%(project_id)s' not in path:
        return path
    if project_id is None:
        return path.split('/%(project_id)s')[0]
    return path % {'project_id': project_id}


def catalog(request_host=None, project_id=None):
    """Keystone v3 catalog entries for every API, each on every interface; URLs
    with a project id (block storage) carry the token's project."""
    region = CONF.region_name
    entries = []
    for service_type, name, api, path in SERVICES:
        endpoint_url = url(api, service_path(path, project_id), request_host)
        entries.append({
            'type': service_type, 'name': name, 'id': _id(service_type),
            'endpoints': [{'id': _id(endpoint_url, interface), 'interface': interface,
                           'region': region, 'region_id': region, 'url': endpoint_url}
                          for interface in INTERFACES]})
    return entries


def auth_url(request_host=None):
    """The identity API's v3 URL, as OS_AUTH_URL gives it."""
    return url('identity', '/v3', request_host)
