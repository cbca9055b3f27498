"""TgtAdm: volumes exported by the Linux SCSI target daemon (tgtd), driven with tgtadm.

Every tgtadm command names the daemon's management channel
(``-C --iscsi_control_port``), so several tgtd can serve one machine (each
listening on its own portal). Target ids are tgt's small integers, chosen
here (the lowest unused one) under a lock; what tgtd holds is read back with
``tgtadm --op show``, so an export is made idempotently: a matching target is
kept, a different one of the same IQN is replaced.

With ``--tgtd_start`` a tgtd is started when none answers on the control
port (detached, its pid in ``$state_path/tgtd-<port>.pid``, its log beside
it); it keeps running when nova-volume stops, as a system tgtd would, so that
attached instances keep their disks while nova-volume restarts.
"""
import logging
import os
import re
import socket
import subprocess
import threading
import time

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.volume import targets

LOG = logging.getLogger(__name__)

_TARGET = re.compile(r'^Target (\d+): (\S+)$')
_LUN = re.compile(r'^LUN: (\d+)$')
_BACKING = re.compile(r'^Backing store path: (.*)$')
START_TIMEOUT = 10.0


def parse_show(output):
    """{iqn: {'tid', 'luns': {lun: backing path}, 'accounts': [user]}} from
    ``tgtadm --mode target --op show``."""
    found, current, lun, section = {}, None, None, None
    for raw in output.splitlines():
        line = raw.strip()
        match = _TARGET.match(raw)
        if match:
            current = {'tid': int(match.group(1)), 'luns': {}, 'accounts': []}
            found[match.group(2)] = current
            lun, section = None, None
            continue
        if current is None or not line:
            continue
        if line.endswith('information:'):
            section = line
            continue
        if section == 'LUN information:':
            match = _LUN.match(line)
            if match:
                lun = int(match.group(1))
                continue
            match = _BACKING.match(line)
            if match and lun is not None:
                current['luns'][lun] = match.group(1)
        elif section == 'Account information:':
            current['accounts'].append(line.split()[0])
    return found


