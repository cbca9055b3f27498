"""A throw-away PostgreSQL server for the integration tests.

initdb into a temp directory, start on a free port of 127.0.0.1 with fsync
off (the data dies with the test run), hand out one database per test module,
and stop only the server started here (pg_ctl on its own data directory).
PostgreSQL refuses to run as root, so as root every command runs as the
``postgres`` user through runuser.
"""
import os
import pwd
import shutil
import socket
import subprocess

PG_LIB = '/usr/lib/postgresql'


def _bin_dir():
    """The newest /usr/lib/postgresql/<version>/bin that has initdb, or None."""
    versions = [v for v in os.listdir(PG_LIB) if v.isdigit()] if os.path.isdir(PG_LIB) else []
    for version in sorted(versions, key=int, reverse=True):
        if os.access(os.path.join(PG_LIB, version, 'bin', 'initdb'), os.X_OK):
            return os.path.join(PG_LIB, version, 'bin')
    return None


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster under base_dir, owned by this test run."""

    USER = 'postgres'

    def __init__(self, base_dir, listen='127.0.0.1', settings=None):
        """settings: more server settings ({name: value}, passed as -c name=value), e.g.
        shared_preload_libraries=pg_stat_statements for a benchmark that counts
        statements."""
        self.base_dir = base_dir
        self.settings = dict(settings or {})
        self.listen = listen  # the address it listens on (besides its socket dir)
        self.data_dir = os.path.join(base_dir, 'data')
        self.log_file = os.path.join(base_dir, 'postgres.log')
        self.bin_dir = _bin_dir()
        self.port = None

    @classmethod
    def available(cls):
        return cls.unavailable_reason() is None

    @classmethod
    def unavailable_reason(cls):
        """Why a server cannot be started here, or None when it can."""
        if _bin_dir() is None:
            return 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)'
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(cls.USER)
            except KeyError:
                return 'running as root and there is no %r user to run PostgreSQL' % cls.USER
        return None

    def _run(self, *argv):
        """Run a PostgreSQL binary, as the postgres user when we are root."""
        command = [os.path.join(self.bin_dir, argv[0])] + list(argv[1:])
        if os.geteuid() == 0:
            command = ['runuser', '-u', self.USER, '--'] + command
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError('%s failed (%d): %s%s%s' % (
                ' '.join(command), result.returncode, result.stdout, result.stderr,
                self._log_tail()))
        return result.stdout

    def _log_tail(self):
        try:
            with open(self.log_file, encoding='utf-8', errors='replace') as f:
                return '\n--- postgres.log ---\n' + ''.join(f.readlines()[-30:])
        except OSError:
            return ''

    def start(self):
        os.makedirs(self.base_dir, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam(self.USER)
            os.chown(self.base_dir, user.pw_uid, user.pw_gid)
        self._run('initdb', '-D', self.data_dir, '-U', 'postgres', '--auth=trust',
                  '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
        if self.listen != '127.0.0.1':  # the other hosts of a private test network too
            with open(os.path.join(self.data_dir, 'pg_hba.conf'), 'a') as f:
                f.write('host all all 0.0.0.0/0 trust\n')
        self.port = free_port()
        options = ('-p %d -k %s -c listen_addresses=%s -c fsync=off '
                   '-c full_page_writes=off -c synchronous_commit=off'
                   % (self.port, self.base_dir, self.listen))
        options += ''.join(' -c %s=%s' % item for item in self.settings.items())
        self._run('pg_ctl', '-D', self.data_dir, '-l', self.log_file, '-o', options,
                  '-w', '-t', '60', 'start')
        return self

    def running(self):
        """Whether the postmaster of this data directory (ours alone) is up."""
        return os.path.exists(os.path.join(self.data_dir, 'postmaster.pid'))

    def stop(self):
        if self.running():
            self._run('pg_ctl', '-D', self.data_dir, '-m', 'fast', '-w', 'stop')

    def cleanup(self):
        """Stop the server and remove its files."""
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def url(self, database='postgres'):
        return 'postgresql+psycopg://postgres@%s:%d/%s' % (self.listen, self.port, database)

    def create_database(self, name):
        """A new empty database; returns its SQLAlchemy URL."""
        self._run('createdb', '-h', self.listen, '-p', str(self.port), '-U', 'postgres', name)
        return self.url(name)
