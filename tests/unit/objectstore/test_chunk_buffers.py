"""nova-objectstore keeps its streaming blocks in the heap (nova.cmd.objectstore):
with the thresholds every daemon sets, each 4 MiB chunk of a body was a new mapping
whose pages faulted in again, 3-4 times the server's system time per MiB of a GET."""
import subprocess
import sys
import textwrap

from nova import utils

SCRIPT = textwrap.dedent('''
    import resource
    import nova.cmd  # what every daemon imports first
    from nova.cmd import objectstore
    from nova.conf import CONF
    CONF([], project='nova')

    def faults_per_chunk():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            chunk = b'x' * CONF.s3_io_chunk_size  # as a body's chunk: filled, then freed
            del chunk
        return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20

    faults_per_chunk()
    print(faults_per_chunk())  # the thresholds of every daemon
    objectstore._keep_chunk_buffers()
    faults_per_chunk()
    print(faults_per_chunk())  # nova-objectstore's
''')


def _faults_per_chunk():
    """(page faults per chunk with every daemon's thresholds, with nova-objectstore's)"""
    out = subprocess.run([sys.executable, '-c', SCRIPT], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    other, objectstore = map(float, out.stdout.split()[-2:])
    return other, objectstore


def test_objectstore_reuses_its_chunk_buffers():
    if not utils.fix_malloc_thresholds():
        return  # malloc is not glibc: nothing to set (the daemon's call is a no-op too)
    pages = 4 * 1024 ** 2 // 4096
    other, objectstore = _faults_per_chunk()
    assert other > pages / 2  # every chunk mapped anew
    assert objectstore < pages / 20
