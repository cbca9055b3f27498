"""The XAPI test server as a process of its own, and a test's handle on it.

Integration tests run nova-compute (in nova-all) against a server it reaches
over TCP, as it would a XenServer pool master; the test itself steers that
server through the ``/_test/<control>`` JSON endpoints (inject a failure,
expire sessions, read the records XAPI holds), never through the driver.
"""
import json
import os
import subprocess
import sys
import urllib.request

from tests.harness import daemons


class XapiProcess:
    """``python -m tests.harness.xapi`` on a free port; ``stop()`` ends it by PID."""

    def __init__(self, data_dir, bridges=('xenbr0',), real_iscsi=False, hosts=('127.0.0.1',)):
        """``hosts``: the addresses of the pool's hosts, the first its master."""
        self.data_dir = str(data_dir)
        argv = [sys.executable, '-m', 'tests.harness.xapi', '--data-dir', self.data_dir]
        for address in hosts:
            argv += ['--listen', address]
        for bridge in bridges:
            argv += ['--bridge', bridge]
        if real_iscsi:
            argv.append('--real-iscsi')
        self.log_path = os.path.join(self.data_dir, 'xapi.log')
        self._log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log,
                                     cwd=daemons.REPO)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError('the XAPI test server did not start: %s' % self.log())
        ready = json.loads(line)
        self.url, self.port = ready['url'], ready['port']

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def control(self, name, **args):
        """POST /_test/<name> with ``args``; the JSON answer."""
        request = urllib.request.Request(
            '%s/_test/%s' % (self.url, name), data=json.dumps(args).encode(),
            headers={'Content-Type': 'application/json'}, method='POST')
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())

    def records(self, cls):
        """{ref: record} of one XenAPI class, as XAPI holds them now."""
        return self.control('records', cls=cls)

    def inject(self, message, error, times=1):
        """The next ``times`` calls of ``message`` fail with XAPI error ``error``
        ([code, params...])."""
        return self.control('inject', message=message, error=list(error), times=times)

    def stop(self):
        daemons.terminate(self.proc, timeout=10)
        self.proc.stdout.close()
        self._log.close()
