"""Daemons give large freed blocks back to the system (nova.utils.fix_malloc_thresholds):
with glibc's moving thresholds a worker of nova-api that derived one password key kept
its 16 MiB until it exited."""
import subprocess
import sys
import textwrap

import pytest

from nova import utils

SCRIPT = textwrap.dedent('''
    import nova.cmd  # what every daemon imports first
    from nova.auth import passwords

    def anon_mb():
        with open('/proc/self/status') as f:
            return next(int(line.split()[1]) for line in f if line.startswith('RssAnon')) / 1024

    before = anon_mb()
    page = bytearray(20 * 1024 * 1024)  # a large block, freed: glibc raises its threshold
    page[::4096] = b'x' * len(page[::4096])
    del page
    passwords.verify_password('secret', passwords.hash_password('secret'))  # 16 MiB, twice
    print(anon_mb() - before)
''')


def _kept_mb():
    out = subprocess.run([sys.executable, '-c', SCRIPT], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return float(out.stdout.split()[-1])


def test_a_daemon_gives_a_password_keys_memory_back():
    if not utils.fix_malloc_thresholds():
        pytest.skip('malloc is not glibc: no thresholds to fix')
    assert _kept_mb() < 6
