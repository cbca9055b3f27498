"""Microversions: parse the request's version, answer with it, bound it.

A request names its version in ``OpenStack-API-Version: compute X.Y`` (2.27+)
or ``X-OpenStack-Nova-API-Version: X.Y``; the first wins. Absent means the
minimum (2.1), ``latest`` the maximum. A malformed version is 400, one out of
range 406. Every response served at a version carries both headers and Vary.
"""
import functools
import re

import webob.dec

from nova import exception
from nova.api import middleware
from nova.api.openstack import faults

MIN_VERSION = '2.1'
MAX_VERSION = '2.100'  # doc/api-guide.md lists what each version changed
ENV_KEY = 'nova.api_version'
HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
SERVICE = 'compute'
_FORMAT = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class InvalidAPIVersionString(exception.Invalid):
    msg_fmt = ('API Version String %(version)s is of invalid format. Must be of format '
               'MajorNum.MinorNum.')


class InvalidGlobalAPIVersion(exception.NovaException):
    msg_fmt = ('Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s '
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
        """Whether min_version <= self <= max_version (None: unbounded)."""
        return ((min_version is None or self >= min_version) and
                (max_version is None or self <= max_version))


@functools.lru_cache(maxsize=256)
def parse(text):
    return APIVersion(text)


def _header_version(headers):
    """The compute version the headers ask for, or None."""
    # repeated headers reach WSGI joined by commas: 'compute 2.60, image 2.5'
    for item in headers.get(HEADER, '').split(','):
        service, _, version = item.strip().partition(' ')
        if service.lower() == SERVICE:
            return version.strip()
    return headers.get(LEGACY_HEADER)


def negotiate(headers):
    """The APIVersion a request is served at (400/406 as NovaExceptions)."""
    asked = _header_version(headers)
    if asked is None:
        return parse(MIN_VERSION)
    if asked.strip().lower() == 'latest':
        return parse(MAX_VERSION)
    version = parse(asked.strip())
    if not version.matches(MIN_VERSION, MAX_VERSION):
        raise InvalidGlobalAPIVersion(req_ver=asked.strip(), min_ver=MIN_VERSION,
                                      max_ver=MAX_VERSION)
    return version


def add_headers(response, version):
    response.headers[HEADER] = '%s %s' % (SERVICE, version)
    response.headers[LEGACY_HEADER] = str(version)
    response.headers['Vary'] = '%s, %s' % (HEADER, LEGACY_HEADER)
    return response


class MicroversionMiddleware(middleware.Middleware):
    """Puts the negotiated APIVersion in environ and the headers on the response."""

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            version = negotiate(req.headers)
        except exception.NovaException as error:
            return faults.exception_response(error)
        req.environ[ENV_KEY] = version
        return add_headers(req.get_response(self.application), version)
