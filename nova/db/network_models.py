"""Tables of nova-network: networks, their fixed IPs, floating IPs, virtual interfaces.

A network's fixed IPs are rows made with the network (one per address of its
CIDR; network, gateway and broadcast addresses reserved), so allocating an
address is claiming a free row, and a reservation is a flag on it. An
instance gets one virtual interface (a MAC) per network it joins; its fixed
IP points at that interface. A floating IP belongs to a project once
allocated and to a fixed IP while associated. Unique keys include ``deleted``
so that soft-deleted history never blocks a live row.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nova.db.models import Base, NovaBase, Revisioned, revision_number

__all__ = ['Network', 'FixedIp', 'FloatingIp', 'VirtualInterface', 'PendingNetwork']


def _new_uuid():
    return str(uuid.uuid4())


class Network(Revisioned, Base, NovaBase):
    """An IPv4 (optionally also IPv6) network: its addresses, bridge and segment.

    vlan is the segment id: an 802.1Q VLAN id or a VXLAN VNI, as segment_type
    says ('flat' networks have none). project_id is None for a network any project uses
    (flat), host the network host serving it (None until one picks it, and
    unused with multi_host, where each compute host serves its instances).
    """

    __tablename__ = 'networks'
    __table_args__ = (
        sa.UniqueConstraint('uuid', 'deleted', name='uniq_networks0uuid0deleted'),
        sa.UniqueConstraint('cidr', 'deleted', name='uniq_networks0cidr0deleted'),
        sa.UniqueConstraint('vlan', 'deleted', name='uniq_networks0vlan0deleted'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    label: Mapped[str | None] = mapped_column(sa.String(255))
    cidr: Mapped[str] = mapped_column(sa.String(43))
    cidr_v6: Mapped[str | None] = mapped_column(sa.String(43))
    netmask: Mapped[str | None] = mapped_column(sa.String(39))
    gateway: Mapped[str | None] = mapped_column(sa.String(39))
    broadcast: Mapped[str | None] = mapped_column(sa.String(39))
    gateway_v6: Mapped[str | None] = mapped_column(sa.String(39))
    netmask_v6: Mapped[str | None] = mapped_column(sa.String(39))
    dns1: Mapped[str | None] = mapped_column(sa.String(39))
    dns2: Mapped[str | None] = mapped_column(sa.String(39))
    dhcp_start: Mapped[str | None] = mapped_column(sa.String(39))
    dhcp_server: Mapped[str | None] = mapped_column(sa.String(39))
    enable_dhcp: Mapped[bool] = mapped_column(default=True)
    bridge: Mapped[str | None] = mapped_column(sa.String(255))
    bridge_interface: Mapped[str | None] = mapped_column(sa.String(255))
    vlan: Mapped[int | None]
    segment_type: Mapped[str] = mapped_column(sa.String(16), default='flat')  # vlan, vxlan
    mtu: Mapped[int | None]
    multi_host: Mapped[bool] = mapped_column(default=False)
    injected: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int | None]
    project_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    subnet_name: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    revision_number: Mapped[int] = revision_number()


class PendingNetwork(Revisioned, Base, NovaBase):
    """A network made through the network API that has no subnet yet: it becomes a
    networks row (same uuid) when its subnet is made, and again a pending one when
    the subnet is deleted."""

    __tablename__ = 'pending_networks'
    __table_args__ = (sa.UniqueConstraint('uuid', 'deleted',
                                          name='uniq_pending_networks0uuid0deleted'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    name: Mapped[str] = mapped_column(sa.String(255), default='')
    description: Mapped[str] = mapped_column(sa.String(255), default='')
    project_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    shared: Mapped[bool] = mapped_column(default=False)
    mtu: Mapped[int | None]
    revision_number: Mapped[int] = revision_number()


class VirtualInterface(Revisioned, Base, NovaBase):
    """An instance's network card on one network: its MAC and a uuid (the VIF id).

    Through the network API it is a port: a project's, possibly made by the user
    (preserve_on_delete: it outlives the instance it is bound to) and unbound
    (instance_uuid NULL, its security group uuids in security_groups as JSON).
    """

    __tablename__ = 'virtual_interfaces'
    __table_args__ = (
        sa.UniqueConstraint('address', 'deleted', name='uniq_virtual_interfaces0address0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_virtual_interfaces0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), default=_new_uuid)
    address: Mapped[str] = mapped_column(sa.String(17))
    instance_uuid: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey('networks.id'), index=True)
    project_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    name: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    description: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    device_owner: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    preserve_on_delete: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    security_groups: Mapped[str | None] = mapped_column(sa.Text)
    revision_number: Mapped[int] = revision_number()


class FixedIp(Base, NovaBase):
    """One address of a network: free, reserved, or an instance's (allocated).

    instance_uuid and virtual_interface_id say whose it is; allocated is False
    once the instance let it go but a DHCP lease may still hold it (the row is
    free again when the lease is released or expires); leased is what the DHCP
    server last said.
    """

    __tablename__ = 'fixed_ips'
    __table_args__ = (
        sa.UniqueConstraint('address', 'deleted', name='uniq_fixed_ips0address0deleted'),
        sa.Index('fixed_ips_network_id_free_idx', 'network_id', 'instance_uuid', 'reserved'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(39))
    network_id: Mapped[int] = mapped_column(sa.ForeignKey('networks.id'))
    instance_uuid: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    virtual_interface_id: Mapped[int | None] = mapped_column(index=True)
    allocated: Mapped[bool] = mapped_column(default=False)
    leased: Mapped[bool] = mapped_column(default=False)
    reserved: Mapped[bool] = mapped_column(default=False)
    host: Mapped[str | None] = mapped_column(sa.String(255))


class FloatingIp(Revisioned, Base, NovaBase):
    """A public address of a pool: a project's once allocated, NATed to fixed_ip_id
    while associated (by the network host ``host``)."""

    __tablename__ = 'floating_ips'
    __table_args__ = (
        sa.UniqueConstraint('address', 'deleted', name='uniq_floating_ips0address0deleted'),
        sa.Index('floating_ips_pool_project_idx', 'pool', 'project_id'),
        sa.UniqueConstraint('uuid', name='uniq_floating_ips0uuid'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(39))
    pool: Mapped[str] = mapped_column(sa.String(255))
    interface: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    fixed_ip_id: Mapped[int | None] = mapped_column(index=True)
    auto_assigned: Mapped[bool] = mapped_column(default=False)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    uuid: Mapped[str | None] = mapped_column(sa.String(36))  # given at each allocation
    description: Mapped[str] = mapped_column(sa.String(255), default='', server_default='')
    revision_number: Mapped[int] = revision_number()
