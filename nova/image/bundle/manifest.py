"""The manifest of an image bundle, in the XML euca-bundle-image writes.

A bundle is an image file tarred, gzipped, AES-128-CBC encrypted and split
into parts; the manifest lists the parts with their SHA-1 digests and holds
the AES key and IV (as hex text) RSA-encrypted twice, for the cloud
(``ec2_encrypted_*``) and for the user (``user_encrypted_*``). The signature
is the user's RSA-SHA1 over the serialized ``machine_configuration`` and
``image`` elements. The image type is ``image/type`` (machine, kernel,
ramdisk), or in older bundles a ``kernel_id``/``ramdisk_id`` of ``true``.

A manifest comes from users, so parsing rejects what could hurt: a DOCTYPE
(entity tricks), part names that are not plain names beside the manifest,
missing or malformed fields — each as InvalidBundle naming the field.
"""
import binascii
import dataclasses
import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree

from nova import exception

VERSION = '2007-10-10'
CIPHER = 'AES-128-CBC'
TYPES = ('machine', 'kernel', 'ramdisk')
MAX_MANIFEST_SIZE = 4 * 1024 ** 2
MAX_PARTS = 100000
_PART_NAME = re.compile(r'^[A-Za-z0-9._+=@,-]{1,255}$')
_HEX = re.compile(r'^(?:[0-9a-fA-F]{2})+$')


@dataclasses.dataclass
class Part:
    filename: str
    digest: str = None  # SHA-1 hex of the part, when the bundler wrote one


@dataclasses.dataclass
class Manifest:
    name: str
    image_type: str
    parts: list
    ec2_encrypted_key: bytes
    ec2_encrypted_iv: bytes
    user_encrypted_key: bytes = None
    user_encrypted_iv: bytes = None
    user: str = None
    architecture: str = None
    kernel_id: str = None
    ramdisk_id: str = None
    digest: str = None  # SHA-1 hex of the tar stream (before gzip)
    size: int = None  # bytes of the image file
    bundled_size: int = None  # bytes of all parts
    signature: bytes = None

    # ---------------------------------------------------------- producing

    def _machine_configuration(self):
        config = ET.Element('machine_configuration')
        _child(config, 'architecture', self.architecture)
        _child(config, 'kernel_id', self.kernel_id)
        _child(config, 'ramdisk_id', self.ramdisk_id)
        return config

    def _image(self):
        image = ET.Element('image')
        _child(image, 'name', self.name)
        _child(image, 'user', self.user)
        _child(image, 'type', self.image_type)
        _child(image, 'digest', self.digest, algorithm='SHA1')
        _child(image, 'size', self.size)
        _child(image, 'bundled_size', self.bundled_size)
        for name in ('ec2_encrypted_key', 'user_encrypted_key'):
            _child(image, name, _hexlify(getattr(self, name)), algorithm=CIPHER)
        for name in ('ec2_encrypted_iv', 'user_encrypted_iv'):
            _child(image, name, _hexlify(getattr(self, name)))
        parts = ET.SubElement(image, 'parts', count=str(len(self.parts)))
        for index, part in enumerate(self.parts):
            element = ET.SubElement(parts, 'part', index=str(index))
            _child(element, 'filename', part.filename)
            _child(element, 'digest', part.digest, algorithm='SHA1')
        return image

    def signed_text(self):
        """The bytes the signature covers: machine_configuration then image."""
        return (ET.tostring(self._machine_configuration(), encoding='utf-8', xml_declaration=False)
                + ET.tostring(self._image(), encoding='utf-8', xml_declaration=False))

    def to_xml(self):
        """The manifest document (UTF-8 bytes)."""
        root = ET.Element('manifest')
        _child(root, 'version', VERSION)
        bundler = ET.SubElement(root, 'bundler')
        _child(bundler, 'name', 'nova-manage image bundle')
        _child(bundler, 'version', '1.0')
        _child(bundler, 'release', '1')
        root.append(self._machine_configuration())
        root.append(self._image())
        _child(root, 'signature', _hexlify(self.signature))
        return ET.tostring(root, encoding='utf-8', xml_declaration=True)


def _child(parent, name, value, **attrs):
    if value is not None:
        ET.SubElement(parent, name, **attrs).text = str(value)


def _hexlify(value):
    return None if value is None else binascii.hexlify(value).decode('ascii')


# --------------------------------------------------------------- parsing

