"""EC2 id mappings, RunInstances client tokens, and the instance at an address.

An id is made the first time a resource is shown through EC2: concurrent
requests may both try to insert it, the unique (kind, uuid) key lets one win
and the other reads the winner's row, so a resource never gets two ids.
Security group queries live in nova.db.security_groups and are re-exported
here, so that nova.db.api takes the EC2 tables in one line.
"""
import sqlalchemy as sa

from nova import exception
from nova.db import errors
from nova.db import models
from nova.db import session as db_session
from nova.db.security_groups import *  # noqa: F401,F403
from nova.db.security_groups import __all__ as _security_group_names

__all__ = ['ec2_id_get_or_create_many', 'ec2_id_get_uuid',
           'ec2_client_token_claim', 'ec2_client_token_get', 'ec2_client_token_set',
           'ec2_client_token_release'] + _security_group_names

Ec2Id = models.Ec2Id
Ec2ClientToken = models.Ec2ClientToken
Instance = models.Instance


def _ids(session, kind, uuids):
    stmt = sa.select(Ec2Id.uuid, Ec2Id.id).where(Ec2Id.kind == kind, Ec2Id.uuid.in_(uuids))
    return dict(session.execute(stmt).all())


def ec2_id_get_or_create_many(context, kind, uuids):
    """{uuid: integer id} for every uuid, made where missing (one SELECT when all exist)."""
    uuids = sorted(set(uuids))
    if not uuids:
        return {}
    with db_session.reader() as session:
        found = _ids(session, kind, uuids)
    missing = [u for u in uuids if u not in found]
    if missing:
        try:
            with db_session.writer() as session:
                session.execute(sa.insert(Ec2Id), [{'kind': kind, 'uuid': u} for u in missing])
        except sa.exc.IntegrityError as error:
            if not errors.is_duplicate(error):
                raise
            for one in missing:  # another request made some of them: one at a time
                _insert_one(kind, one)
        with db_session.reader() as session:
            found.update(_ids(session, kind, missing))
    return found


def _insert_one(kind, uuid):
    try:
        with db_session.writer() as session:
            session.execute(sa.insert(Ec2Id).values(kind=kind, uuid=uuid))
    except sa.exc.IntegrityError as error:
        if not errors.is_duplicate(error):
            raise


def ec2_id_get_uuid(context, kind, id_):
    """The uuid an integer id of kind stands for; NotFound if it was never made."""
    with db_session.reader() as session:
        found = session.scalar(sa.select(Ec2Id.uuid).where(Ec2Id.kind == kind,
                                                           Ec2Id.id == id_))
    if found is None:
        raise exception.NotFound()
    return found


# ------------------------------------------------------------- client tokens

def ec2_client_token_claim(context, project_id, client_token, request_hash):
    """Claim a token for a new request: True, or False when it was claimed before."""
    try:
        with db_session.writer() as session:
            session.add(Ec2ClientToken(project_id=project_id, client_token=client_token,
                                       request_hash=request_hash))
    except sa.exc.IntegrityError as error:
        if errors.is_duplicate(error):
            return False
        raise
    return True


def ec2_client_token_get(context, project_id, client_token):
    """The token's row; NotFound if it was never claimed (or was released)."""
    stmt = sa.select(Ec2ClientToken).where(Ec2ClientToken.project_id == project_id,
                                           Ec2ClientToken.client_token == client_token)
    with db_session.reader() as session:
        row = session.scalars(stmt).first()
    if row is None:
        raise exception.NotFound()
    return row


def ec2_client_token_set(context, project_id, client_token, reservation_id):
    stmt = (sa.update(Ec2ClientToken)
            .where(Ec2ClientToken.project_id == project_id,
                   Ec2ClientToken.client_token == client_token)
            .values(reservation_id=reservation_id))
    with db_session.writer() as session:
        session.execute(stmt)


def ec2_client_token_release(context, project_id, client_token):
    """Forget a claim whose request failed, so that a retry may run it."""
    stmt = sa.delete(Ec2ClientToken).where(Ec2ClientToken.project_id == project_id,
                                           Ec2ClientToken.client_token == client_token,
                                           Ec2ClientToken.reservation_id.is_(None))
    with db_session.writer() as session:
        session.execute(stmt)
