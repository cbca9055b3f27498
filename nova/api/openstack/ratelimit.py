"""Per-user rate limits of the compute API, as classic Nova's ``ratelimit`` filter.

Off unless --api_rate_limit. Each limit of --api_rate_limits, written as
classic Nova wrote them, ``(VERB, "URI", REGEX, VALUE, UNIT)`` separated by
``;``, lets a user make VALUE requests of VERB whose path (below /v2.1, or
/v2.1/{project_id}) matches REGEX per UNIT (SECOND, MINUTE, HOUR, DAY). A
request over a limit is 429 overLimit with Retry-After; GET /limits shows
every limit with what remains of it. The counts live in the API process: with
several nova-api processes, each grants its own share.
"""
import math
import re
import threading
import time

import webob.dec

from nova import exception
from nova.api import middleware
from nova.api.auth import ENV_CONTEXT
from nova.api.openstack import faults
from nova.conf import CONF
from nova.i18n import _

UNITS = {'SECOND': 1, 'MINUTE': 60, 'HOUR': 3600, 'DAY': 86400}
_LIMIT = re.compile(r'\(\s*(\w+)\s*,\s*"([^"]*)"\s*,\s*([^,]+?)\s*,\s*(\d+)\s*,\s*(\w+)\s*\)')
_PROJECT_PREFIX = re.compile(r'^/[0-9a-f]{32}(?=/|$)')


class Limit:
    """VALUE requests per UNIT: a bucket that drains continuously (classic Nova's)."""

    def __init__(self, verb, uri, regex, value, unit):
        self.verb, self.uri, self.regex, self.value, self.unit = verb, uri, regex, value, unit
        self.pattern = re.compile(regex)
        self.seconds = UNITS[unit]

    def matches(self, verb, path):
        return verb == self.verb and self.pattern.search(path) is not None

    def to_dict(self, water, now, wall):
        """The /limits entry: how many requests remain, and when the next is free."""
        level = self._drained(water, now)
        per_request = self.seconds / self.value
        remaining = int(math.floor((self.seconds - level) / per_request + 1e-9))
        free_at = wall + max(0.0, level + per_request - self.seconds)
        return {'verb': self.verb, 'value': self.value, 'unit': self.unit,
                'remaining': max(0, min(self.value, remaining)),
                'next-available': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(free_at))}

    @staticmethod
    def _drained(water, now):
        level, at = water
        return max(0.0, level - (now - at))


def parse(text):
    """[Limit] of an --api_rate_limits value; ValueError names what is wrong."""
    limits = []
    for part in (p.strip() for p in text.split(';')):
        if not part:
            continue
        match = _LIMIT.fullmatch(part)
        if match is None:
            raise ValueError('rate limit %r is not (VERB, "URI", REGEX, VALUE, UNIT)' % part)
        verb, uri, regex, value, unit = match.groups()
        if unit.upper() not in UNITS:
            raise ValueError('rate limit %r: unit must be one of %s' % (
                part, ', '.join(UNITS)))
        if int(value) < 1:
            raise ValueError('rate limit %r: the value must be at least 1' % part)
        try:
            limits.append(Limit(verb.upper(), uri, regex, int(value), unit.upper()))
        except re.error as e:
            raise ValueError('rate limit %r: bad regex: %s' % (part, e)) from None
    return limits


class Limiter:
    """The water level of each (user, limit); one lock, the work is tiny."""

    def __init__(self, limits):
        self.limits = limits
        self._water = {}  # (user_id, index) -> (level in seconds, when)
        self._lock = threading.Lock()

    def check(self, user_id, verb, path, now=None):
        """None when the request may go (and it is counted), else (limit, seconds to wait)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            charges = []  # counted only when every matching limit lets the request go
            for index, limit in enumerate(self.limits):
                if not limit.matches(verb, path):
                    continue
                key = (user_id, index)
                level = Limit._drained(self._water.get(key, (0.0, now)), now)
                per_request = limit.seconds / limit.value
                if level + per_request > limit.seconds + 1e-9:
                    return limit, level + per_request - limit.seconds
                charges.append((key, level + per_request))
            for key, level in charges:
                self._water[key] = (level, now)
        return None

    def describe(self, user_id, now=None):
        """GET /limits' ``rate``: the limits grouped by URI and regex."""
        now = time.monotonic() if now is None else now
        wall = time.time()
        groups = {}
        with self._lock:
            for index, limit in enumerate(self.limits):
                entry = limit.to_dict(self._water.get((user_id, index), (0.0, now)), now, wall)
                group = groups.setdefault((limit.uri, limit.regex),
                                          {'uri': limit.uri, 'regex': limit.regex, 'limit': []})
                group['limit'].append(entry)
        return list(groups.values())


_limiter = [None, None]  # (flag text it was built from, Limiter)


def get_limiter():
    """The process's Limiter for the current flags, or None when rate limits are off."""
    if not CONF.api_rate_limit:
        return None
    if _limiter[0] != CONF.api_rate_limits:
        _limiter[1] = Limiter(parse(CONF.api_rate_limits))
        _limiter[0] = CONF.api_rate_limits
    return _limiter[1]


class RateLimitingMiddleware(middleware.Middleware):
    """429 overLimit for a user over one of the limits; after auth, before the API."""

    def __init__(self, application, **local_conf):
        super().__init__(application, **local_conf)
        try:  # a bad --api_rate_limits stops the daemon at start, not at a request
            get_limiter()
        except ValueError as e:
            raise exception.InvalidInput(reason=_('--api_rate_limits: %s') % e) from None

    @webob.dec.wsgify
    def __call__(self, req):
        limiter = get_limiter()
        context = req.environ.get(ENV_CONTEXT)
        if limiter is None or context is None:
            return req.get_response(self.application)
        path = _PROJECT_PREFIX.sub('', req.path_info) or '/'
        over = limiter.check(context.user_id, req.method, path)
        if over is None:
            return req.get_response(self.application)
        limit, wait = over
        retry_after = max(1, int(math.ceil(wait)))
        response = faults.fault_response(429, _('This request was rate-limited.'),
                                         {'Retry-After': str(retry_after)}, req)
        body = response.json
        body['overLimit'].update({
            'retryAfter': str(retry_after),
            'details': 'Only %d %s request(s) can be made to %s every %s.' % (
                limit.value, limit.verb, limit.uri, limit.unit.lower())})
        response.json = body
        return response
