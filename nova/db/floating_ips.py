"""Floating IPs: pools of public addresses, allocated to projects, NATed to fixed IPs.

Allocation claims a free row with FOR UPDATE SKIP LOCKED and counts it in the
project's floating_ips quota usage in the same transaction, so concurrent
requests neither share an address nor exceed the quota. Addresses
auto-assigned to instances at boot (--auto_assign_floating_ip) are part of
their instance, as in classic Nova: not counted, and released with it. Association is a
conditional UPDATE: of two concurrent associations of one address, one wins.
"""
import uuid as uuid_lib

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

__all__ = ['floating_ip_bulk_create', 'floating_ip_bulk_destroy', 'floating_ip_allocate',
           'floating_ip_deallocate', 'floating_ip_associate', 'floating_ip_disassociate',
           'floating_ip_get_by_address', 'floating_ip_get_all', 'floating_ip_pools',
           'floating_ip_get_by_host', 'floating_ip_update']

FloatingIp = models.FloatingIp
FixedIp = models.FixedIp
RESOURCE = 'floating_ips'


def _live():
    return [FloatingIp.deleted == 0]


def floating_ip_bulk_create(context, rows):
    """Add addresses ([{'address', 'pool', 'interface'}]); FloatingIpExists if one is."""
    now = utils.utcnow()
    values = [dict(row, created_at=now, deleted=0, auto_assigned=False) for row in rows]
    with db_session.writer() as session:
        taken = session.scalars(sa.select(FloatingIp.address).where(
            FloatingIp.address.in_([r['address'] for r in values]), *_live()).limit(1)).first()
        if taken:
            raise exception.FloatingIpExists(address=taken)
        with errors.duplicate_raises(lambda: exception.FloatingIpExists(
                address=', '.join(r['address'] for r in values[:3]))):
            session.execute(sa.insert(FloatingIp), values)
    return len(values)


def floating_ip_bulk_destroy(context, addresses):
    """Delete addresses that no instance uses; their projects' usage goes down.
    FloatingIpAssociated when one is associated. How many were deleted."""
    with db_session.writer() as session:
        rows = session.execute(sa.select(FloatingIp.id, FloatingIp.address,
                                         FloatingIp.project_id, FloatingIp.fixed_ip_id,
                                         FloatingIp.auto_assigned)
                               .where(FloatingIp.address.in_(list(addresses)), *_live())
                               .with_for_update()).all()
        for row in rows:
            if row.fixed_ip_id is not None:
                raise exception.FloatingIpAssociated(address=row.address, fixed=row.fixed_ip_id)
        owners = {}
        for row in rows:
            if row.project_id and not row.auto_assigned:
                owners[row.project_id] = owners.get(row.project_id, 0) + 1
        for project_id, count in sorted(owners.items()):
            quotas.apply_deltas(session, project_id, None, {RESOURCE: -count}, {})
        if rows:
            session.execute(query.soft_delete(FloatingIp,
                                              FloatingIp.id.in_([r.id for r in rows])))
    return len(rows)


def floating_ip_allocate(context, project_id, pool, limit, auto_assigned=False,
                         fixed_address=None, host=None, description=''):
    """A free address of pool for the project, within its limit (-1: none); the row.
    An auto-assigned one is not counted and is associated with fixed_address
    (NATed by host) in the same transaction.

    FloatingIpPoolNotFound for an unknown pool, NoMoreFloatingIps when it is
    exhausted, OverQuota beyond the limit.
    """
    with db_session.writer() as session:
        free = (sa.select(FloatingIp).where(FloatingIp.pool == pool,
                                            FloatingIp.project_id.is_(None), *_live())
                .order_by(FloatingIp.id).limit(1))
        row = query.claim_skip_locked(
            lambda: session.scalars(free.with_for_update(skip_locked=True)).first(),
            lambda: session.scalars(free).first() is not None)
        if row is None:
            known = session.scalars(sa.select(FloatingIp.id).where(
                FloatingIp.pool == pool, *_live()).limit(1)).first()
            if known is None:
                raise exception.FloatingIpPoolNotFound(pool=pool)
            raise exception.NoMoreFloatingIps(pool=pool)
        if not auto_assigned:
            quotas.apply_deltas(session, project_id, None, {RESOURCE: 1}, {RESOURCE: limit})
        row.project_id, row.auto_assigned = project_id, auto_assigned
        row.uuid, row.description = str(uuid_lib.uuid4()), description or ''
        row.revision_number = sa.literal(0)  # a new allocation is a new resource
        if fixed_address is not None:
            _associate(session, row, fixed_address, host)
        session.flush()
    return row


def _owned(session, address, project_id):
    """The live row of address, locked; Forbidden when project_id (not None) is not
    its owner, FloatingIpNotFoundForAddress when there is none."""
    row = session.scalars(sa.select(FloatingIp).where(FloatingIp.address == address,
                                                      *_live()).with_for_update()).first()
    if row is None:
        raise exception.FloatingIpNotFoundForAddress(address=address)
    if row.project_id is None:
        raise exception.FloatingIpNotAllocated(address=address)
    if project_id is not None and row.project_id != project_id:
        raise exception.Forbidden(reason='floating IP %s belongs to another project'
                                  % address)
    return row


