"""Rendered server views of GET /servers/detail, kept per process.

After the reads, building each server's dict and encoding it was most of a
page's CPU, and a project's servers change far less often than they are
listed. A view is kept as its encoded JSON (an orjson.Fragment that the page's
encoder copies as it is) under (what the request changes, the server's uuid),
with a digest of everything it was rendered from: the instance record (a
partial one: uuid, updated_at, which every write to the row moves, and the
state, host and zone; metadata and tags), its address rows, volumes, zone and
host status, encoded by orjson and hashed by Python's keyed SipHash (64 bits,
its key random per process: BLAKE2b cost 3 us a server, as much again as the
encoding; a stale view would need two states of one server to collide, about
one chance in 10^19 per change). A page reuses a view only when that digest is
equal, so a change a view shows renders it again whoever made the change
(there is no invalidation to forget), and two requests share a view only when
every input is the same: what differs between projects, roles, microversions
and URL bases is in the key. The memory is bounded: past
CONF.osapi_server_view_cache_size views the least recently used go (0 turns
the cache off).
"""
import collections

import orjson

from nova.conf import CONF

_ENCODING = orjson.OPT_NON_STR_KEYS
EncodeError = orjson.JSONEncodeError


def encode(value):
    """value as compact JSON bytes (orjson.JSONEncodeError for what orjson refuses)."""
    return orjson.dumps(value, option=_ENCODING)


class ViewCache:
    """{(variant number, uuid): (digest of the inputs, fragment)}, least recent first."""

    def __init__(self):
        self._views = collections.OrderedDict()
        self._variants = {}  # {variant: a small number}: cheap to hash in every key

    def __len__(self):
        return len(self._views)

    def clear(self):
        self._views.clear()
        self._variants.clear()

    def variant(self, variant):
        """A small number for what a request changes in every view (a hashable tuple)."""
        number = self._variants.get(variant)
        if number is None:
            number = self._variants[variant] = len(self._variants)
        return number

    @staticmethod
    def digest(inputs):
        """The digest of what a view is rendered from (orjson.JSONEncodeError for
        what orjson cannot encode: the caller renders those itself)."""
        return hash(encode(inputs))

    def get(self, variant, uuid, digest):
        """The kept view of uuid if it was rendered from inputs of this digest, else None."""
        key = (variant, uuid)
        kept = self._views.get(key)
        if kept is None or kept[0] != digest:
            return None
        self._views.move_to_end(key)
        return kept[1]

    def put(self, variant, uuid, digest, view):
        """view (a dict) encoded, kept for the inputs of this digest; the fragment."""
        # copied: orjson's bytes keep the 16 KB buffer it wrote into (tracemalloc: 16 KB
        # a view where the copy holds its 1.3 KB)
        fragment = orjson.Fragment(memoryview(encode(view)).tobytes())
        views = self._views
        key = (variant, uuid)
        views[key] = (digest, fragment)
        views.move_to_end(key)
        size = CONF.osapi_server_view_cache_size
        while len(views) > size:
            views.popitem(last=False)
        return fragment


VIEWS = ViewCache()
