"""scrypt password hashes: salted, self-describing, compared in constant time."""
from nova.auth import passwords


def test_hash_verifies_only_its_password():
    stored = passwords.hash_password('s3cret')
    assert stored.startswith('scrypt$16384$8$1$')
    assert passwords.verify_password('s3cret', stored)
    assert not passwords.verify_password('s3cret ', stored)
    assert not passwords.verify_password('', stored)


def test_same_password_hashes_differently():
    assert passwords.hash_password('x') != passwords.hash_password('x')


def test_cost_parameters_are_read_from_the_hash():
    weak = passwords.hash_password('x').split('$')
    salt = passwords.base64.b64decode(weak[4])
    key = passwords._derive('x', salt, 1024, 1, 1)
    stored = '$'.join(['scrypt', '1024', '1', '1', weak[4], passwords._b64(key)])
    assert passwords.verify_password('x', stored)


def test_malformed_hashes_never_match():
    for stored in (None, '', 'plain', 'md5$1$2$3$4$5', 'scrypt$x$8$1$AA==$AA==',
                   'scrypt$16384$8$1$!!$??'):
        assert not passwords.verify_password('x', stored)


def test_generated_secrets_are_shell_safe():
    password = passwords.generate_password()
    assert len(password) == 20 and password.isalnum()
    key = passwords.generate_key(20)
    assert len(key) == 20 and key.isalnum() and key.upper() == key
