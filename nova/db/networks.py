"""Networks and their fixed IPs, virtual interfaces, and an instance's network rows.

Allocation claims free fixed-IP rows with SELECT ... FOR UPDATE SKIP LOCKED
(PostgreSQL, MySQL) or inside SQLite's single writer, then writes the
virtual interfaces and the claimed rows: a fixed number of statements per
batch of instances, and two concurrent boots never get the same address.
"""
import ipaddress
import random
import types
import uuid as uuid_lib

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import bulk
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import quotas
from nova.db import session as db_session

__all__ = ['network_create_safe', 'network_get', 'network_get_by_id', 'network_get_all',
           'network_multi_host_flags',
           'network_update', 'network_delete_safe', 'network_set_host',
           'fixed_ips_allocate', 'fixed_ips_deallocate_by_instance', 'fixed_ip_get_by_address',
           'fixed_ip_get_all', 'fixed_ip_network_ids_by_instance', 'fixed_ip_update',
           'fixed_ip_set_leased', 'fixed_ip_disassociate_unleased', 'network_rows_by_instances',
           'address_rows_by_instances',
           'virtual_interface_get_by_instance', 'network_dhcp_hosts', 'network_associate',
           'fixed_ip_claim_for_host']

Network = models.Network
FixedIp = models.FixedIp
FloatingIp = models.FloatingIp
VirtualInterface = models.VirtualInterface

FIXED_IPS = 'fixed_ips'  # the quota resource
MAC_ATTEMPTS = 5  # a random MAC colliding with a live one is retried with a new one
DEVICE_OWNER = 'compute:nova'  # what owns the interfaces of instances


def lock_networks(session):
    """Serialize network creation where the engine allows (SQLite: one writer)."""
    if session.get_bind().dialect.name == 'postgresql':
        session.execute(sa.text('LOCK TABLE networks IN SHARE ROW EXCLUSIVE MODE'))


def _overlapping(cidr, others):
    net = ipaddress.ip_network(cidr)
    for other in others:
        if other and net.version == ipaddress.ip_network(other).version and \
                net.overlaps(ipaddress.ip_network(other)):
            return other
    return None


def network_create_safe(context, values, addresses, project_limit=None):
    """A network and its fixed IP rows ([(address, reserved)]) in one transaction.

    CidrConflict when its IPv4 or IPv6 range overlaps a live network's;
    NetworkExists when its segment (vlan) is taken; OverQuota when its project
    already has project_limit networks (with and without their subnets, counted
    under the same lock).
    """
    with db_session.writer() as session:
        lock_networks(session)
        if project_limit is not None and project_limit >= 0:
            used = network_count_by_project(session, values.get('project_id'))
            if used + 1 > project_limit:
                raise exception.OverQuota(overs=['networks'], req={'networks': 1},
                                          used={'networks': used},
                                          allowed={'networks': project_limit})
        return insert_network(session, values, addresses)


def network_count_by_project(session, project_id):
    """The project's networks, with and without (pending_networks) their subnet."""
    counts = [session.execute(sa.select(sa.func.count(model.id)).where(
        model.project_id == project_id, model.deleted == 0)).scalar()
        for model in (Network, models.PendingNetwork)]
    return sum(counts)


def insert_network(session, values, addresses):
    """Insert a network and its fixed IPs in the caller's transaction (which holds
    lock_networks): CidrConflict, NetworkExists as network_create_safe says."""
    network = Network(**values)
    live = session.execute(sa.select(Network.cidr, Network.cidr_v6, Network.vlan)
                           .where(Network.deleted == 0)).all()
    for mine, column in ((network.cidr, 0), (network.cidr_v6, 1)):
        other = mine and _overlapping(mine, [row[column] for row in live])
        if other:
            raise exception.CidrConflict(cidr=mine, other=other)
    if network.vlan is not None and network.vlan in {row[2] for row in live}:
        raise exception.NetworkExists(reason='segment %s is in use' % network.vlan)
    with errors.duplicate_raises(lambda: exception.NetworkExists(
            reason='with cidr %s or segment %s exists' % (values.get('cidr'),
                                                           values.get('vlan')))):
        session.add(network)
        session.flush()
    now = utils.utcnow()
    bulk.insert_values(session, FixedIp, [
        {'address': address, 'network_id': network.id, 'reserved': reserved,
         'allocated': False, 'leased': False, 'created_at': now, 'deleted': 0}
        for address, reserved in addresses])
    return network


