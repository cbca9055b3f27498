"""Ports (virtual interfaces seen through the network API), pending networks and
floating IPs with their ports.

A port a user makes holds its fixed IP before any instance does: the fixed IP
row points at the port's interface (virtual_interface_id) with no instance,
which allocation never takes. Binding a port to an instance (at boot or on
attach) is in nova.db.networks.fixed_ips_allocate; unbinding in its
deallocation. Quotas of networks and ports are counted under the lock that
serializes network creation, so concurrent requests cannot exceed them.
"""
import json
import uuid as uuid_lib

import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import models
from nova.db import networks as network_db
from nova.db import query
from nova.db import session as db_session

__all__ = ['port_get_all', 'port_create', 'port_update', 'port_destroy',
           'pending_network_create', 'pending_network_get_all', 'pending_network_update',
           'pending_network_destroy', 'network_create_from_pending',
           'network_to_pending', 'floating_ip_ports', 'network_api_usage',
           'floating_ip_addresses_by_pool']

Network = models.Network
PendingNetwork = models.PendingNetwork
FixedIp = models.FixedIp
FloatingIp = models.FloatingIp
VirtualInterface = models.VirtualInterface


def _over(resource, used, limit):
    return exception.OverQuota(overs=[resource], req={resource: 1}, used={resource: used},
                               allowed={resource: limit})


# ------------------------------------------------------------------ ports

def port_get_all(context, project_id=None, port_uuids=None, instance_uuids=None,
                 network_ids=None):
    """Live ports [(vif, network, [fixed address])] (of a project, ports, instances,
    networks), in order of creation. Two SELECTs."""
    stmt = (sa.select(VirtualInterface, Network)
            .join(Network, Network.id == VirtualInterface.network_id)
            .where(VirtualInterface.deleted == 0))
    if project_id is not None:
        stmt = stmt.where(VirtualInterface.project_id == project_id)
    if port_uuids is not None:
        stmt = stmt.where(VirtualInterface.uuid.in_(list(port_uuids)))
    if instance_uuids is not None:
        stmt = stmt.where(VirtualInterface.instance_uuid.in_(list(instance_uuids)))
    if network_ids is not None:
        stmt = stmt.where(VirtualInterface.network_id.in_(list(network_ids)))
    with db_session.reader() as session:
        rows = session.execute(stmt.order_by(VirtualInterface.id)).all()
        addresses = {}
        if rows:
            for vif_id, address in session.execute(
                    sa.select(FixedIp.virtual_interface_id, FixedIp.address)
                    .where(FixedIp.virtual_interface_id.in_([r[0].id for r in rows]),
                           FixedIp.deleted == 0).order_by(FixedIp.id)):
                addresses.setdefault(vif_id, []).append(address)
    return [(vif, network, addresses.get(vif.id, [])) for vif, network in rows]


def network_api_usage(context, project_id):
    """{'networks', 'subnets', 'ports'}: what the project has (networks with and
    without their subnet; subnets are the networks that have theirs)."""
    with db_session.reader() as session:
        networks = network_db.network_count_by_project(session, project_id)
        subnets = session.execute(sa.select(sa.func.count(Network.id)).where(
            Network.project_id == project_id, Network.deleted == 0)).scalar()
        return {'networks': networks, 'subnets': subnets,
                'ports': _port_count(session, project_id)}


def _port_count(session, project_id):
    return session.execute(sa.select(sa.func.count(VirtualInterface.id)).where(
        VirtualInterface.project_id == project_id, VirtualInterface.deleted == 0)).scalar()


def port_create(context, values, network_id, address=None, label=None, mac_prefix='fa:16:3e',
                limit=None):
    """An unbound port of a network holding a fixed IP: the named address (free,
    not reserved) or the first free one. values: project_id, name, description,
    device_owner, security_groups ([uuid]). Within the project's ports limit."""
    for attempt in range(network_db.MAC_ATTEMPTS):
        try:
            with db_session.writer() as session:
                network_db.lock_networks(session)
                if limit is not None and limit >= 0:
                    used = _port_count(session, values['project_id'])
                    if used + 1 > limit:
                        raise _over('ports', used, limit)
                if address:
                    row_id = network_db.claim_requested(session, network_id,
                                                        [address])[address]
                else:
                    row_id, address = network_db.claim_free(session, network_id, 1,
                                                             label or network_id)[0]
                vif = VirtualInterface(
                    uuid=str(uuid_lib.uuid4()), address=network_db.random_mac(mac_prefix),
                    instance_uuid=None, network_id=network_id, preserve_on_delete=True,
                    project_id=values['project_id'], name=values.get('name') or '',
                    description=values.get('description') or '',
                    device_owner=values.get('device_owner') or '',
                    security_groups=json.dumps(values.get('security_groups') or []))
                session.add(vif)
                session.flush()
                session.execute(sa.update(FixedIp).where(FixedIp.id == row_id).values(
                    virtual_interface_id=vif.id, updated_at=utils.utcnow())
                    .execution_options(synchronize_session=False))
                return vif, address
        except sa.exc.IntegrityError as error:
            if not errors.is_duplicate(error) or attempt == network_db.MAC_ATTEMPTS - 1:
                raise
    raise AssertionError('unreachable')


def _port(session, port_uuid):
    return query.first(session, sa.select(VirtualInterface).where(
        VirtualInterface.uuid == port_uuid, VirtualInterface.deleted == 0).with_for_update(),
        lambda: exception.PortNotFound(port_id=port_uuid))