def is_part_name(filename):
    """A plain file name (no directory, no '..'), as parts and manifests have."""
    return bool(_PART_NAME.match(filename or '')) and filename not in ('.', '..')


def _invalid(reason):
    return exception.InvalidBundle(reason=reason)


def _text(root, path, required=False):
    element = root.find(path)
    value = element.text.strip() if element is not None and element.text else None
    if required and not value:
        raise _invalid('the manifest has no %s' % path)
    return value


def _hex(root, path, required=False):
    value = _text(root, path, required)
    if value is None:
        return None
    if not _HEX.match(value):
        raise _invalid('%s is not hexadecimal' % path)
    return binascii.unhexlify(value)


def _int(root, path):
    value = _text(root, path)
    if value is None:
        return None
    if not value.isdigit():
        raise _invalid('%s is not a number: %r' % (path, value[:40]))
    return int(value)


def _sha1(value, path):
    if value is not None and not re.match(r'^[0-9a-fA-F]{40}$', value):
        raise _invalid('%s is not a SHA-1 hex digest' % path)
    return value.lower() if value else None


def _image_type(root):
    declared = _text(root, 'image/type')
    if declared is not None:
        if declared not in TYPES:
            raise _invalid('image/type must be one of %s, not %r' % (', '.join(TYPES),
                                                                       declared[:40]))
        return declared
    for kind in ('kernel', 'ramdisk'):
        if _text(root, 'machine_configuration/%s_id' % kind) == 'true':
            return kind
    return 'machine'


def _image_ref(root, kind):
    value = _text(root, 'machine_configuration/%s_id' % kind)
    return None if value in (None, 'true') else value


def _parts(root):
    parts = root.find('image/parts')
    if parts is None:
        raise _invalid('the manifest has no image/parts')
    found = {}
    for element in parts.findall('part'):
        index = element.get('index', '')
        if not index.isdigit():
            raise _invalid('a part has no numeric index')
        filename = _text(element, 'filename', required=True)
        if not is_part_name(filename):
            raise _invalid('part file name %r is not a plain name beside the manifest'
                           % filename[:80])
        found[int(index)] = Part(filename, _sha1(_text(element, 'digest'),
                                                 'image/parts/part/digest'))
    if not found or len(found) > MAX_PARTS:
        raise _invalid('the manifest lists %d parts' % len(found))
    if sorted(found) != list(range(len(found))):
        raise _invalid('part indexes are not 0 to %d' % (len(found) - 1))
    declared = parts.get('count')
    if declared is not None and declared != str(len(found)):
        raise _invalid('parts count=%s but %d parts are listed' % (declared[:20], len(found)))
    return [found[i] for i in range(len(found))]


def parse(data):
    """A Manifest from the XML bytes; InvalidBundle saying what is wrong."""
    if len(data) > MAX_MANIFEST_SIZE:
        raise _invalid('the manifest is larger than %d bytes' % MAX_MANIFEST_SIZE)
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise _invalid('the manifest must not have a DOCTYPE or entities')
    except ET.ParseError as e:
        raise _invalid('the manifest is not well-formed XML: %s' % e)
    if root.tag != 'manifest':
        raise _invalid('the document is a <%s>, not a <manifest>' % root.tag[:40])
    key_element = root.find('image/ec2_encrypted_key')
    if key_element is not None and key_element.get('algorithm', CIPHER) != CIPHER:
        raise _invalid('only %s bundles are supported, not %s' % (
            CIPHER, key_element.get('algorithm')[:40]))
    name = _text(root, 'image/name', required=True)
    return Manifest(
        name=name, image_type=_image_type(root), parts=_parts(root),
        ec2_encrypted_key=_hex(root, 'image/ec2_encrypted_key', required=True),
        ec2_encrypted_iv=_hex(root, 'image/ec2_encrypted_iv', required=True),
        user_encrypted_key=_hex(root, 'image/user_encrypted_key'),
        user_encrypted_iv=_hex(root, 'image/user_encrypted_iv'),
        user=_text(root, 'image/user'),
        architecture=_text(root, 'machine_configuration/architecture'),
        kernel_id=_image_ref(root, 'kernel'), ramdisk_id=_image_ref(root, 'ramdisk'),
        digest=_sha1(_text(root, 'image/digest'), 'image/digest'),
        size=_int(root, 'image/size'), bundled_size=_int(root, 'image/bundled_size'),
        signature=_hex(root, 'signature'))