class TgtAdm(targets.Target):
    """Targets of the tgtd on --iscsi_control_port, listening on the portal."""

    def __init__(self, ip_address=None, port=None, control_port=None):
        super().__init__(ip_address, port)
        self.control_port = CONF.iscsi_control_port if control_port is None else control_port
        self._lock = threading.Lock()

    # -- the daemon ---------------------------------------------------------------
    def _tgtadm(self, *args, check=True):
        return utils.execute('tgtadm', '-C', self.control_port, '--lld', 'iscsi', *args,
                             check=check)

    def is_running(self):
        return self._answers()

    def _answers(self):
        try:
            utils.execute('tgtadm', '-C', self.control_port, '--mode', 'sys', '--op', 'show')
            return True
        except exception.ProcessExecutionError:
            return False

    def check_for_setup_error(self):
        if self._answers():
            return
        if not CONF.tgtd_start:
            raise exception.ConfigError(
                reason='no tgtd answers on control port %s (start one, or set --tgtd_start)'
                % self.control_port)
        self._start_tgtd()

    def _start_tgtd(self):
        base = os.path.join(CONF.state_path, 'tgtd-%s' % self.control_port)
        os.makedirs(CONF.state_path, exist_ok=True)
        argv = ['tgtd', '-f', '-C', str(self.control_port), '--iscsi',
                'portal=%s' % self.portal]
        try:
            with open(base + '.log', 'ab') as log:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        except FileNotFoundError as e:
            raise exception.ConfigError(reason='tgtd is not installed (apt-get install tgt)'
                                        ) from e
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise exception.ConfigError(reason='tgtd did not start; see %s.log' % base)
            time.sleep(0.05)
        if not self._portal_listens():
            self._tgtadm_sys_delete()
            proc.kill()
            raise exception.ConfigError(
                reason='tgtd cannot listen on the iSCSI portal %s (in use?); see %s.log'
                % (self.portal, base))
        with open(base + '.pid', 'w') as f:
            f.write('%d\n' % proc.pid)
        LOG.info('Started tgtd (pid %d) on control port %s, portal %s; it keeps running '
                 'after nova-volume stops', proc.pid, self.control_port, self.portal)

    def _portal_listens(self):
        try:
            with socket.create_connection((self.ip_address, self.port), timeout=2):
                return True
        except OSError:
            return False

    def _tgtadm_sys_delete(self):
        utils.execute('tgtadm', '-C', self.control_port, '--mode', 'sys', '--op', 'delete',
                      check=False)

    # -- exports ----------------------------------------------------------------------
    def show(self):
        return parse_show(self._tgtadm('--mode', 'target', '--op', 'show')[0])

    def list_exports(self):
        return {iqn: target['luns'].get(targets.LUN) for iqn, target in self.show().items()}

    def create_export(self, name, path, chap):
        iqn = self.iqn(name)
        with self._lock:
            existing = self.show()
            target = existing.get(iqn)
            if target is not None:
                if (target['luns'].get(targets.LUN) == path and
                        target['accounts'] == ([chap[0]] if chap else [])):
                    return targets.format_location(self.portal, target['tid'], iqn)
                self._delete_target(target['tid'], target['accounts'])
            tids = {t['tid'] for t in existing.values() if t is not target}
            tid = next(n for n in range(1, len(tids) + 2) if n not in tids)
            try:
                self._make_target(tid, iqn, path, chap)
            except exception.ProcessExecutionError as e:
                self._delete_target(tid, [chap[0]] if chap else [])
                raise exception.ISCSITargetError(target=iqn, reason=e.format_message()) from e
        LOG.info('Exported %s as %s (tid %d)', path, iqn, tid)
        return targets.format_location(self.portal, tid, iqn)

    def _make_target(self, tid, iqn, path, chap):
        self._tgtadm('--mode', 'target', '--op', 'new', '--tid', tid, '--targetname', iqn)
        self._tgtadm('--mode', 'logicalunit', '--op', 'new', '--tid', tid,
                     '--lun', targets.LUN, '--backing-store', path)
        if os.path.isfile(path):
            # a sparse file: initiators learn its holes (GET LBA STATUS), so a copy
            # (swap volume's block copy) skips them, and UNMAP punches new ones
            self._tgtadm('--mode', 'logicalunit', '--op', 'update', '--tid', tid,
                         '--lun', targets.LUN, '--params', 'thin_provisioning=1')
        if chap:
            user, secret = chap
            try:
                self._tgtadm('--mode', 'account', '--op', 'new', '--user', user,
                             '--password', secret)
            except exception.ProcessExecutionError:  # left over by an interrupted export
                self._tgtadm('--mode', 'account', '--op', 'delete', '--user', user)
                self._tgtadm('--mode', 'account', '--op', 'new', '--user', user,
                             '--password', secret)
            self._tgtadm('--mode', 'account', '--op', 'bind', '--tid', tid, '--user', user)
        self._tgtadm('--mode', 'target', '--op', 'bind', '--tid', tid,
                     '--initiator-address', 'ALL')

    def _delete_target(self, tid, accounts):
        """Best effort: the target (even with sessions) and its accounts."""
        self._tgtadm('--mode', 'target', '--op', 'delete', '--force', '--tid', tid,
                     check=False)
        for user in accounts:
            self._tgtadm('--mode', 'account', '--op', 'delete', '--user', user, check=False)

    def remove_export(self, name, chap=None):
        iqn = self.iqn(name)
        with self._lock:
            target = self.show().get(iqn)
            accounts = set(target['accounts'] if target else []) | ({chap[0]} if chap else set())
            if target is not None:
                try:
                    self._tgtadm('--mode', 'target', '--op', 'delete', '--force',
                                 '--tid', target['tid'])
                except exception.ProcessExecutionError as e:
                    raise exception.ISCSITargetError(target=iqn,
                                                     reason=e.format_message()) from e
            for user in sorted(accounts):
                self._tgtadm('--mode', 'account', '--op', 'delete', '--user', user,
                             check=False)
        if target is not None:
            LOG.info('Removed the export %s (tid %d)', iqn, target['tid'])
