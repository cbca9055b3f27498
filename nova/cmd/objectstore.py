"""nova-objectstore daemon."""
from nova.cmd import common

MMAP_THRESHOLD_MAX = 32 * 1024 ** 2  # the largest glibc takes


def main(argv=None):
    common.init('nova-objectstore', argv)
    _keep_chunk_buffers()
    from nova import service
    return common.run([lambda: service.WSGIService('objectstore')])


def _keep_chunk_buffers():
    """Bodies stream in and out in --s3_io_chunk_size blocks, one after another:
    they come from the heap and are reused there, where a new mapping for each
    block would fault every page in again (on a VM whose free pages go back to
    the host, 3-4 times the server's system time per MiB of a GET). What the
    heap keeps is a few blocks, whatever the size of the objects."""
    from nova.conf import CONF
    from nova import utils
    block = min(CONF.s3_io_chunk_size + 1024 ** 2, MMAP_THRESHOLD_MAX)
    utils.fix_malloc_thresholds(block, 4 * block)
