"""Microversions: parse the request's version, answer with it, bound it.

A request names its version in ``OpenStack-API-Version: <service> X.Y`` (for
the compute API also ``X-OpenStack-Nova-API-Version: X.Y``); the first wins.
Absent means the minimum, ``latest`` the maximum. A malformed version is 400,
one out of range 406. Every response served at a version carries the headers
and Vary. ``COMPUTE`` (2.1 to 2.100) and ``VOLUME`` (3.0 to 3.70, the
block-storage API) are the services; a paste pipeline picks one with the
filter's ``service`` option.
"""
import functools
import re

import webob.dec

from nova import exception
from nova.api import middleware
from nova.api.openstack import faults
from nova.i18n import _

MIN_VERSION = '2.1'
MAX_VERSION = '2.100'  # doc/api-guide.md lists what each version changed
ENV_KEY = 'nova.api_version'
HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
SERVICE = 'compute'
_FORMAT = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class InvalidAPIVersionString(exception.Invalid):
    msg_fmt = _('API Version String %(version)s is of invalid format. Must be of format '
                'MajorNum.MinorNum.')


class InvalidGlobalAPIVersion(exception.NovaException):
    msg_fmt = _('Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s '
                'and maximum is %(max_ver)s.')
    code = 406
    safe = True


@functools.total_ordering
class APIVersion:
    """An X.Y version; compares with another APIVersion or an 'X.Y' string."""

    __slots__ = ('major', 'minor')

    def __init__(self, text):
        match = _FORMAT.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidAPIVersionString(version=text)
        self.major, self.minor = int(match.group(1)), int(match.group(2))

    def _key(self, other):
        if isinstance(other, str):
            other = parse(other)
        return (self.major, self.minor), (other.major, other.minor)

    def __eq__(self, other):
        mine, theirs = self._key(other)
        return mine == theirs

    def __lt__(self, other):
        mine, theirs = self._key(other)
        return mine < theirs

    def __hash__(self):
        return hash((self.major, self.minor))

    def __str__(self):
        return '%d.%d' % (self.major, self.minor)

    __repr__ = __str__

    def matches(self, min_version=None, max_version=None):
        """Whether min_version <= self <= max_version (None: unbounded). Compared as
        (major, minor) pairs: every request matches its version against each range
        its method declares (a server create's schemas: eleven)."""
        mine = (self.major, self.minor)
        if min_version is not None:
            low = parse(min_version) if isinstance(min_version, str) else min_version
            if mine < (low.major, low.minor):
                return False
        if max_version is not None:
            high = parse(max_version) if isinstance(max_version, str) else max_version
            if mine > (high.major, high.minor):
                return False
        return True


@functools.lru_cache(maxsize=256)
def parse(text):
    return APIVersion(text)


class Service:
    """The microversions one API speaks: its name in the header and its range."""

    def __init__(self, name, min_version, max_version, legacy_header=None):
        self.name, self.legacy_header = name, legacy_header
        self.min_version, self.max_version = min_version, max_version

    def _header_version(self, headers):
        """The version the headers ask of this service, or None."""
        # repeated headers reach WSGI joined by commas: 'compute 2.60, image 2.5'
        for item in headers.get(HEADER, '').split(','):
            service, _sep, version = item.strip().partition(' ')
            if service.lower() == self.name:
                return version.strip()
        return headers.get(self.legacy_header) if self.legacy_header else None

    def negotiate(self, headers):
        """The APIVersion a request is served at (400/406 as NovaExceptions)."""
        asked = self._header_version(headers)
        if asked is None:
            return parse(self.min_version)
        if asked.strip().lower() == 'latest':
            return parse(self.max_version)
        version = parse(asked.strip())
        if not version.matches(self.min_version, self.max_version):
            raise InvalidGlobalAPIVersion(req_ver=asked.strip(), min_ver=self.min_version,
                                          max_ver=self.max_version)
        return version

    def add_headers(self, response, version):
        response.headers[HEADER] = '%s %s' % (self.name, version)
        vary = [HEADER]
        if self.legacy_header:
            response.headers[self.legacy_header] = str(version)
            vary.append(self.legacy_header)
        response.headers['Vary'] = ', '.join(vary)
        return response


COMPUTE = Service(SERVICE, MIN_VERSION, MAX_VERSION, legacy_header=LEGACY_HEADER)
VOLUME = Service('volume', '3.0', '3.70')  # doc/volume.md lists what the API follows
SERVICES = {service.name: service for service in (COMPUTE, VOLUME)}


def negotiate(headers):
    """The compute API version a request is served at."""
    return COMPUTE.negotiate(headers)


def add_headers(response, version):
    return COMPUTE.add_headers(response, version)


class MicroversionMiddleware(middleware.Middleware):
    """Puts the negotiated APIVersion in environ and the headers on the response.

    Paste option ``service``: compute (the default) or volume.
    """

    def __init__(self, application, **local_conf):
        super().__init__(application, **local_conf)
        self.service = SERVICES[local_conf.get('service', SERVICE)]

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            version = self.service.negotiate(req.headers)
        except exception.NovaException as error:
            return faults.exception_response(error, req)
        req.environ[ENV_KEY] = version
        return self.service.add_headers(req.get_response(self.application), version)
