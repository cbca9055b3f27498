"""Telling a duplicate key from other integrity errors, whatever the driver."""
import contextlib

from sqlalchemy import exc as sa_exc

_PG_UNIQUE_VIOLATION = '23505'
_MYSQL_DUP_ENTRY = 1062


def is_duplicate(error):
    """True when an IntegrityError is a unique constraint violation."""
    orig = getattr(error, 'orig', None)
    if getattr(orig, 'sqlstate', None) == _PG_UNIQUE_VIOLATION:
        return True
    args = getattr(orig, 'args', ())
    if args and args[0] == _MYSQL_DUP_ENTRY:
        return True
    return 'UNIQUE constraint failed' in str(orig)


@contextlib.contextmanager
def duplicate_raises(make_exception):
    """Turn a duplicate-key IntegrityError raised inside into make_exception()."""
    try:
        yield
    except sa_exc.IntegrityError as e:
        if is_duplicate(e):
            raise make_exception() from e
        raise
