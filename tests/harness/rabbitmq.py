"""A private RabbitMQ broker for tests and benchmarks: free ports, data in a temp dir.

There is no systemd on the test machines, so the broker is started from the
Erlang release script directly (the /usr/sbin wrapper switches user and writes
to /var/log). Each broker gets its own epmd (Erlang port mapper) on a private
port, so that stopping it never touches another Erlang node's epmd: only the
node and the epmd started here are ever stopped, by PID and port.
"""
import itertools
import os
import shutil
import signal
import socket
import subprocess
import time

SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl'
_counter = itertools.count()


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class RabbitMQError(RuntimeError):
    pass


class RabbitMQServer:
    """One broker node: start(), stop(), restart() on the same port, url."""

    def __init__(self, base_dir, ip='127.0.0.1'):
        self.base_dir = os.path.abspath(base_dir)
        self.ip = ip  # the address clients reach it on
        self.node = 'novatest%d_%d@localhost' % (os.getpid(), next(_counter))
        self.port = None
        self.dist_port = None
        self.epmd_port = None
        self.process = None
        self._log = None
        self._watchdog = None

    @classmethod
    def available(cls):
        """True when rabbitmq-server is installed (missing_reason() says why not)."""
        return cls.missing_reason() is None

    @staticmethod
    def missing_reason():
        if not os.path.exists(SERVER) or not os.path.exists(CTL):
            return 'rabbitmq-server is not installed (%s not found)' % SERVER
        if shutil.which('erl') is None:
            return 'Erlang (erl) is not on PATH'
        return None

    @property
    def url(self):
        return 'rabbit://guest:guest@%s:%d/' % (self.ip, self.port)

    @property
    def pid_file(self):
        return os.path.join(self.base_dir, 'rabbit.pid')

    def _env(self):
        """Everything the node and rabbitmqctl read points into base_dir, never /etc or /var."""
        env = dict(os.environ)
        env.update({
            'HOME': self.base_dir,  # the Erlang cookie lives here, shared with rabbitmqctl
            'ERL_EPMD_PORT': str(self.epmd_port),
            'RABBITMQ_NODENAME': self.node,
            'RABBITMQ_NODE_IP_ADDRESS': self.ip,
            'RABBITMQ_NODE_PORT': str(self.port),
            'RABBITMQ_DIST_PORT': str(self.dist_port),
            'RABBITMQ_MNESIA_BASE': os.path.join(self.base_dir, 'mnesia'),
            'RABBITMQ_LOG_BASE': os.path.join(self.base_dir, 'log'),
            'RABBITMQ_PID_FILE': self.pid_file,
            'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(self.base_dir, 'enabled_plugins'),
            'RABBITMQ_CONFIG_FILE': os.path.join(self.base_dir, 'rabbitmq'),
            'RABBITMQ_ADVANCED_CONFIG_FILE': os.path.join(self.base_dir, 'advanced.config'),
            'RABBITMQ_CONF_ENV_FILE': os.path.join(self.base_dir, 'rabbitmq-env.conf'),
        })
        return env

    def _ctl(self, *args, timeout=90):
        return subprocess.run([CTL, '-n', self.node, *args], env=self._env(),
                              capture_output=True, text=True, timeout=timeout)

    def start(self):
        """Start the node (keeping ports and data of an earlier start) and wait for it."""
        if self.process is not None:
            raise RabbitMQError('broker %s is already running' % self.node)
        os.makedirs(self.base_dir, exist_ok=True)
        if self.port is None:
            self.port, self.dist_port, self.epmd_port = _free_port(), _free_port(), _free_port()
        if os.path.exists(self.pid_file):
            os.unlink(self.pid_file)
        with open(os.path.join(self.base_dir, 'enabled_plugins'), 'w') as f:
            f.write('[].\n')  # no management plugin: starts in seconds
        if self.ip != '127.0.0.1':  # guest may log in from other hosts' addresses too
            with open(os.path.join(self.base_dir, 'rabbitmq.conf'), 'w') as f:
                f.write('loopback_users = none\n')
        self._log = open(os.path.join(self.base_dir, 'server.out'), 'ab')
        self.process = subprocess.Popen([SERVER], env=self._env(), stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        self._wait_ready()
        self._start_watchdog()

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.pid_file):  # rabbitmqctl wait needs the pid file
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._fail('did not write its pid file')
            time.sleep(0.05)
        result = self._ctl('wait', '--timeout', str(int(timeout)), self.pid_file)
        if result.returncode != 0 or self.process.poll() is not None:
            self._fail('did not come up: %s' % (result.stderr or result.stdout).strip())

    def _start_watchdog(self):
        """If this process dies without stop() (a test run killed), the broker goes too."""
        with open(self.pid_file) as f:
            beam = int(f.read().strip())
        script = ('while kill -0 {me} 2>/dev/null; do sleep 1; done; kill -TERM {beam}; '
                  'while kill -0 {beam} 2>/dev/null; do sleep 0.2; done; '
                  'epmd -port {epmd} -kill').format(me=os.getpid(), beam=beam,
                                                    epmd=self.epmd_port)
        self._watchdog = subprocess.Popen(['sh', '-c', script], start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _fail(self, why):
        self.stop()
        with open(os.path.join(self.base_dir, 'server.out'), errors='replace') as f:
            tail = f.read()[-2000:]
        raise RabbitMQError('RabbitMQ node %s %s\n%s' % (self.node, why, tail))

    def stop(self):
        """Stop this node and its private epmd."""
        self._stop_node()
        if self.epmd_port is not None:
            subprocess.run([shutil.which('epmd') or 'epmd', '-port', str(self.epmd_port),
                            '-kill'], capture_output=True, timeout=30)

    def _stop_node(self):
        """SIGTERM the node's VM (a graceful broker shutdown), SIGKILL if it lingers."""
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                with open(self.pid_file) as f:
                    os.kill(int(f.read().strip()), signal.SIGTERM)
                self.process.wait(timeout=30)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self._log.close()

    def restart(self):
        """Stop and start again on the same port with the same data (durable queues survive)."""
        self._stop_node()
        self.start()
