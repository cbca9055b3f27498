"""Live migration of a running guest between two libvirt hosts that share instances_path.

The destination says how its libvirtd is reached (--libvirt_live_migration_uri,
'%s' standing for its host name; unset: its own --libvirt_uri, right when the
hosts' daemons share a machine) and where its QEMU listens for the memory
stream (--my_ip), and leaves a marker file in its instances_path; the source
finds the marker in its own instances_path (else the storage is not shared,
and there is no block migration here) and asks its libvirtd to move the guest
peer to peer: the definition goes with it and leaves the source.

While the copy runs (the blocking migrateToURI3 in a native thread), an
administrator may steer it from another request: abort asks libvirt to
abort the job (the guest stays, LiveMigrationAborted), force complete
pauses the guest, so that no page changes any more, and lifts any bandwidth
limit; the guest paused for it runs again on the destination.
"""
import os
import uuid

from eventlet import tpool

from nova import exception
from nova.compute import power_state
from nova.conf import CONF
from nova.virt.libvirt.host import libvirt

_MARKER_PREFIX = '.live-migration-check-'
# MiB/s: no limit worth the name (libvirt's own maximum is larger)
_UNLIMITED_BANDWIDTH = 1 << 20


def destination_check(drv, instance, block_migration):
    if block_migration:
        raise exception.MigrationPreCheckError(
            reason='the libvirt driver moves guests over shared storage only; block '
                   'migration is not supported')
    if drv.hypervisor.find_domain(instance.uuid) is not None:
        raise exception.InstanceExists(name=instance.name)
    os.makedirs(CONF.instances_path, exist_ok=True)
    marker = _MARKER_PREFIX + uuid.uuid4().hex
    with open(os.path.join(CONF.instances_path, marker), 'w'):
        pass
    template = CONF.libvirt_live_migration_uri
    return {'dest_host': drv.host, 'block_migration': False, 'shared_marker': marker,
            'dest_uri': template % drv.host if template else drv.uri,
            'dest_address': CONF.my_ip}


def source_check(drv, instance, dest_check_data):
    domain = drv._domain(instance)
    drv._check(instance, domain, 'live migrate')
    marker = os.path.join(CONF.instances_path, dest_check_data.get('shared_marker') or '-')
    if not os.path.exists(marker):
        raise exception.MigrationPreCheckError(
            reason='host %s does not share instances_path %s with %s; the libvirt driver '
                   'live-migrates over shared storage only' % (
                       drv.host, CONF.instances_path, dest_check_data.get('dest_host')))
    os.unlink(marker)
    return dict(dest_check_data, source_host=drv.host)


def _peer_uri(uri):
    """A URI the source's libvirtd opens as a client: a local one needs its transport
    ('qemu:///system?socket=...' -> 'qemu+unix:///system?socket=...')."""
    scheme, sep, rest = uri.partition('://')
    if sep and '+' not in scheme and rest.startswith('/'):
        return '%s+unix://%s' % (scheme, rest)
    return uri


def steer(drv, instance, how):
    """Abort or force to complete the copy under way on this host (a 409 when none is)."""
    if drv.migrating.get(instance.uuid) != 'copying':
        raise exception.InstanceInvalidState(
            attr='task_state', instance_uuid=instance.uuid, state='not migrating',
            method='live migration %s' % how)
    domain = drv._domain(instance)
    drv.migrating[instance.uuid] = how
    with drv._errors(instance, 'live migration %s' % how):
        if how == 'abort':
            domain.abortJob()
        else:
            domain.suspend()
            domain.migrateSetMaxSpeed(_UNLIMITED_BANDWIDTH, 0)


def _resume_at(uri, instance):
    """Run the guest force complete paused, on the destination's libvirtd."""
    conn = libvirt.open(uri)
    try:
        domain = conn.lookupByUUIDString(instance.uuid)
        if domain.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
            domain.resume()
    finally:
        conn.close()


def migrate(drv, context, instance, dest, post_method, recover_method, migrate_data):
    try:
        data = migrate_data or {}
        if not data.get('dest_uri'):
            raise exception.MigrationPreCheckError(
                reason='no destination URI: the destination check did not run')
        domain = drv._domain(instance)
        state = drv._check(instance, domain, 'live migrate')
        flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER
                 | libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE
                 # the disks are the same files on both hosts (checked): libvirt cannot
                 # tell shared storage from a local directory
                 | libvirt.VIR_MIGRATE_UNSAFE)
        params = {}
        if data.get('dest_address'):
            params[libvirt.VIR_MIGRATE_PARAM_URI] = 'tcp://%s' % data['dest_address']
        drv.migrating[instance.uuid] = 'copying'
        try:
            with drv._errors(instance, 'live migrate'):
                domain.migrateToURI3(_peer_uri(data['dest_uri']), params, flags)
        except exception.NovaException as error:
            if drv.migrating.get(instance.uuid) == 'abort':
                raise exception.LiveMigrationAborted(instance_uuid=instance.uuid) from error
            raise
        finally:
            how = drv.migrating.pop(instance.uuid, None)
        if how == 'complete' and state == power_state.RUNNING:
            with drv._errors(instance, 'live migration force complete'):
                tpool.execute(_resume_at, data['dest_uri'], instance)
    except Exception:
        recover_method(context, instance, dest)
        raise
    post_method(context, instance, dest)
