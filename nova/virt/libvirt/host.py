"""The libvirt connection of one compute host: open, reconnect, look up, translate errors.

libvirt-python calls block in C, so the connection is an ``eventlet.tpool``
proxy: every call on it (and on the domains and secrets it returns) runs in
a native thread while other green threads go on. A connection that died
(libvirtd restarted) is noticed by ``isAlive()`` and reopened on the next
use, retried for a few seconds while the daemon comes back.
"""
import contextlib
import logging
import time

import defusedxml.ElementTree as SafeET
from eventlet import tpool

from nova import exception
from nova.compute import power_state
from nova.i18n import _LW

try:
    import libvirt
except ImportError:  # reported when the driver starts, not when this module loads
    libvirt = None

LOG = logging.getLogger(__name__)

# libvirt domain state -> Nova power state (a shut-off domain with a managed
# save image is SUSPENDED: resume restores it)
POWER_STATES = {
    0: power_state.NOSTATE,   # VIR_DOMAIN_NOSTATE
    1: power_state.RUNNING,   # VIR_DOMAIN_RUNNING
    2: power_state.RUNNING,   # VIR_DOMAIN_BLOCKED: running, waiting on I/O
    3: power_state.PAUSED,    # VIR_DOMAIN_PAUSED
    4: power_state.SHUTDOWN,  # VIR_DOMAIN_SHUTDOWN: on its way down
    5: power_state.SHUTDOWN,  # VIR_DOMAIN_SHUTOFF
    6: power_state.CRASHED,   # VIR_DOMAIN_CRASHED
    7: power_state.SUSPENDED,  # VIR_DOMAIN_PMSUSPENDED
}


def _quiet(_ctx, _error):
    """libvirt prints every error on stderr by default; ours are raised and logged."""


def require_libvirt():
    if libvirt is None:
        raise exception.ConfigError(reason='the libvirt driver needs libvirt-python '
                                           '(pip install "nova[libvirt]")')
    libvirt.registerErrorHandler(_quiet, None)


