"""S3's additional checksums: CRC32, CRC32C, CRC64NVME, SHA1 and SHA256 of
bodies, and of multipart objects: FULL_OBJECT (the CRC of the whole object,
combined from the parts' CRCs without reading them again) or COMPOSITE (the
checksum of the parts' binary checksums, '-<parts>'), as S3 computes them.

Values travel base64-encoded (x-amz-checksum-<algorithm> headers and
trailers, Checksum* elements). The CRCs come from awscrt, the library
botocore itself uses for them.
"""
import base64
import hashlib

from awscrt import checksums as crt

from nova.i18n import _
from nova.objectstore.errors import S3Error

FULL_OBJECT, COMPOSITE = 'FULL_OBJECT', 'COMPOSITE'
TYPES = (FULL_OBJECT, COMPOSITE)


class _Crc:
    """hashlib-like running CRC whose digest is S3's big-endian bytes."""

    function = width = None

    def __init__(self):
        self.value = 0

    def update(self, data):
        self.value = self.function(data, self.value)

    def digest(self):
        return self.value.to_bytes(self.width, 'big')


class Crc32(_Crc):
    function, width, combine = staticmethod(crt.crc32), 4, staticmethod(crt.combine_crc32)


class Crc32c(_Crc):
    function, width, combine = staticmethod(crt.crc32c), 4, staticmethod(crt.combine_crc32c)


class Crc64Nvme(_Crc):
    function, width, combine = (staticmethod(crt.crc64nvme), 8,
                                staticmethod(crt.combine_crc64nvme))


ALGORITHMS = {'crc32': Crc32, 'crc32c': Crc32c, 'crc64nvme': Crc64Nvme,
              'sha1': hashlib.sha1, 'sha256': hashlib.sha256}
CRCS = ('crc32', 'crc32c', 'crc64nvme')
# the element names of responses: ChecksumCRC32, ...
ELEMENT = {'crc32': 'ChecksumCRC32', 'crc32c': 'ChecksumCRC32C',
           'crc64nvme': 'ChecksumCRC64NVME', 'sha1': 'ChecksumSHA1',
           'sha256': 'ChecksumSHA256'}


def algorithm_named(name, what='x-amz-checksum-algorithm'):
    """The algorithm of a request header value ('CRC32', ...); InvalidRequest."""
    algorithm = (name or '').strip().lower()
    if algorithm not in ALGORITHMS:
        raise S3Error('InvalidRequest', _('Checksum algorithm %s is not supported; use '
                      'CRC32, CRC32C, CRC64NVME, SHA1 or SHA256') % (name or '')[:40],
                      ArgumentName=what)
    return algorithm


def multipart_type(algorithm, requested):
    """The checksum type of a multipart upload with that algorithm: S3's default
    (FULL_OBJECT for CRC64NVME, COMPOSITE otherwise) or the one asked, if the
    algorithm can have it."""
    if requested is None:
        return FULL_OBJECT if algorithm == 'crc64nvme' else COMPOSITE
    requested = requested.strip().upper()
    if requested not in TYPES:
        raise S3Error('InvalidRequest', _('Value for x-amz-checksum-type header is invalid.'))
    if requested == FULL_OBJECT and algorithm not in CRCS:
        raise S3Error('InvalidRequest', _('The FULL_OBJECT checksum type cannot be used with '
                      'the %s checksum algorithm.') % algorithm.upper())
    if requested == COMPOSITE and algorithm == 'crc64nvme':
        raise S3Error('InvalidRequest', _('The COMPOSITE checksum type cannot be used with '
                      'the CRC64NVME checksum algorithm.'))
    return requested


def encode(digest):
    return base64.b64encode(digest).decode('ascii')


def decode(value):
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        return b''


def composite(algorithm, part_values):
    """COMPOSITE: the checksum of the parts' binary checksums, then '-<parts>'."""
    digest = ALGORITHMS[algorithm]()
    for value in part_values:
        digest.update(decode(value))
    return '%s-%d' % (encode(digest.digest()), len(part_values))


def full_object(algorithm, parts):
    """FULL_OBJECT: the CRC of the whole object from [(part value, part size)]."""
    cls = ALGORITHMS[algorithm]
    value = None
    for part_value, size in parts:
        crc = int.from_bytes(decode(part_value), 'big')
        value = crc if value is None else cls.combine(value, crc, size)
    return encode((value or 0).to_bytes(cls.width, 'big'))