def _network_query(context, criteria):
    return query.model_query(context, Network).where(*criteria)


def network_get(context, network_uuid):
    with db_session.reader() as session:
        return query.first(session, _network_query(context, [Network.uuid == network_uuid]),
                           lambda: exception.NetworkNotFound(network_id=network_uuid))


def network_get_by_id(context, network_id):
    with db_session.reader() as session:
        return query.first(session, _network_query(context, [Network.id == network_id]),
                           lambda: exception.NetworkNotFound(network_id=network_id))


def network_get_all(context, project_id=None, shared=True, host=None, uuids=None):
    """Live networks by id; with project_id only that project's (and, when shared,
    those of no project); host: those served by that network host (or multi_host)."""
    criteria = []
    if project_id is not None:
        mine = Network.project_id == project_id
        criteria.append(sa.or_(mine, Network.project_id.is_(None)) if shared else mine)
    if host is not None:
        criteria.append(sa.or_(Network.host == host, Network.multi_host.is_(True)))
    if uuids is not None:
        criteria.append(Network.uuid.in_(list(uuids)))
    with db_session.reader() as session:
        return list(session.scalars(_network_query(context, criteria).order_by(
            Network.priority, Network.id)))


# built once: a host asks before every batch it builds
_MULTI_HOST = sa.select(Network.multi_host).where(Network.deleted == 0).order_by(Network.id)


def network_multi_host_flags(context):
    """multi_host of each live network: whether there are networks at all and where
    nova-network serves them, which is all a host needs to know before asking for a
    batch's addresses (the networks' rows, an ORM load per batch, cost more)."""
    with db_session.connection() as conn:
        return [bool(flag) for flag in conn.execute(_MULTI_HOST).scalars()]


def network_update(context, network_uuid, values):
    with errors.duplicate_raises(lambda: exception.NetworkExists(
            reason='segment %s is in use' % values.get('vlan'))):
        with db_session.writer() as session:
            network = query.first(
                session, _network_query(context, [Network.uuid == network_uuid]),
                lambda: exception.NetworkNotFound(network_id=network_uuid))
            network.update(values)
            session.flush()
    return network