class Host:
    def __init__(self, uri, host_name, retries=3):
        require_libvirt()
        self.uri = uri
        self.host_name = host_name
        self.retries = retries
        self._conn = None

    # --- the connection ---

    def _open(self):
        auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_NOECHOPROMPT], _no_prompt, None]
        conn = tpool.execute(libvirt.openAuth, self.uri, auth, 0)
        return tpool.Proxy(conn, autowrap=(libvirt.virDomain, libvirt.virSecret))

    def connection(self):
        """The live connection, reopened (with retries) if libvirtd went away.

        isAlive() alone does not notice a restarted libvirtd (without an event
        loop the client learns of the closed socket at its next call, which then
        fails): one cheap round trip does."""
        conn = self._conn
        if conn is not None:
            try:
                if conn.isAlive():
                    conn.getLibVersion()
                    return conn
            except libvirt.libvirtError:
                pass
            LOG.warning(_LW('Connection to %s lost; reconnecting'), self.uri)
            self._conn = None
            with contextlib.suppress(libvirt.libvirtError):
                conn.close()
        for attempt in range(self.retries + 1):
            try:
                self._conn = self._open()
                return self._conn
            except libvirt.libvirtError as e:
                if attempt == self.retries:
                    raise exception.HypervisorUnavailable(
                        host=self.host_name, uri=self.uri, reason=e.get_error_message()) from e
                time.sleep(1)

    def close(self):
        if self._conn is not None:
            with contextlib.suppress(libvirt.libvirtError):
                self._conn.close()
            self._conn = None

    # --- errors ---

    @contextlib.contextmanager
    def errors(self, instance_uuid=None, action=None):
        """libvirt errors as Nova's: no domain -> InstanceNotFound, wrong state ->
        HypervisorStateConflict, anything else -> HypervisorError."""
        try:
            yield
        except libvirt.libvirtError as e:
            code = e.get_error_code()
            if code == libvirt.VIR_ERR_NO_DOMAIN and instance_uuid:
                raise exception.InstanceNotFound(instance_id=instance_uuid) from e
            if code == libvirt.VIR_ERR_OPERATION_INVALID and instance_uuid and action:
                raise exception.HypervisorStateConflict(
                    action=action, instance_uuid=instance_uuid, state=e.get_error_message()
                ) from e
            if code in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED) \
                    and action:
                raise exception.NotSupportedByDriver(
                    action=action, driver='libvirt (%s)' % self.uri) from e
            raise exception.HypervisorError(host=self.host_name,
                                            reason=e.get_error_message()) from e

    # --- domains ---

    def domain(self, instance_uuid):
        """The domain of an instance (its UUID is the instance's); InstanceNotFound."""
        with self.errors(instance_uuid):
            return self.connection().lookupByUUIDString(instance_uuid)

    def find_domain(self, instance_uuid):
        """The domain, or None when the host has none for the instance."""
        try:
            return self.domain(instance_uuid)
        except exception.InstanceNotFound:
            return None

    def domains(self):
        with self.errors():
            return self.connection().listAllDomains(0)

    def running_domain_stats(self):
        """{uuid: typed parameters} of the counters (CPU total, vCPUs, interfaces, block
        devices) of every running or paused domain: one call for the whole host."""
        groups = (libvirt.VIR_DOMAIN_STATS_CPU_TOTAL | libvirt.VIR_DOMAIN_STATS_VCPU
                  | libvirt.VIR_DOMAIN_STATS_INTERFACE | libvirt.VIR_DOMAIN_STATS_BLOCK)
        with self.errors():
            records = self.connection().getAllDomainStats(
                groups, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)
            return {domain.UUIDString(): stats for domain, stats in records}

    def define(self, xml):
        with self.errors():
            return self.connection().defineXML(xml)

    def state(self, domain):
        """A domain's Nova power state."""
        state, _reason = domain.state(0)
        if state == libvirt.VIR_DOMAIN_SHUTOFF and domain.hasManagedSaveImage(0):
            return power_state.SUSPENDED
        return POWER_STATES.get(state, power_state.NOSTATE)

    # --- secrets (CHAP passwords of network volumes) ---

    def set_secret(self, usage, xml, value):
        with self.errors():
            conn = self.connection()
            try:
                secret = conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
            except libvirt.libvirtError as e:
                if e.get_error_code() != libvirt.VIR_ERR_NO_SECRET:
                    raise
                secret = conn.secretDefineXML(xml, 0)
            secret.setValue(value.encode(), 0)

    def delete_secret(self, usage):
        with self.errors():
            try:
                secret = self.connection().secretLookupByUsage(
                    libvirt.VIR_SECRET_USAGE_TYPE_ISCSI, usage)
            except libvirt.libvirtError as e:
                if e.get_error_code() == libvirt.VIR_ERR_NO_SECRET:
                    return
                raise
            secret.undefine()

    # --- the host itself ---

    def node_info(self):
        """{'model', 'memory_mb', 'cpus', 'mhz', 'nodes', 'sockets', 'cores', 'threads'}."""
        with self.errors():
            values = self.connection().getInfo()
        return dict(zip(('model', 'memory_mb', 'cpus', 'mhz', 'nodes', 'sockets', 'cores',
                         'threads'), values))

    def capabilities(self):
        with self.errors():
            return SafeET.fromstring(self.connection().getCapabilities())

    def hypervisor(self):
        """(type, version) as libvirt names them: ('QEMU', 7002022)."""
        with self.errors():
            conn = self.connection()
            return conn.getType(), conn.getVersion()


def _no_prompt(credentials, _data):
    """Local libvirtd needs no credentials; answer any prompt with nothing."""
    for credential in credentials:
        credential[4] = credential[3] or ''
    return 0


def cpu_info(capabilities):
    """The host CPU as the compute_nodes cpu_info column keeps it."""
    cpu = capabilities.find('host/cpu')
    topology = cpu.find('topology') if cpu is not None else None
    return {
        'arch': cpu.findtext('arch') if cpu is not None else None,
        'model': cpu.findtext('model') if cpu is not None else None,
        'vendor': cpu.findtext('vendor') if cpu is not None else None,
        'features': sorted(f.get('name') for f in cpu.findall('feature'))
        if cpu is not None else [],
        'topology': {key: int(topology.get(key)) for key in ('sockets', 'cores', 'threads')}
        if topology is not None else {},
    }


def domain_types(capabilities, arch='x86_64'):
    """The domain types (qemu, kvm) this host offers for ``arch``."""
    types = set()
    for guest in capabilities.findall('guest'):
        found = guest.find('arch')
        if found is not None and found.get('name') == arch:
            types.update(d.get('type') for d in found.findall('domain'))
    return types
