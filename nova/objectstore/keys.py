"""Object keys <-> paths under a bucket's objects/ directory, and the sorted walk.

A key keeps its '/' structure on disk so that a prefix listing reads one
subtree. Every path component carries a two-character type suffix, so no
component can be '.', '..' or empty, and a key may be both an object and the
start of longer keys ('a' and 'a/b'):

    '<segment>.o'  an object whose key ends with this segment
    '<segment>.d'  a directory: the segment followed by '/'
    '<piece>.c'    a directory: a piece of a segment too long for one filename
                   (NAME_MAX), continued by its children without a '/'

Inside a segment '%' and control characters are percent-encoded (nothing else:
filenames are bytes, UTF-8 stays readable). Keys are validated first: at most
1024 bytes of UTF-8, no NUL, no leading '/', no '.' or '..' segment.
"""
import heapq
import operator
import os
import re

from nova import exception
from nova.i18n import _

MAX_KEY_BYTES = 1024
OBJECT, DIRECTORY, CONTINUATION = '.o', '.d', '.c'
_RANK = {OBJECT: 0, CONTINUATION: 1, DIRECTORY: 2}  # order of equal sort keys
_PIECE_BYTES = 240  # encoded bytes per component, leaving room for the suffix
_ESCAPE = re.compile('[%\x00-\x1f\x7f]')
_UNESCAPE = re.compile('%([0-9A-F]{2})')


def validate(key):
    """The key if it is safe to store; InvalidObjectKey (ObjectKeyTooLong) if not."""
    if not key:
        raise exception.InvalidObjectKey(reason=_('the key is empty'))
    if len(key.encode('utf-8', 'surrogatepass')) > MAX_KEY_BYTES:
        raise exception.ObjectKeyTooLong(limit=MAX_KEY_BYTES)
    if '\x00' in key:
        raise exception.InvalidObjectKey(reason=_('the key contains a NUL character'))
    if key.startswith('/'):
        raise exception.InvalidObjectKey(reason=_('the key starts with "/"'))
    if any(segment in ('.', '..') for segment in key.split('/')):
        raise exception.InvalidObjectKey(reason=_('the key has a "." or ".." segment'))
    try:
        key.encode('utf-8')
    except UnicodeEncodeError:
        raise exception.InvalidObjectKey(reason=_('the key is not valid UTF-8'))
    return key


def _escape(text):
    return _ESCAPE.sub(lambda m: '%%%02X' % ord(m.group()), text)


def _unescape(text):
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _pieces(segment):
    """The encoded segment cut into filename-sized pieces (never inside an escape)."""
    pieces, current, size = [], [], 0
    for char in segment:
        encoded = _escape(char)
        length = len(encoded.encode('utf-8'))
        if size + length > _PIECE_BYTES:
            pieces.append(''.join(current))
            current, size = [], 0
        current.append(encoded)
        size += length
    pieces.append(''.join(current))
    return pieces


def _segment_names(segment, suffix):
    pieces = _pieces(segment)
    return [piece + CONTINUATION for piece in pieces[:-1]] + [pieces[-1] + suffix]


def dir_names(prefix):
    """Components of the directory holding every key that starts with prefix + '/'."""
    names = []
    for segment in prefix.split('/'):
        names += _segment_names(segment, DIRECTORY)
    return names


def object_names(key):
    """Components of the object file of a (validated) key, relative to objects/."""
    head, _sep, last = key.rpartition('/')
    return (dir_names(head) if '/' in key else []) + _segment_names(last, OBJECT)


def object_path(root, key):
    """The object file of key under root (objects/); the key is validated here."""
    path = os.path.join(root, *object_names(validate(key)))
    if not os.path.normpath(path).startswith(os.path.join(root, '')):
        raise exception.InvalidObjectKey(reason=_('the key leaves the bucket'))
    return path


class Bounds:
    """Which keys a walk still wants; a lister moves them while it consumes.

    prefix: keys must start with it. after: keys must sort after it. skip: keys
    starting with it are not wanted (a common prefix already reported).
    """

    def __init__(self, prefix='', after='', skip=None):
        self.prefix, self.after, self.skip = prefix, after, skip

    def wants_key(self, key):
        return (key > self.after and key.startswith(self.prefix)
                and not (self.skip and key.startswith(self.skip)))

    def wants_subtree(self, start):
        """Whether some key starting with start may be wanted."""
        if not (start.startswith(self.prefix) or self.prefix.startswith(start)):
            return False
        if start < self.after and not self.after.startswith(start):
            return False
        return not (self.skip and start.startswith(self.skip))

    def past_end(self, start):
        """Whether start and everything sorting after it is beyond the prefix."""
        return start > self.prefix and not start.startswith(self.prefix)


def walk(root, bounds):
    """(key, os.DirEntry) of the objects under root wanted by bounds, in key order.

    Keys sort by code point, which is S3's UTF-8 byte order. The walk descends
    straight to the directory of the prefix's whole segments, and skips any
    subtree the bounds exclude, so a page of a listing reads little more than
    the directories on its path.
    """
    head = bounds.prefix.rpartition('/')[0]
    base = head + '/' if '/' in bounds.prefix else ''
    start = os.path.join(root, *dir_names(head)) if base else root
    return _walk(start, base, bounds)


def _entries(path, base):
    """Sorted (sort key, rank, entry, key part) of a directory; [] if it is gone."""
    found = []
    try:
        with os.scandir(path) as it:
            for entry in it:
                suffix = entry.name[-2:]
                if suffix not in _RANK:
                    continue
                part = base + _unescape(entry.name[:-2])
                sort = part + '/' if suffix == DIRECTORY else part
                found.append((sort, _RANK[suffix], entry, part))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found.sort(key=operator.itemgetter(0, 1))
    return found


def _walk(path, base, bounds):
    entries = _entries(path, base)
    i = 0
    while i < len(entries):
        sort = entries[i][0]
        if bounds.past_end(sort):
            return
        group = [_stream(bounds, *entries[i])]
        i += 1
        if entries[i - 1][1] == _RANK[CONTINUATION]:
            # keys under 'p.c' continue p without a '/': they interleave with every
            # other entry starting with p ('p-x.o', 'p.d', a longer piece ...)
            while i < len(entries) and entries[i][0].startswith(sort):
                group.append(_stream(bounds, *entries[i]))
                i += 1
        if len(group) == 1:
            yield from group[0]
        else:
            yield from heapq.merge(*group, key=operator.itemgetter(0))


def _stream(bounds, sort, rank, entry, part):
    if rank == _RANK[OBJECT]:
        if bounds.wants_key(part):
            yield part, entry
    elif bounds.wants_subtree(sort):
        yield from _walk(entry.path, sort, bounds)