def network_set_host(context, network_id, host):
    """Make host the network's host unless another took it first; the host it has."""
    stmt = (sa.update(Network).where(Network.id == network_id, Network.deleted == 0,
                                     Network.host.is_(None))
            .values(host=host, updated_at=utils.utcnow())
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        session.execute(stmt)
        found = session.execute(sa.select(Network.host).where(
            Network.id == network_id, Network.deleted == 0)).first()
    if found is None:
        raise exception.NetworkNotFound(network_id=network_id)
    return found[0]


def network_associate(context, project_id):
    """Give the project the first network of no project (one conditional UPDATE, so
    two projects never get the same one); the network. NoNetworksFound when none
    is free."""
    free = (sa.select(Network.id).where(Network.deleted == 0, Network.project_id.is_(None))
            .order_by(Network.id).limit(1).with_for_update(skip_locked=True))
    with db_session.writer() as session:
        network_id = session.scalars(free).first()
        if network_id is None:
            raise exception.NoNetworksFound(project_id=project_id)
        session.execute(sa.update(Network).where(Network.id == network_id)
                        .values(project_id=project_id, updated_at=utils.utcnow())
                        .execution_options(synchronize_session=False))
        return session.scalars(sa.select(Network).where(Network.id == network_id)).one()


def network_delete_safe(context, network_uuid):
    """Soft-delete a network and its fixed IPs unless an instance or a port still
    holds one."""
    with db_session.writer() as session:
        return delete_network(session, context, network_uuid)


def delete_network(session, context, network_uuid):
    """network_delete_safe in the caller's transaction."""
    network = query.first(session, _network_query(context, [Network.uuid == network_uuid])
                          .with_for_update(),
                          lambda: exception.NetworkNotFound(network_id=network_uuid))
    used = session.execute(sa.select(sa.func.count(FixedIp.id)).where(
        FixedIp.network_id == network.id, FixedIp.deleted == 0,
        sa.or_(FixedIp.instance_uuid.is_not(None),
               FixedIp.virtual_interface_id.is_not(None)))).scalar()
    if used:
        raise exception.NetworkInUse(network_id=network_uuid,
                                     reason='%d fixed IP(s) are allocated' % used)
    session.execute(query.soft_delete(FixedIp, FixedIp.network_id == network.id))
    session.execute(query.soft_delete(Network, Network.id == network.id))
    return network


# ------------------------------------------------------------------ fixed IPs

def random_mac(prefix):
    """A locally administered MAC: prefix (3 octets) + 3 random octets."""
    return '%s:%02x:%02x:%02x' % (prefix, random.randint(0, 0x7f), random.randint(0, 0xff),
                                  random.randint(0, 0xff))


def claim_requested(session, network_id, wanted):
    """{address: row id} for addresses a caller asked for by name, locked."""
    rows = session.execute(sa.select(FixedIp.id, FixedIp.address, FixedIp.instance_uuid,
                                     FixedIp.reserved, FixedIp.virtual_interface_id)
                           .where(FixedIp.network_id == network_id, FixedIp.deleted == 0,
                                  FixedIp.address.in_(wanted))
                           .order_by(FixedIp.id).with_for_update()).all()
    found = {row.address: row for row in rows}
    for address in wanted:
        row = found.get(address)
        if row is None:
            raise exception.FixedIpInvalid(address=address, reason='not in the network')
        if row.instance_uuid is not None:
            raise exception.FixedIpAlreadyInUse(address=address,
                                                instance_uuid=row.instance_uuid)
        if row.reserved:
            raise exception.FixedIpAlreadyInUse(address=address, instance_uuid='(reserved)')
        if row.virtual_interface_id is not None:  # a port holds it
            raise exception.FixedIpAlreadyInUse(address=address, instance_uuid='(a port)')
    return {address: found[address].id for address in wanted}


def claim_free(session, network_id, count, label):
    """[(row id, address)] of count free rows of a network, locked (skipping rows
    a concurrent transaction holds); NoMoreFixedIps when there are fewer, also
    after waiting for the rows others hold (they may roll back)."""
    free = (sa.select(FixedIp.id, FixedIp.address)
            .where(FixedIp.network_id == network_id, FixedIp.deleted == 0,
                   FixedIp.instance_uuid.is_(None), FixedIp.reserved.is_(False),
                   FixedIp.virtual_interface_id.is_(None))
            .order_by(FixedIp.id).limit(count))
    rows = query.claim_skip_locked(
        lambda: session.execute(free.with_for_update(skip_locked=True)).all(),
        lambda: len(session.execute(free).all()) >= count,
        enough=lambda found: len(found) >= count)
    if len(rows) < count:
        raise exception.NoMoreFixedIps(net=label)
    return [tuple(row) for row in rows]


def fixed_ips_allocate(context, requests, host=None, mac_prefix='fa:16:3e', limits=None):
    """Give each request a virtual interface and a fixed IP, all or nothing.

    requests: [{'instance_uuid', 'project_id', 'network_id', 'label', 'address'
    (optional)}], or {'instance_uuid', 'project_id', 'port_id'} to bind an unbound
    port (its interface and fixed IP become the instance's). Each project's
    fixed_ips usage grows by its addresses (bound ports' too), within limits
    ({project_id: limit}; none or -1: unlimited), else OverQuota. Returns [(vif
    uuid, MAC, address)] in request order. NoMoreFixedIps names the exhausted
    network; a named address that is taken is FixedIpAlreadyInUse, a port that
    is bound PortInUse.
    """
    for attempt in range(MAC_ATTEMPTS):
        try:
            with db_session.writer() as session:
                _count_fixed_ips(session, requests, limits or {})
                return _allocate(session, requests, host, mac_prefix)
        except sa.exc.IntegrityError as error:
            if not errors.is_duplicate(error) or attempt == MAC_ATTEMPTS - 1:
                raise
    raise AssertionError('unreachable')


def _count_fixed_ips(session, requests, limits):
    per_project = {}
    for request in requests:
        if request.get('project_id'):
            per_project[request['project_id']] = per_project.get(request['project_id'], 0) + 1
    for project_id, count in sorted(per_project.items()):
        quotas.apply_deltas(session, project_id, None, {FIXED_IPS: count},
                            {FIXED_IPS: limits.get(project_id, -1)})


def _allocate(session, all_requests, host, mac_prefix):
    bound = _bind_ports(session, [r for r in all_requests if r.get('port_id')], host)
    requests = [r for r in all_requests if not r.get('port_id')]
    by_network = {}
    for index, request in enumerate(requests):
        by_network.setdefault(request['network_id'], []).append(index)
    row_ids, addresses = [None] * len(requests), [None] * len(requests)
    for network_id in sorted(by_network):  # a fixed order: no deadlock between batches
        indexes = by_network[network_id]
        named = [i for i in indexes if requests[i].get('address')]
        if named:
            claimed = claim_requested(session, network_id,
                                      [requests[i]['address'] for i in named])
            for i in named:
                addresses[i] = requests[i]['address']
                row_ids[i] = claimed[addresses[i]]
        anonymous = [i for i in indexes if not requests[i].get('address')]
        if anonymous:
            rows = claim_free(session, network_id, len(anonymous),
                              requests[anonymous[0]].get('label') or network_id)
            for i, (row_id, address) in zip(anonymous, rows):
                row_ids[i], addresses[i] = row_id, address
    now = utils.utcnow()
    vifs = [{'uuid': str(uuid_lib.uuid4()), 'address': random_mac(mac_prefix),
             'instance_uuid': request['instance_uuid'], 'network_id': request['network_id'],
             'project_id': request.get('project_id'), 'device_owner': DEVICE_OWNER,
             'created_at': now, 'deleted': 0}
            for request in requests]
    made = iter([])
    if vifs:
        inserted = {row.uuid: row.id for row in bulk.insert_rows(session, VirtualInterface,
                                                                 vifs)}
        session.execute(sa.update(FixedIp), [
            {'id': row_ids[i], 'instance_uuid': request['instance_uuid'],
             'virtual_interface_id': inserted[vifs[i]['uuid']], 'allocated': True,
             'leased': False, 'host': host, 'updated_at': now}
            for i, request in enumerate(requests)])
        made = iter([(vif['uuid'], vif['address'], address)
                      for vif, address in zip(vifs, addresses)])
    return [bound[r['port_id']] if r.get('port_id') else next(made) for r in all_requests]


def _bind_ports(session, requests, host):
    """{port uuid: (vif uuid, MAC, address)} of unbound ports now the instances'."""
    if not requests:
        return {}
    wanted = {r['port_id']: r['instance_uuid'] for r in requests}
    vifs = {vif.uuid: vif for vif in session.scalars(
        sa.select(VirtualInterface).where(VirtualInterface.uuid.in_(sorted(wanted)),
                                          VirtualInterface.deleted == 0)
        .order_by(VirtualInterface.id).with_for_update())}
    now = utils.utcnow()
    bound = {}
    for port_uuid, instance_uuid in wanted.items():
        vif = vifs.get(port_uuid)
        if vif is None:
            raise exception.PortNotFound(port_id=port_uuid)
        if vif.instance_uuid is not None:
            raise exception.PortInUse(port_id=port_uuid, instance_uuid=vif.instance_uuid)
        vif.instance_uuid, vif.device_owner = instance_uuid, DEVICE_OWNER
        address = session.scalars(sa.select(FixedIp.address).where(
            FixedIp.virtual_interface_id == vif.id, FixedIp.deleted == 0)
            .order_by(FixedIp.id)).first()
        session.execute(sa.update(FixedIp).where(FixedIp.virtual_interface_id == vif.id,
                                                 FixedIp.deleted == 0)
                        .values(instance_uuid=instance_uuid, allocated=True, leased=False,
                                host=host, updated_at=now)
                        .execution_options(synchronize_session=False))
        bound[port_uuid] = (vif.uuid, vif.address, address)
    session.flush()
    return bound


def fixed_ips_deallocate_by_instance(context, instance_uuid, keep_leased=False,
                                     port_uuid=None):
    """Free an instance's fixed IPs and drop its virtual interfaces (only the one
    of port_uuid when given); disassociate the floating IPs on them (and release
    the auto-assigned ones), in one transaction. A port a user made
    (preserve_on_delete) is unbound instead: it keeps its fixed IP for the next.

    keep_leased: a fixed IP a DHCP lease still holds stays the instance's,
    unallocated, until the lease is released (fixed_ip_set_leased) or expires.
    Returns {'fixed': [(address, network_id)], 'floating': [floating rows as dicts
    before the change]} so that the network hosts can unconfigure them.
    """
    now = utils.utcnow()
    with db_session.writer() as session:
        vifs = session.execute(sa.select(VirtualInterface.id, VirtualInterface.uuid,
                                         VirtualInterface.preserve_on_delete)
                               .where(VirtualInterface.instance_uuid == instance_uuid,
                                      VirtualInterface.deleted == 0)
                               .with_for_update()).all()
        if port_uuid is not None:
            vifs = [v for v in vifs if v.uuid == port_uuid]
            if not vifs:
                raise exception.PortNotFound(port_id=port_uuid)
        kept = {v.id for v in vifs if v.preserve_on_delete}
        criteria = [FixedIp.instance_uuid == instance_uuid, FixedIp.deleted == 0]
        if port_uuid is not None:
            criteria.append(FixedIp.virtual_interface_id.in_([v.id for v in vifs]))
        fixed = session.execute(sa.select(FixedIp.id, FixedIp.address, FixedIp.network_id,
                                          FixedIp.leased, FixedIp.allocated,
                                          FixedIp.virtual_interface_id)
                                .where(*criteria).with_for_update()).all()
        given_up = sum(1 for f in fixed if f.allocated)
        if given_up:
            project_id = session.scalars(sa.select(models.Instance.project_id).where(
                models.Instance.uuid == instance_uuid)).first()
            if project_id:
                quotas.apply_deltas(session, project_id, None, {FIXED_IPS: -given_up}, {})
        floating = []
        if fixed:
            floating = [row.to_dict() for row in session.scalars(
                sa.select(FloatingIp).where(FloatingIp.fixed_ip_id.in_([f.id for f in fixed]),
                                            FloatingIp.deleted == 0).with_for_update())]
            _release_floating(session, floating, now)
        ported = [f.id for f in fixed if f.virtual_interface_id in kept]
        held = [f.id for f in fixed if keep_leased and f.leased and f.id not in ported]
        freed = [f.id for f in fixed if f.id not in held and f.id not in ported]
        if ported:  # the port keeps its address, unbound
            session.execute(sa.update(FixedIp).where(FixedIp.id.in_(ported)).values(
                instance_uuid=None, allocated=False, leased=False, host=None, updated_at=now)
                .execution_options(synchronize_session=False))
        if held:
            session.execute(sa.update(FixedIp).where(FixedIp.id.in_(held)).values(
                allocated=False, virtual_interface_id=None, updated_at=now)
                .execution_options(synchronize_session=False))
        if freed:
            session.execute(sa.update(FixedIp).where(FixedIp.id.in_(freed)).values(
                dict(FREE, updated_at=now)).execution_options(synchronize_session=False))
        if kept:
            session.execute(sa.update(VirtualInterface).where(VirtualInterface.id.in_(kept))
                            .values(instance_uuid=None, updated_at=now)
                            .execution_options(synchronize_session=False))
        dropped = [v.id for v in vifs if v.id not in kept]
        if dropped:
            session.execute(query.soft_delete(VirtualInterface,
                                              VirtualInterface.id.in_(dropped)))
    return {'fixed': [(f.address, f.network_id) for f in fixed], 'floating': floating}


FREE = {'instance_uuid': None, 'virtual_interface_id': None, 'allocated': False,
         'leased': False, 'host': None}


def _release_floating(session, floating, now):
    """Disassociate floating rows (dicts); auto-assigned ones go back to their pool."""
    if not floating:
        return {}
    session.execute(sa.update(FloatingIp).where(FloatingIp.id.in_([f['id'] for f in floating]))
                    .values(fixed_ip_id=None, host=None, updated_at=now)
                    .execution_options(synchronize_session=False))
    auto = [f for f in floating if f['auto_assigned']]
    if auto:  # never counted in the project's quota usage
        session.execute(sa.update(FloatingIp).where(FloatingIp.id.in_([f['id'] for f in auto]))
                        .values(project_id=None, auto_assigned=False, uuid=None, description='')
                        .execution_options(synchronize_session=False))


def fixed_ip_get_by_address(context, address):
    with db_session.reader() as session:
        return query.first(session, query.model_query(context, FixedIp)
                           .where(FixedIp.address == address),
                           lambda: exception.FixedIpNotFoundForAddress(address=address))


def fixed_ip_get_all(context, network_id=None, instance_uuids=None, allocated_only=False):
    """Live fixed IPs (of a network, of instances), by id."""
    criteria = []
    if network_id is not None:
        criteria.append(FixedIp.network_id == network_id)
    if instance_uuids is not None:
        criteria.append(FixedIp.instance_uuid.in_(list(instance_uuids)))
    if allocated_only:
        criteria.append(FixedIp.instance_uuid.is_not(None))
    with db_session.reader() as session:
        return list(session.scalars(query.model_query(context, FixedIp).where(*criteria)
                                    .order_by(FixedIp.id)))


# built once: every delete asks it
_HELD_NETWORKS = (sa.select(FixedIp.network_id)
                  .where(FixedIp.instance_uuid == sa.bindparam('b_uuid', type_=sa.String),
                         FixedIp.deleted == 0)
                  .distinct().order_by(FixedIp.network_id))


def fixed_ip_network_ids_by_instance(context, instance_uuid):
    """The ids of the networks an instance holds live fixed IPs of, sorted."""
    with db_session.connection(one_statement=True) as conn:
        return list(conn.execute(_HELD_NETWORKS, {'b_uuid': instance_uuid}).scalars())


def fixed_ip_update(context, address, values, expected=None):
    """Change a live fixed IP's columns when its columns are as expected
    ({column: value}); returns the row. FixedIpNotReservable names what differs."""
    criteria = [FixedIp.address == address, FixedIp.deleted == 0]
    for column, value in (expected or {}).items():
        attr = getattr(FixedIp, column)
        criteria.append(attr.is_(None) if value is None else attr == value)
    stmt = (sa.update(FixedIp).where(*criteria).values(dict(values, updated_at=utils.utcnow()))
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        changed = session.execute(stmt).rowcount
        row = session.scalars(sa.select(FixedIp).where(FixedIp.address == address,
                                                       FixedIp.deleted == 0)).first()
    if row is None:
        raise exception.FixedIpNotFoundForAddress(address=address)
    if not changed:
        holder = row.instance_uuid or ('reserved' if row.reserved else 'free')
        raise exception.FixedIpNotReservable(address=address, action='changed',
                                             reason='it is %s' % holder)
    return row


def fixed_ip_set_leased(context, address, mac, leased):
    """What the DHCP server said about address for MAC: a lease (leased=True) or a
    release, which frees an address its instance already gave up. Returns the
    row, or None when the address is unknown or the MAC is not its interface's
    (a stale event for an address given to another instance since)."""
    now = utils.utcnow()
    with db_session.writer() as session:
        row = session.execute(
            sa.select(FixedIp.id, FixedIp.allocated, FixedIp.instance_uuid,
                      VirtualInterface.address.label('mac'))
            .outerjoin(VirtualInterface, sa.and_(
                VirtualInterface.id == FixedIp.virtual_interface_id,
                VirtualInterface.deleted == 0))
            .where(FixedIp.address == address, FixedIp.deleted == 0)
            .with_for_update(of=FixedIp)).first()
        if row is None or row.instance_uuid is None:
            return None
        if row.allocated and row.mac and row.mac.lower() != (mac or '').lower():
            return None
        values = {'leased': leased, 'updated_at': now}
        if not leased and not row.allocated:
            values = dict(FREE, updated_at=now)
        session.execute(sa.update(FixedIp).where(FixedIp.id == row.id).values(values)
                        .execution_options(synchronize_session=False))
        return session.scalars(sa.select(FixedIp).where(FixedIp.id == row.id)).one()


def fixed_ip_disassociate_unleased(context, network_ids, older_than):
    """Free the fixed IPs of these networks that their instance gave up before
    older_than and whose lease never came back released (it expired). How many."""
    stmt = (sa.update(FixedIp).where(FixedIp.network_id.in_(list(network_ids)),
                                     FixedIp.deleted == 0, FixedIp.allocated.is_(False),
                                     FixedIp.instance_uuid.is_not(None),
                                     FixedIp.updated_at < older_than)
            .values(dict(FREE, updated_at=utils.utcnow()))
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        return session.execute(stmt).rowcount


def virtual_interface_get_by_instance(context, instance_uuid):
    with db_session.reader() as session:
        return list(session.scalars(query.model_query(context, VirtualInterface).where(
            VirtualInterface.instance_uuid == instance_uuid).order_by(VirtualInterface.id)))


def fixed_ip_claim_for_host(context, network_id, host):
    """The address a host has in a multi_host network (its instances' gateway and
    DHCP server): a reserved row marked with the host, claimed on first use."""
    mine = sa.select(FixedIp.address).where(
        FixedIp.network_id == network_id, FixedIp.deleted == 0, FixedIp.reserved.is_(True),
        FixedIp.host == host, FixedIp.instance_uuid.is_(None))
    with db_session.writer() as session:
        address = session.scalars(mine.limit(1)).first()
        if address:
            return address
        [(row_id, address)] = claim_free(session, network_id, 1, 'network %s' % network_id)
        session.execute(sa.update(FixedIp).where(FixedIp.id == row_id)
                        .values(reserved=True, host=host, updated_at=utils.utcnow())
                        .execution_options(synchronize_session=False))
        return address


def network_dhcp_hosts(context, network_id, leased_only=False, host=None):
    """[(MAC, hostname, address)] of the network's fixed IPs that instances hold
    through a live interface (only those with a lease when leased_only, only those
    of instances on host when given): what its DHCP server hands out. One SELECT."""
    stmt = (sa.select(VirtualInterface.address, models.Instance.hostname, FixedIp.address)
            .join(VirtualInterface, sa.and_(
                VirtualInterface.id == FixedIp.virtual_interface_id,
                VirtualInterface.deleted == 0))
            .outerjoin(models.Instance, models.Instance.uuid == FixedIp.instance_uuid)
            .where(FixedIp.network_id == network_id, FixedIp.deleted == 0,
                   FixedIp.allocated.is_(True))
            .order_by(FixedIp.id))
    if leased_only:
        stmt = stmt.where(FixedIp.leased.is_(True))
    if host is not None:
        stmt = stmt.where(FixedIp.host == host)
    with db_session.reader() as session:
        return [(mac, hostname or 'host-%s' % address.replace('.', '-'), address)
                for mac, hostname, address in session.execute(stmt)]


# --------------------------------------------------- what network_info is built from

def _interface_rows(*columns):
    """A SELECT of columns over the live interfaces of the instances bound as :uuids,
    joined to their network and live fixed and floating IPs, in interface, fixed and
    floating order: built once per statement, the uuids bound at execution."""
    return (sa.select(*columns)
            .join(Network, Network.id == VirtualInterface.network_id)
            .outerjoin(FixedIp, sa.and_(FixedIp.virtual_interface_id == VirtualInterface.id,
                                        FixedIp.deleted == 0))
            .outerjoin(FloatingIp, sa.and_(FloatingIp.fixed_ip_id == FixedIp.id,
                                           FloatingIp.deleted == 0))
            .where(query.AnyOf(VirtualInterface.instance_uuid, 'uuids'),
                   VirtualInterface.deleted == 0)
            .order_by(VirtualInterface.id, FixedIp.id, FloatingIp.id))


# the interfaces of many instances with their addresses and their network's columns
# (prefixed network__), as plain rows (a list of 1,000 servers built 1,000 ORM objects
# for them); built once, the uuids bound at execution
_NETWORK_COLUMNS = tuple(Network.__table__.c.keys())
_NETWORK_ROWS = _interface_rows(
    VirtualInterface.id, VirtualInterface.uuid, VirtualInterface.address,
    VirtualInterface.instance_uuid, VirtualInterface.network_id,
    FixedIp.address.label('fixed_address'), FloatingIp.address.label('floating_address'),
    *(column.label('network__' + column.key) for column in Network.__table__.c))


def network_rows_by_instances(context, instance_uuids):
    """{instance uuid: [(vif, network, [fixed address], {fixed: [floating]})]} of live
    instances' interfaces (vif: a row with id, uuid, address, instance_uuid,
    network_id; network: the networks row's values as attributes), in one SELECT
    whatever the number of instances."""
    uuids = list(instance_uuids)
    result = {u: [] for u in uuids}
    if not uuids:
        return result
    with db_session.reader() as session:
        rows = session.connection().execute(_NETWORK_ROWS, {'uuids': uuids}).all()
    networks = {}  # network id -> its values, read once from the first row naming it
    entries = {}  # vif id -> (vif, network, [fixed], {fixed: [floating]})
    for vif in rows:
        address, floating_address = vif.fixed_address, vif.floating_address
        entry = entries.get(vif.id)
        if entry is None:
            network = networks.get(vif.network_id)
            if network is None:
                mapping = vif._mapping
                network = networks[vif.network_id] = types.SimpleNamespace(**{
                    name: mapping['network__' + name] for name in _NETWORK_COLUMNS})
            entry = entries[vif.id] = (vif, network, [], {})
            result[vif.instance_uuid].append(entry)
        if address and address not in entry[3]:
            entry[2].append(address)
            entry[3][address] = []
        if floating_address:
            entry[3][address].append(floating_address)
    return result


# what the server views show of the interfaces: 6 columns where network_info reads the
# network's 30 per interface (a page of 1,000 servers decoded 30,000 values for it)
_ADDRESS_ROWS = _interface_rows(
    VirtualInterface.instance_uuid, VirtualInterface.id, Network.label,
    VirtualInterface.address, Network.cidr_v6.is_not(None), FixedIp.address,
    FloatingIp.address)


def address_rows_by_instances(context, instance_uuids):
    """{instance uuid: [(interface id, network label, mac, whether the network has an
    IPv6 range, fixed address or None, floating address or None)]} of live
    instances' interfaces, in interface, fixed and floating order (the rows
    nova.network.model.addresses_from_rows renders), in one SELECT."""
    uuids = list(instance_uuids)
    result = {u: [] for u in uuids}
    if uuids:
        with db_session.reader() as session:
            rows = session.connection().execute(_ADDRESS_ROWS, {'uuids': uuids}).all()
        for instance_uuid, *row in rows:  # .all(): one fetchall, not a fetchone per row
            result[instance_uuid].append(row)
    return result