def port_update(context, port_uuid, values):
    """Change a port's name, description or (unbound) security groups."""
    with db_session.writer() as session:
        vif = _port(session, port_uuid)
        if 'security_groups' in values:
            values = dict(values, security_groups=json.dumps(values['security_groups']))
        vif.update(values)
        session.flush()
    return vif


def port_destroy(context, port_uuid):
    """Delete an unbound port and free its fixed IPs (PortInUse while bound)."""
    with db_session.writer() as session:
        vif = _port(session, port_uuid)
        if vif.instance_uuid:
            raise exception.PortInUse(port_id=port_uuid, instance_uuid=vif.instance_uuid)
        session.execute(sa.update(FixedIp).where(FixedIp.virtual_interface_id == vif.id,
                                                 FixedIp.deleted == 0)
                        .values(dict(network_db.FREE, updated_at=utils.utcnow()))
                        .execution_options(synchronize_session=False))
        session.execute(query.soft_delete(VirtualInterface, VirtualInterface.id == vif.id))
    return vif


def floating_ip_ports(context, floating_ids):
    """{floating IP id: port uuid} of associated floating IPs (one SELECT)."""
    if not floating_ids:
        return {}
    stmt = (sa.select(FloatingIp.id, VirtualInterface.uuid)
            .join(FixedIp, FixedIp.id == FloatingIp.fixed_ip_id)
            .join(VirtualInterface, VirtualInterface.id == FixedIp.virtual_interface_id)
            .where(FloatingIp.id.in_(list(floating_ids))))
    with db_session.reader() as session:
        return dict(session.execute(stmt).all())


def floating_ip_addresses_by_pool(context):
    """{pool: [address]} of every live floating IP (two columns, one SELECT)."""
    pools = {}
    with db_session.reader() as session:
        for pool, address in session.execute(sa.select(FloatingIp.pool, FloatingIp.address)
                                             .where(FloatingIp.deleted == 0)
                                             .order_by(FloatingIp.id)):
            pools.setdefault(pool, []).append(address)
    return pools


# ------------------------------------------------------------------ pending networks

def pending_network_create(context, values, limit=None):
    """A network without its subnet yet, within the project's networks limit."""
    with db_session.writer() as session:
        network_db.lock_networks(session)
        if limit is not None and limit >= 0 and values.get('project_id'):
            used = network_db.network_count_by_project(session, values['project_id'])
            if used + 1 > limit:
                raise _over('networks', used, limit)
        row = PendingNetwork(**values)
        session.add(row)
        session.flush()
    return row


def pending_network_get_all(context, project_id=None, uuids=None):
    """Live pending networks (of a project and the shared ones; or these uuids)."""
    stmt = sa.select(PendingNetwork).where(PendingNetwork.deleted == 0)
    if project_id is not None:
        stmt = stmt.where(sa.or_(PendingNetwork.project_id == project_id,
                                 PendingNetwork.shared.is_(True)))
    if uuids is not None:
        stmt = stmt.where(PendingNetwork.uuid.in_(list(uuids)))
    with db_session.reader() as session:
        return list(session.scalars(stmt.order_by(PendingNetwork.id)))


def _pending(session, network_uuid):
    return query.first(session, sa.select(PendingNetwork).where(
        PendingNetwork.uuid == network_uuid, PendingNetwork.deleted == 0).with_for_update(),
        lambda: exception.NetworkNotFound(network_id=network_uuid))


def pending_network_update(context, network_uuid, values):
    with db_session.writer() as session:
        row = _pending(session, network_uuid)
        row.update(values)
        session.flush()
    return row


def pending_network_destroy(context, network_uuid):
    with db_session.writer() as session:
        session.execute(query.soft_delete(PendingNetwork,
                                          PendingNetwork.id == _pending(session,
                                                                        network_uuid).id))


def network_create_from_pending(context, network_uuid, values, addresses, limit=None):
    """The pending network becomes a network with its addresses (its subnet), in one
    transaction; within the project's subnets limit."""
    with db_session.writer() as session:
        network_db.lock_networks(session)
        pending = _pending(session, network_uuid)
        project_id = None if pending.shared else pending.project_id
        if limit is not None and limit >= 0 and pending.project_id:
            used = session.execute(sa.select(sa.func.count(Network.id)).where(
                Network.project_id == pending.project_id, Network.deleted == 0)).scalar()
            if used + 1 > limit:
                raise _over('subnets', used, limit)
        values = dict(values, uuid=pending.uuid, label=pending.name or values['cidr'],
                      description=pending.description, project_id=project_id,
                      mtu=pending.mtu if pending.mtu is not None else values.get('mtu'))
        session.execute(query.soft_delete(PendingNetwork, PendingNetwork.id == pending.id))
        return network_db.insert_network(session, values, addresses)


def network_to_pending(context, network_uuid, shared):
    """Drop a network's subnet: it becomes a pending network of the same uuid (NetworkInUse
    while an instance or a port holds one of its addresses)."""
    with db_session.writer() as session:
        network = network_db.delete_network(session, context, network_uuid)
        row = PendingNetwork(uuid=network.uuid, name=network.label or '',
                             description=network.description or '',
                             project_id=network.project_id, shared=shared, mtu=network.mtu)
        session.add(row)
        session.flush()
    return row
