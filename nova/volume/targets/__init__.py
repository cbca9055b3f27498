"""iSCSI targets: how a nova-volume host exports its volumes to compute hosts.

A Target makes one iSCSI target per volume (IQN --iscsi_target_prefix + the
volume's name, LUN 1, its own CHAP account) and says how to reach it. What it
made is kept by the manager in the volume row (provider_location,
provider_auth), so exports can be rebuilt from the database after a restart.
``--iscsi_helper`` picks the implementation (tgtadm, or an import path).
"""
import abc
import secrets
import string

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.conf.volume import ISCSI_HELPERS

LUN = 1  # tgt's LUN 0 is the target's controller


def generate_chap():
    """(user, secret): a fresh CHAP account for one volume, as Cinder makes them."""
    alphabet = string.ascii_letters + string.digits
    return ('nova' + ''.join(secrets.choice(alphabet) for _ in range(16)),
            ''.join(secrets.choice(alphabet) for _ in range(16)))


def format_auth(chap):
    return 'CHAP %s %s' % chap if chap else None


def parse_auth(provider_auth):
    """(user, secret) from 'CHAP user secret', or None."""
    if not provider_auth:
        return None
    method, user, secret = provider_auth.split(' ', 2)
    if method != 'CHAP':
        raise exception.InvalidInput(reason='unknown auth method %s' % method)
    return user, secret


def format_location(portal, tid, iqn, lun=LUN):
    """Cinder's provider_location: 'ip:port,tid iqn lun'."""
    return '%s,%s %s %s' % (portal, tid, iqn, lun)


def parse_location(provider_location):
    """{'portal', 'tid', 'iqn', 'lun'} from a provider_location."""
    portal_tid, iqn, lun = provider_location.split(' ')
    portal, _, tid = portal_tid.rpartition(',')
    return {'portal': portal, 'tid': int(tid), 'iqn': iqn, 'lun': int(lun)}


class Target(abc.ABC):
    """The exports of one nova-volume host."""

    def __init__(self, ip_address=None, port=None):
        self.ip_address = ip_address or CONF.iscsi_ip_address
        self.port = port or CONF.iscsi_port

    @property
    def portal(self):
        host = '[%s]' % self.ip_address if ':' in self.ip_address else self.ip_address
        return '%s:%d' % (host, self.port)

    def iqn(self, name):
        return CONF.iscsi_target_prefix + name

    @abc.abstractmethod
    def check_for_setup_error(self):
        """Make sure the target daemon answers (starting it if so configured)."""

    @abc.abstractmethod
    def is_running(self):
        """Whether the target daemon answers (never starts it)."""

    @abc.abstractmethod
    def create_export(self, name, path, chap):
        """Export the file or device at path as name's target (replacing an export
        of that name that differs); idempotent. Returns the provider_location."""

    @abc.abstractmethod
    def remove_export(self, name, chap=None):
        """Remove name's target and its CHAP account; a missing one is no error."""

    @abc.abstractmethod
    def list_exports(self):
        """{iqn: backing store path} of every target the daemon has."""

    def connection_properties(self, volume_id, provider_location, provider_auth):
        """The 'data' of an iSCSI connection_info, as an initiator (os-brick, QEMU's
        libiscsi, libvirt) needs it."""
        location = parse_location(provider_location)
        data = {'target_discovered': False, 'target_portal': location['portal'],
                'target_iqn': location['iqn'], 'target_lun': location['lun'],
                'volume_id': volume_id, 'encrypted': False, 'access_mode': 'rw',
                'discard': False}
        chap = parse_auth(provider_auth)
        if chap:
            data.update(auth_method='CHAP', auth_username=chap[0], auth_password=chap[1])
        return data


def target_class(name=None):
    """The class --iscsi_helper (or name) names: a short name or an import path."""
    return utils.flag_class('iscsi_helper', name or CONF.iscsi_helper, ISCSI_HELPERS, Target)


def load_target(name=None):
    return target_class(name)()
