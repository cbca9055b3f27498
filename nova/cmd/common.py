"""What every daemon does first: parse flags, set up logging and Guru Meditation
Reports, check the DB."""
import gc
import sys

import nova.conf
from nova import exception
from nova import guru
from nova import log as nova_log
from nova import rpc
from nova.cmd import usage
from nova.db import migration


def die(message, code=1):
    sys.stderr.write('%s\n' % message)
    sys.exit(code)


def init(binary, argv=None, stop_at_positional=False, check_db=True, need_rpc=True,
         help_text=None):
    """Parse flags and flagfiles, set up logging, DB version check and RPC.

    Any problem stops the daemon with a one-line message, never a traceback.
    --help/-h prints help_text() (default: the daemon's usage and flags) and
    --version the version, both exiting 0.
    """
    argv = sys.argv[1:] if argv is None else argv
    if usage.wants(argv, usage.VERSION_WORDS, stop_at_positional):
        sys.stdout.write('%s %s\n' % (binary, usage.version()))
        sys.exit(0)
    if usage.wants(argv, usage.HELP_WORDS, stop_at_positional):
        sys.stdout.write(help_text() if help_text else usage.daemon_help(binary))
        sys.exit(0)
    try:
        positional = nova.conf.parse_args(argv, stop_at_positional=stop_at_positional,
                                          prog=binary)
    except nova.conf.FlagError as e:
        die('%s: %s' % (binary, e), 2)
    if positional and not stop_at_positional:
        die('%s: unexpected argument %r (flags look like --name=value)' % (
            binary, positional[0]), 2)
    nova_log.setup(binary)
    guru.install(binary)  # from here on, even stuck waiting for the DB, it can report
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


# young objects between collections (CPython's default: 700). A page of 1,000
# servers allocates about 100,000 dicts and lists that live until it is sent: at
# 700 the collector ran ~50 times per page, each pass walking the survivors again.
GC_YOUNG_THRESHOLD = 5000


def settle_gc():
    """Keep the collector off what the daemon will hold until it exits: what is
    loaded by now (modules, classes, the apps: 130,000 objects in nova-api) moves to the
    permanent generation that no collection walks, and young collections run less
    often. Without it, cyclic GC was 40% of nova-api's CPU for a list of 1,000
    servers (doc/performance.md). Before a fork, it also keeps the children from
    writing to the pages they share with the parent (the GC headers of old objects)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def run(services, on_started=None):
    """Start services (built after init), call on_started, then wait for SIGTERM/SIGINT."""
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
    settle_gc()  # the services and their managers are loaded
    if on_started is not None:
        on_started()
    launcher.wait()
    return 0
