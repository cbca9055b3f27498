"""EC2 ids: one per resource, made once even when requests race, read back in 8
or 17 hex digits, and the errors of malformed and unknown ids."""
import uuid

import pytest

from nova import context as nova_context
from nova import exception
from nova.api.ec2 import faults, ids
from nova.compute import ec2 as ec2_api
from nova.db import api as db
from nova.db import ec2 as ec2_db
from tests.unit.db.conftest import ctx, db_ctx, empty_db, synced_db  # noqa: F401


def test_ids_are_made_once_and_read_back(db_ctx):  # noqa: F811 -- the imported fixture
    uuids = [str(uuid.uuid4()) for _ in range(3)]
    first = ids.ec2_ids(db_ctx, 'i', uuids)
    assert ids.ec2_ids(db_ctx, 'i', uuids + [None]) == first
    assert all(v.startswith('i-') and len(v) == 10 for v in first.values())
    assert len(set(first.values())) == 3
    for instance_uuid, ec2_id in first.items():
        assert ids.instance_uuid(db_ctx, ec2_id) == instance_uuid
        long_id = 'i-' + ec2_id[2:].rjust(17, '0')
        assert ids.instance_uuid(db_ctx, long_id) == instance_uuid


def test_kinds_do_not_mix(db_ctx):  # noqa: F811
    image = str(uuid.uuid4())
    ami = ids.ec2_id(db_ctx, 'ami', image)
    assert ids.ec2_id(db_ctx, 'aki', image) == 'aki-' + ami[4:]  # one mapping for images
    with pytest.raises(faults.Ec2Error) as raised:
        ids.instance_uuid(db_ctx, 'i-' + ami[4:])
    assert raised.value.code == 'InvalidInstanceID.NotFound'


@pytest.mark.parametrize('value, code', [
    ('i-xyz', 'InvalidInstanceID.Malformed'), ('ami-00000001', 'InvalidInstanceID.Malformed'),
    ('i-123456789', 'InvalidInstanceID.Malformed'), ('', 'InvalidInstanceID.Malformed'),
    ('i-7ffffff0', 'InvalidInstanceID.NotFound')])
def test_bad_instance_ids(db_ctx, value, code):  # noqa: F811
    with pytest.raises(faults.Ec2Error) as raised:
        ids.instance_uuid(db_ctx, value)
    assert raised.value.code == code


def test_a_race_for_the_same_ids_gives_both_the_same(db_ctx, monkeypatch):  # noqa: F811
    """Another request inserts some of the ids between our read and our insert."""
    uuids = [str(uuid.uuid4()) for _ in range(4)]
    real_ids = ec2_db._ids
    raced = {}

    def read_then_race(session, kind, wanted):
        found = real_ids(session, kind, wanted)
        if not raced:
            raced['running'] = True
            monkeypatch.setattr(ec2_db, '_ids', real_ids)  # the other request reads fairly
            raced.update(db.ec2_id_get_or_create_many(db_ctx, kind, uuids[:2]))
            monkeypatch.setattr(ec2_db, '_ids', read_then_race)
            del raced['running']
        return found
    monkeypatch.setattr(ec2_db, '_ids', read_then_race)
    made = db.ec2_id_get_or_create_many(db_ctx, 'i', uuids)
    assert {u: made[u] for u in uuids[:2]} == raced
    assert sorted(made) == sorted(uuids) and len(set(made.values())) == 4


def test_client_tokens(db_ctx):  # noqa: F811
    assert db.ec2_client_token_claim(db_ctx, 'p', 'tok', 'hash')
    assert not db.ec2_client_token_claim(db_ctx, 'p', 'tok', 'hash')
    assert db.ec2_client_token_claim(db_ctx, 'other-project', 'tok', 'hash')
    db.ec2_client_token_release(db_ctx, 'p', 'tok')  # the first request failed
    assert db.ec2_client_token_claim(db_ctx, 'p', 'tok', 'hash2')
    db.ec2_client_token_set(db_ctx, 'p', 'tok', 'r-1')
    db.ec2_client_token_release(db_ctx, 'p', 'tok')  # a finished claim stays
    row = db.ec2_client_token_get(db_ctx, 'p', 'tok')
    assert (row.request_hash, row.reservation_id) == ('hash2', 'r-1')


def test_run_once_runs_a_token_once_a_failed_one_again(db_ctx, monkeypatch):  # noqa: F811
    project = nova_context.RequestContext(user_id='u', project_id='p1', overwrite=False)
    runs = []

    def create(fail=False):
        runs.append(fail)
        if fail:
            raise RuntimeError('the first request failed')
        return 'r-%d' % len(runs), ['instance']

    with pytest.raises(RuntimeError):
        ec2_api.run_once(project, 'tok', 'h', lambda: create(fail=True))
    assert ec2_api.run_once(project, 'tok', 'h', create) == ('r-2', ['instance'])
    assert ec2_api.run_once(project, 'tok', 'h', create) == ('r-2', None)  # not run again
    assert len(runs) == 2
    with pytest.raises(exception.ClientTokenMismatch):
        ec2_api.run_once(project, 'tok', 'other parameters', create)
    db.ec2_client_token_claim(db_ctx, 'p1', 'busy', 'h')  # a first request still running
    monkeypatch.setattr(ec2_api, 'TOKEN_WAIT_SECONDS', 0.2)
    with pytest.raises(exception.Conflict):
        ec2_api.run_once(project, 'busy', 'h', create)
    assert len(runs) == 2
