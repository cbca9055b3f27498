"""Console authorization tokens: a console URL's token (kept as its SHA-256) names
the host and port of one instance's console until it expires."""
import hashlib

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import models
from nova.db import session as db_session

ConsoleAuthToken = models.ConsoleAuthToken


def _hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def console_auth_token_create(context, token, values):
    """Store a new token's connection details; expired tokens are dropped on the way."""
    row = ConsoleAuthToken(token_hash=_hash(token), **values)
    with db_session.writer() as session:
        session.execute(sa.delete(ConsoleAuthToken)
                        .where(ConsoleAuthToken.expires < utils.utcnow())
                        .execution_options(synchronize_session=False))
        session.add(row)
    return row


def console_auth_token_get_valid(context, token, instance_uuid=None):
    """The live token's row; ConsoleTokenInvalid when unknown, expired or for another instance."""
    stmt = sa.select(ConsoleAuthToken).where(ConsoleAuthToken.token_hash == _hash(token),
                                             ConsoleAuthToken.expires > utils.utcnow())
    if instance_uuid is not None:
        stmt = stmt.where(ConsoleAuthToken.instance_uuid == instance_uuid)
    with db_session.reader() as session:
        row = session.scalars(stmt).first()
    if row is None:
        raise exception.ConsoleTokenInvalid()
    return row


def console_auth_token_destroy_all_by_instance(context, instance_uuid):
    with db_session.writer() as session:
        session.execute(sa.delete(ConsoleAuthToken)
                        .where(ConsoleAuthToken.instance_uuid == instance_uuid)
                        .execution_options(synchronize_session=False))
