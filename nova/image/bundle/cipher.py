"""AES-128-CBC with PKCS#7 padding over streams, as ``openssl enc -aes-128-cbc``
encrypts bundles; the key and IV travel as 32 hex characters each (what
euca2ools RSA-encrypts into the manifest)."""
import binascii
import os
import re

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_HEX_KEY = re.compile(rb'^[0-9a-fA-F]{32}$')


class DecryptError(Exception):
    """The bundle cannot be decrypted: wrong key, not a multiple of the block size,
    bad padding."""


def new_key_iv():
    """A random key and IV, as the hex text the manifest carries."""
    return binascii.hexlify(os.urandom(16)), binascii.hexlify(os.urandom(16))


def _raw(hex_text, what):
    if not _HEX_KEY.match(hex_text or b''):
        raise DecryptError('the decrypted %s is not 16 bytes of hex: the bundle was not '
                           'encrypted for this cloud' % what)
    return binascii.unhexlify(hex_text)


def _cipher(hex_key, hex_iv):
    return Cipher(algorithms.AES(_raw(hex_key, 'AES key')), modes.CBC(_raw(hex_iv, 'IV')))


class Encryptor:
    """update(bytes) -> ciphertext so far; finish() -> the padded last blocks."""

    def __init__(self, hex_key, hex_iv):
        self._encryptor = _cipher(hex_key, hex_iv).encryptor()
        self._padder = padding.PKCS7(128).padder()

    def update(self, data):
        return self._encryptor.update(self._padder.update(data))

    def finish(self):
        return self._encryptor.update(self._padder.finalize()) + self._encryptor.finalize()


def decrypt_stream(hex_key, hex_iv, chunks):
    """Plaintext chunks of the ciphertext chunks; DecryptError on a bad end."""
    decryptor = _cipher(hex_key, hex_iv).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    received = 0
    for chunk in chunks:
        received += len(chunk)
        out = unpadder.update(decryptor.update(chunk))
        if out:
            yield out
    if not received or received % 16:
        raise DecryptError('the encrypted image is %d bytes, not a whole number of AES '
                           'blocks' % received)
    try:
        yield unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise DecryptError('bad padding after decryption: wrong key or a corrupt bundle')