def floating_ip_deallocate(context, address, project_id=None):
    """Give an unassociated address back to its pool (project_id: only if its own)."""
    with db_session.writer() as session:
        row = _owned(session, address, project_id)
        if row.fixed_ip_id is not None:
            fixed = session.scalars(sa.select(FixedIp.address).where(
                FixedIp.id == row.fixed_ip_id)).first()
            raise exception.FloatingIpAssociated(address=address, fixed=fixed)
        if not row.auto_assigned:
            quotas.apply_deltas(session, row.project_id, None, {RESOURCE: -1}, {})
        row.project_id, row.auto_assigned, row.host = None, False, None
        row.uuid, row.description = None, ''
        session.flush()
    return row


def floating_ip_associate(context, address, fixed_address, host, project_id=None):
    """NAT address to an allocated fixed IP (served by host); returns (floating row,
    fixed row). FloatingIpAssociated if it already is associated (to any),
    FixedIpHasFloatingIp if the fixed IP has another one."""
    with db_session.writer() as session:
        row = _owned(session, address, project_id)
        if row.fixed_ip_id is not None:
            current = session.scalars(sa.select(FixedIp.address).where(
                FixedIp.id == row.fixed_ip_id)).first()
            raise exception.FloatingIpAssociated(address=address, fixed=current)
        fixed = _associate(session, row, fixed_address, host)
        session.flush()
    return row, fixed


def _associate(session, row, fixed_address, host):
    """NAT the floating row to an allocated fixed IP; the fixed row."""
    fixed = session.scalars(sa.select(FixedIp).where(
        FixedIp.address == fixed_address, FixedIp.deleted == 0,
        FixedIp.instance_uuid.is_not(None), FixedIp.allocated.is_(True))).first()
    if fixed is None:
        raise exception.FixedIpNotFoundForAddress(address=fixed_address)
    other = session.scalars(sa.select(FloatingIp.address).where(
        FloatingIp.fixed_ip_id == fixed.id, FloatingIp.id != row.id, *_live())).first()
    if other is not None:
        raise exception.FixedIpHasFloatingIp(address=fixed_address, floating=other)
    row.fixed_ip_id, row.host = fixed.id, host
    return fixed


def floating_ip_disassociate(context, address, project_id=None):
    """Stop NATing address; returns (floating row as it was, the fixed address)."""
    with db_session.writer() as session:
        row = _owned(session, address, project_id)
        if row.fixed_ip_id is None:
            raise exception.FloatingIpNotAssociated(address=address)
        before = row.to_dict()
        fixed = session.scalars(sa.select(FixedIp.address).where(
            FixedIp.id == row.fixed_ip_id)).first()
        row.fixed_ip_id, row.host = None, None
        session.flush()
    return before, fixed


def floating_ip_update(context, address, values):
    """Change a live floating IP's columns (its description, the host that NATs it);
    the row."""
    with db_session.writer() as session:
        row = query.first(session, sa.select(FloatingIp).where(
            FloatingIp.address == address, *_live()).with_for_update(),
            lambda: exception.FloatingIpNotFoundForAddress(address=address))
        row.update(values)
        session.flush()
    return row


def floating_ip_get_by_address(context, address):
    with db_session.reader() as session:
        return query.first(session, sa.select(FloatingIp).where(
            FloatingIp.address == address, *_live()),
            lambda: exception.FloatingIpNotFoundForAddress(address=address))


def floating_ip_get_all(context, project_id=None, pool=None, addresses=None):
    """Live floating IPs with the fixed address each is NATed to: [(row, fixed address
    or None, instance uuid or None)], by address order of creation."""
    stmt = (sa.select(FloatingIp, FixedIp.address, FixedIp.instance_uuid)
            .outerjoin(FixedIp, FixedIp.id == FloatingIp.fixed_ip_id).where(*_live()))
    if project_id is not None:
        stmt = stmt.where(FloatingIp.project_id == project_id)
    if pool is not None:
        stmt = stmt.where(FloatingIp.pool == pool)
    if addresses is not None:
        stmt = stmt.where(FloatingIp.address.in_(list(addresses)))
    with db_session.reader() as session:
        return [tuple(row) for row in session.execute(stmt.order_by(FloatingIp.id))]


def floating_ip_get_by_host(context, host):
    """[(floating address, fixed address, interface)] this network host NATs."""
    stmt = (sa.select(FloatingIp.address, FixedIp.address, FloatingIp.interface)
            .join(FixedIp, FixedIp.id == FloatingIp.fixed_ip_id)
            .where(FloatingIp.host == host, *_live()).order_by(FloatingIp.id))
    with db_session.reader() as session:
        return [tuple(row) for row in session.execute(stmt)]


def floating_ip_pools(context):
    """The names of the pools that have addresses, sorted."""
    with db_session.reader() as session:
        return sorted(session.scalars(sa.select(FloatingIp.pool).where(*_live()).distinct()))
