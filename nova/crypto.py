"""The cloud's certificate authority: one RSA key and a self-signed certificate.

Users encrypt the AES key of an image bundle for the cloud's certificate
(cacert.pem, handed out by ``nova-manage project zipfile``), so that only
the cloud can decrypt the bundle when it is registered. The CA also signs a
certificate for a user's own key, the pair euca-bundle-image asks for.

Both files are made on first use under --ca_path; processes that start
together (nova-api, nova-manage) agree on one CA through a lock file and an
atomic rename, so nobody ever reads a half-written key.
"""
import datetime
import fcntl
import os
import tempfile
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from nova import exception
from nova.conf import CONF

CA_CERT = 'cacert.pem'
CA_KEY = os.path.join('private', 'cakey.pem')
_CA_NAME = 'nova-cloud-ca'


def ca_cert_path():
    return os.path.join(CONF.ca_path, CA_CERT)


def _ca_key_path():
    return os.path.join(CONF.ca_path, CA_KEY)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _write_atomically(path, data, mode):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tmp-')
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _name(common_name, organization=None):
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def _certificate(subject, public_key, issuer, signing_key, is_ca):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CONF.ca_cert_days))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .sign(signing_key, hashes.SHA256()))


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=CONF.ca_key_bits)


def ensure_ca():
    """Make the CA key and certificate unless they exist; the certificate's path."""
    cert_path = ca_cert_path()
    if os.path.exists(cert_path):
        return cert_path
    os.makedirs(os.path.join(CONF.ca_path, 'private'), mode=0o700, exist_ok=True)
    with open(os.path.join(CONF.ca_path, '.lock'), 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(cert_path):  # another process may have made it meanwhile
            key = new_key()
            name = _name(_CA_NAME, 'nova-%s' % uuid.uuid4().hex[:8])
            cert = _certificate(name, key.public_key(), name, key, is_ca=True)
            _write_atomically(_ca_key_path(), _key_pem(key), 0o600)
            _write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM),
                              0o644)
    return cert_path


def ca_cert_pem():
    """The cloud's certificate (PEM bytes), made on first use."""
    with open(ensure_ca(), 'rb') as f:
        return f.read()


def _ca_key():
    ensure_ca()
    with open(_ca_key_path(), 'rb') as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def generate_user_cert(user_id, project_id):
    """(private key PEM, certificate PEM) of a new key for a user in a project,
    signed by the cloud's CA."""
    ca_key = _ca_key()
    issuer = x509.load_pem_x509_certificate(ca_cert_pem()).subject
    key = new_key()
    cert = _certificate(_name(user_id, project_id), key.public_key(), issuer, ca_key,
                        is_ca=False)
    return _key_pem(key), cert.public_bytes(serialization.Encoding.PEM)


def load_certificate(pem):
    """A certificate from PEM bytes; Invalid naming what is wrong."""
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as e:
        raise exception.Invalid(reason='not a PEM certificate: %s' % e)


def load_private_key(pem):
    try:
        return serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise exception.Invalid(reason='not an unencrypted PEM private key: %s' % e)


def encrypt_for(cert_pem, data):
    """RSA PKCS#1 v1.5 encryption for the holder of the certificate (as euca2ools)."""
    return load_certificate(cert_pem).public_key().encrypt(data, padding.PKCS1v15())


def decrypt_with_cloud_key(data):
    """Undo encrypt_for(cloud cert); ValueError when it was not made for this cloud."""
    return _ca_key().decrypt(data, padding.PKCS1v15())


def sign(private_key_pem, data):
    """RSA PKCS#1 v1.5 signature over the SHA-1 of data, as euca2ools signs manifests."""
    return load_private_key(private_key_pem).sign(data, padding.PKCS1v15(), hashes.SHA1())


def verify(cert_pem, signature, data):
    """True when signature is sign(the certificate's key, data)."""
    try:
        load_certificate(cert_pem).public_key().verify(signature, data, padding.PKCS1v15(),
                                                       hashes.SHA1())
    except Exception:  # cryptography's InvalidSignature, or a key of the wrong kind
        return False
    return True
