"""Key pairs, counted against their user's quota in the same transaction."""
import sqlalchemy as sa

from nova import exception
from nova.db import errors
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

KeyPair = models.KeyPair
RESOURCE = 'key_pairs'


def key_pair_create(context, values, limit=None):
    """Store a key pair; OverQuota if the user holds `limit` already (None or -1:
    no limit), KeyPairExists if the name is taken.
    """
    key_pair = KeyPair(**values)
    user_id, name = key_pair.user_id, key_pair.name
    limits = {} if limit is None else {RESOURCE: limit}
    with errors.duplicate_raises(lambda: exception.KeyPairExists(key_name=name)):
        with db_session.writer() as session:
            quotas.apply_deltas(session, quotas.ALL_PROJECTS, user_id, {RESOURCE: 1}, limits)
            session.add(key_pair)
    return key_pair


def key_pair_get(context, user_id, name):
    stmt = query.model_query(context, KeyPair).where(KeyPair.user_id == user_id,
                                                     KeyPair.name == name)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(KeyPair.deleted),
                           lambda: exception.KeypairNotFound(user_id=user_id, name=name))


def key_pair_get_all_by_user(context, user_id, limit=None, marker=None):
    """The user's key pairs in creation order, after the marker name."""
    stmt = query.model_query(context, KeyPair).where(KeyPair.user_id == user_id)
    marker_stmt = stmt.where(KeyPair.name == marker).order_by(KeyPair.deleted)
    with db_session.reader() as session:
        return paginate.page(session, stmt, paginate.sort_criteria(KeyPair, ['id'], ['asc']),
                             limit, marker_stmt, marker)


def key_pair_count_by_user(context, user_id):
    stmt = sa.select(sa.func.count(KeyPair.id)).where(KeyPair.user_id == user_id,
                                                     KeyPair.deleted == 0)
    with db_session.reader() as session:
        return session.scalar(stmt)


def key_pair_destroy(context, user_id, name):
    """Soft-delete a key pair and give its quota back."""
    with db_session.writer() as session:
        stmt = query.soft_delete(KeyPair, KeyPair.user_id == user_id, KeyPair.name == name)
        if session.execute(stmt).rowcount == 0:
            raise exception.KeypairNotFound(user_id=user_id, name=name)
        quotas.apply_deltas(session, quotas.ALL_PROJECTS, user_id, {RESOURCE: -1}, {})
