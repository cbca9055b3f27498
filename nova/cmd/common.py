"""What every daemon does first: parse flags, set up logging, check the DB."""
import sys

import nova.conf
from nova import exception
from nova import log as nova_log
from nova import rpc
from nova.db import migration


def die(message, code=1):
    sys.stderr.write('%s\n' % message)
    sys.exit(code)


def init(binary, argv=None, stop_at_positional=False, check_db=True, need_rpc=True):
    """Parse flags and flagfiles, set up logging, DB version check and RPC.

    Any problem stops the daemon with a one-line message, never a traceback.
    """
    argv = sys.argv[1:] if argv is None else argv
    try:
        positional = nova.conf.parse_args(argv, stop_at_positional=stop_at_positional,
                                          prog=binary)
    except nova.conf.FlagError as e:
        die('%s: %s' % (binary, e), 2)
    if positional and not stop_at_positional:
        die('%s: unexpected argument %r (flags look like --name=value)' % (
            binary, positional[0]), 2)
    nova_log.setup(binary)
    if check_db:
        try:
            migration.check_current()
        except (exception.DBNotSynced, exception.DBConnectionError) as e:
            die('%s: %s' % (binary, e.format_message()))
    if need_rpc:
        try:
            rpc.init()
        except exception.NovaException as e:
            die('%s: %s' % (binary, e.format_message()))
    return positional


def run(services):
    """Start services (built after init), then wait for SIGTERM/SIGINT."""
    from nova import service
    launcher = service.Launcher()
    launcher.install_signal_handlers()
    try:
        launcher.launch_all(services)
    except service.StopDuringStart:
        return 0
    except exception.NovaException as e:
        launcher.stop()
        die('%s' % e.format_message())
    launcher.wait()
    return 0
