"""Fetching image data from a URL for web-download and import tasks, safely.

A user names the URL, so the cloud must not become their proxy into places
they cannot reach: the scheme and port must be allowed, the host name is
resolved once here and every address it gives is checked against
--image_import_disallowed_networks (the host itself and link-local
addresses, where the metadata service lives, by default), and the connection
goes to the checked address (a second lookup could answer differently).
Redirects are not followed. The check runs while the client waits, so a bad
URL is a 400 naming it; the transfer runs later, in the background.
"""
import dataclasses
import http.client
import ipaddress
import socket
import urllib.parse

from nova import exception
from nova.conf import CONF
from nova.i18n import _

CHUNK_SIZE = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to ask for there."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _refuse(url, why):
    return exception.InvalidInput(reason=_('URI %s does not pass filtering: %s') % (url, why))


def _disallowed(address):
    ip = ipaddress.ip_address(address.split('%')[0])
    for network in CONF.image_import_disallowed_networks:
        if ip in ipaddress.ip_network(network, strict=False):
            return network
    return None


def check(url):
    """The Target of url; InvalidInput (400) naming url and why it may not be fetched."""
    if not isinstance(url, str) or not url:
        raise exception.InvalidInput(reason=_('the import needs a uri to fetch the data from'))
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise _refuse(url, e) from None
    scheme = parts.scheme.lower()
    if scheme not in CONF.image_import_allowed_schemes:
        raise _refuse(url, 'scheme %r is not one of %s' % (
            scheme, ', '.join(CONF.image_import_allowed_schemes)))
    if not parts.hostname:
        raise _refuse(url, 'no host')
    if parts.username or parts.password:
        raise _refuse(url, 'credentials in the URI are not accepted')
    port = port or (443 if scheme == 'https' else 80)
    allowed_ports = [int(p) for p in CONF.image_import_allowed_ports]
    if allowed_ports and port not in allowed_ports:
        raise _refuse(url, 'port %d is not one of %s' % (
            port, ', '.join(map(str, allowed_ports))))
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise _refuse(url, 'host %s cannot be resolved (%s)' % (parts.hostname, e)) from None
    addresses = [info[4][0] for info in found]
    for address in addresses:
        network = _disallowed(address)
        if network:
            raise _refuse(url, 'host %s is %s, in the disallowed network %s' % (
                parts.hostname, address, network))
    path = parts.path or '/'
    if parts.query:
        path += '?' + parts.query
    return Target(url, scheme, parts.hostname, port, addresses[0], path)


def _chunks(connection, response):
    try:
        yield from iter(lambda: response.read(CHUNK_SIZE), b'')
    finally:
        connection.close()


def open_data(target):
    """(iterator of bytes chunks, Content-Length or None) of a checked target's body.

    ImageStoreError naming the URL when it cannot be fetched (not 200).
    """
    cls = http.client.HTTPSConnection if target.scheme == 'https' else http.client.HTTPConnection
    connection = cls(target.host, target.port, timeout=CONF.image_import_timeout)
    # connect to the address that was checked, whatever the name resolves to now
    connection._create_connection = lambda _addr, *args, **kwargs: socket.create_connection(
        (target.address, target.port), *args, **kwargs)
    try:
        connection.request('GET', target.path, headers={'User-Agent': 'nova-image'})
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as e:
        connection.close()
        raise exception.ImageStoreError(store='web-download', reason=_('%s: %s') % (
            target.url, e)) from e
    if response.status != 200:
        connection.close()
        raise exception.ImageStoreError(store='web-download', reason=_('%s answered %d %s') % (
            target.url, response.status, response.reason))
    length = response.getheader('Content-Length')
    size = int(length) if length and length.isdigit() else None
    return _chunks(connection, response), size
