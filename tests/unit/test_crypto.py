"""The cloud's CA: made once on first use, kept, and signing users' certificates."""
import os

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding

from nova import crypto
from nova.conf import CONF


def test_ca_made_once_private_and_signs_user_certs(tmp_path):
    CONF.set_override('ca_path', str(tmp_path / 'CA'))
    first = crypto.ca_cert_pem()
    assert crypto.ca_cert_pem() == first  # not made again
    assert os.stat(tmp_path / 'CA' / 'private' / 'cakey.pem').st_mode & 0o077 == 0
    ca = x509.load_pem_x509_certificate(first)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    key_pem, cert_pem = crypto.generate_user_cert('alice', 'proj')
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert cert.issuer == ca.subject and 'alice' in cert.subject.rfc4514_string()
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                           cert.signature_hash_algorithm)
    assert crypto.decrypt_with_cloud_key(crypto.encrypt_for(first, b'k' * 32)) == b'k' * 32
    assert crypto.verify(cert_pem, crypto.sign(key_pem, b'data'), b'data')
    assert not crypto.verify(cert_pem, crypto.sign(key_pem, b'data'), b'other')
