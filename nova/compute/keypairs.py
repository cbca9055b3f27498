"""Key pairs: generate or import, validate, fingerprint as OpenSSH prints them.

A generated key is RSA 2048; its private half is returned once and never
stored. SSH fingerprints are the legacy MD5 form Nova reports
(``ssh-keygen -l -E md5`` without its ``MD5:`` prefix); x509 certificates
are fingerprinted by SHA-1 of their DER encoding.

The cryptography package (~10 MB per process) is imported by the functions that
parse or make keys, at their first call: nova-api loads this module with its
routes, and a cloud whose users never touch a key pair never pays for it.
"""
import base64
import binascii
import datetime
import hashlib
import re

from nova import exception
from nova import quota
from nova.db import api as db

KEY_TYPES = ('ssh', 'x509')
SSH_KEY_TYPES = ('ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384',
                 'ecdsa-sha2-nistp521')
_NAME = re.compile(r'^[\w\-. @]+$')
_CERT_DAYS = 3650


def validate_name(name):
    if not isinstance(name, str) or not 1 <= len(name) <= 255:
        raise exception.InvalidKeypair(reason='the name must be 1 to 255 characters long')
    if not _NAME.match(name):
        raise exception.InvalidKeypair(
            reason='the name may only contain letters, digits, spaces and the characters '
                   "'-', '_', '.' and '@'")
    return name


def _colons(digest):
    return ':'.join('%02x' % byte for byte in digest)


def _ssh_blob(public_key):
    """The key blob of an OpenSSH public key line, validated; InvalidKeypair otherwise."""
    from cryptography.hazmat.primitives import serialization
    if not isinstance(public_key, str):
        raise exception.InvalidKeypair(reason='the public key must be a string')
    parts = public_key.strip().split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise exception.InvalidKeypair(
            reason='not an OpenSSH public key of type %s' % ', '.join(SSH_KEY_TYPES))
    try:
        blob = base64.b64decode(parts[1], validate=True)
        serialization.load_ssh_public_key(('%s %s' % (parts[0], parts[1])).encode())
    except (binascii.Error, ValueError, TypeError, NotImplementedError) as e:
        raise exception.InvalidKeypair(reason='the %s public key cannot be read (%s)'
                                       % (parts[0], e)) from None
    return blob


def fingerprint(public_key):
    """Legacy MD5 fingerprint of an OpenSSH public key: 'aa:bb:...'."""
    return _colons(hashlib.md5(_ssh_blob(public_key), usedforsecurity=False).digest())


def fingerprint_sha256(public_key):
    """OpenSSH's current fingerprint form: 'SHA256:<base64 without padding>'."""
    digest = hashlib.sha256(_ssh_blob(public_key)).digest()
    return 'SHA256:' + base64.b64encode(digest).decode().rstrip('=')


def _load_certificate(certificate):
    from cryptography import x509
    try:
        return x509.load_pem_x509_certificate(certificate.encode())
    except (ValueError, TypeError, AttributeError) as e:
        raise exception.InvalidKeypair(reason='not a PEM x509 certificate (%s)' % e) from None


def x509_fingerprint(certificate):
    """SHA-1 of a PEM certificate's DER encoding: 'aa:bb:...'."""
    from cryptography.hazmat.primitives import hashes
    return _colons(_load_certificate(certificate).fingerprint(hashes.SHA1()))


def _new_private_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key):
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def generate_ssh_key():
    """(private PEM, OpenSSH public key, fingerprint) of a new RSA 2048 key."""
    from cryptography.hazmat.primitives import serialization
    key = _new_private_key()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    public += ' Generated-by-Nova'
    return _private_pem(key), public, fingerprint(public)


def generate_x509(common_name):
    """(private PEM, self-signed PEM certificate, fingerprint) for common_name."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    key = _new_private_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=_CERT_DAYS))
                   .sign(key, hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return _private_pem(key), pem, x509_fingerprint(pem)


def _check_type(key_type):
    if key_type not in KEY_TYPES:
        raise exception.InvalidKeypair(reason='type must be one of %s, not %r'
                                       % (', '.join(KEY_TYPES), key_type))


def _store(context, user_id, name, public_key, fingerprint_, key_type):
    limit = quota.limits_for(context, context.project_id, user_id)['key_pairs']
    return db.key_pair_create(context, {'user_id': user_id, 'name': name, 'type': key_type,
                                        'public_key': public_key,
                                        'fingerprint': fingerprint_}, limit=limit)


def create_key_pair(context, user_id, name, key_type='ssh'):
    """Generate and store a key pair; returns (row, private key PEM)."""
    validate_name(name)
    _check_type(key_type)
    if key_type == 'x509':
        private_key, public_key, fp = generate_x509('%s-%s' % (user_id, name))
    else:
        private_key, public_key, fp = generate_ssh_key()
    return _store(context, user_id, name, public_key, fp, key_type), private_key


def import_key_pair(context, user_id, name, public_key, key_type='ssh'):
    """Store a user's public key (OpenSSH line, or PEM certificate for x509)."""
    validate_name(name)
    _check_type(key_type)
    public_key = public_key.strip() if isinstance(public_key, str) else public_key
    fp = x509_fingerprint(public_key) if key_type == 'x509' else fingerprint(public_key)
    return _store(context, user_id, name, public_key, fp, key_type)


def get_key_pair(context, user_id, name):
    return db.key_pair_get(context, user_id, name)


def get_key_pairs(context, user_id, limit=None, marker=None):
    return db.key_pair_get_all_by_user(context, user_id, limit=limit, marker=marker)


def delete_key_pair(context, user_id, name):
    db.key_pair_destroy(context, user_id, name)
