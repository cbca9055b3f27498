"""Password hashing with scrypt: a random salt and the cost stored with each hash."""
import base64
import hashlib
import hmac
import secrets
import string

SCHEME = 'scrypt'
N, R, P = 2 ** 14, 8, 1  # ~16 MiB and a few tens of ms per hash
SALT_BYTES = 16
KEY_BYTES = 32
_ALPHABET = string.ascii_letters + string.digits


def _b64(data):
    return base64.b64encode(data).decode('ascii')


def _derive(password, salt, n, r, p):
    return hashlib.scrypt(password.encode('utf-8'), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * r * n + 1024 * 1024, dklen=KEY_BYTES)


def hash_password(password):
    """'scrypt$n$r$p$salt$key' (base64 salt and key)."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, N, R, P)
    return '$'.join([SCHEME, str(N), str(R), str(P), _b64(salt), _b64(key)])


def verify_password(password, stored):
    """True when password matches the stored hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, key = stored.split('$')
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (AttributeError, ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_dummy_hash = None


def burn_time(password):
    """Spend what a verification costs, so an unknown user answers as slowly as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(generate_password())
    verify_password(password, _dummy_hash)


def generate_password(length=20):
    """Letters and digits only, so that the password is safe in a shell file."""
    return ''.join(secrets.choice(_ALPHABET) for _ in range(length))


def generate_key(length):
    """A random upper-case key (EC2 access keys look like this)."""
    return ''.join(secrets.choice(string.ascii_uppercase + string.digits)
                   for _ in range(length))
