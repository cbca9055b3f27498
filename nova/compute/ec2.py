"""What only the EC2 front end asks of the cloud: its id mappings and RunInstances
client tokens, kept here so that the front end never reads the database.

Ids: 'i-0000001a' is row 0x1a of the ec2_ids table, mapping (kind, number) to a
uuid, made the first time a resource is shown through EC2 (concurrent first
showings agree on one row). Kinds: i, ami (every image type), sg, vol, snap,
eipalloc.

Client tokens make RunInstances idempotent per project, as AWS does: the first
request carrying a token claims it and runs; a repeat with the same parameters
gets that request's reservation (waiting up to TOKEN_WAIT_SECONDS while it
runs), with other parameters ClientTokenMismatch; a failed first request
releases its claim so that a retry runs again.
"""
import datetime

import eventlet

from nova import exception
from nova.db import api as db

TOKEN_WAIT_SECONDS = 30  # how long a repeated token waits for the first request
_POLL = 0.1


# images of every type share one mapping (kind 'ami'), shown with their type's prefix
_KIND_OF_PREFIX = {'aki': 'ami', 'ari': 'ami'}


def format_id(prefix, number):
    return '%s-%08x' % (prefix, number)


def ec2_ids(context, prefix, uuids):
    """{uuid: ec2 id ('i-0000001a')}, made where missing."""
    numbers = ids_for(context, _KIND_OF_PREFIX.get(prefix, prefix), uuids)
    return {uuid: format_id(prefix, number) for uuid, number in numbers.items()}


def ec2_id(context, prefix, uuid):
    return ec2_ids(context, prefix, [uuid])[uuid] if uuid else None


def timestamp(value):
    """A datetime as EC2 shows it: 2016-11-15T10:00:00.000Z (UTC, milliseconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (value.microsecond // 1000)


def ids_for(context, kind, uuids):
    """{uuid: the EC2 number of kind}, made where missing."""
    return db.ec2_id_get_or_create_many(context, kind, [u for u in uuids if u])


def uuid_for(context, kind, number):
    """The uuid an EC2 number of kind stands for; NotFound if none."""
    return db.ec2_id_get_uuid(context, kind, number)


def run_once(context, client_token, request_hash, create):
    """(reservation id, instances) of the request client_token names in context's
    project: ``create()`` (answering them) when this request claims the token, else
    the first request's reservation id with instances None."""
    project_id = context.project_id
    if db.ec2_client_token_claim(context, project_id, client_token, request_hash):
        try:
            reservation_id, instances = create()
        except BaseException:
            db.ec2_client_token_release(context, project_id, client_token)
            raise
        db.ec2_client_token_set(context, project_id, client_token, reservation_id)
        return reservation_id, instances
    for _ in range(int(TOKEN_WAIT_SECONDS / _POLL)):
        try:
            claim = db.ec2_client_token_get(context, project_id, client_token)
        except exception.NotFound:  # the first request failed: this one runs
            return run_once(context, client_token, request_hash, create)
        if claim.request_hash != request_hash:
            raise exception.ClientTokenMismatch(client_token=client_token)
        if claim.reservation_id:
            return claim.reservation_id, None
        eventlet.sleep(_POLL)
    raise exception.Conflict(reason='the request with client token %s is still in '
                                    'progress' % client_token)
