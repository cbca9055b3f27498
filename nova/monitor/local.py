"""The monitor's reads answered from this machine's archives, without RPC.

nova-manage asks the monitor of an instance's host over RPC, like the APIs do;
but a cloud on in-process RPC (nova-all with --transport_url=inproc://) has
no monitor another process can call. There nova-manage, run on nova-all's
machine with its flagfile, reads the archives under --monitor_path itself,
through the same functions the monitor answers with.
"""
import os

from nova import exception
from nova.conf import CONF
from nova.monitor import archives, statistics


class LocalArchives:
    """get_statistics and get_rates of InstanceMonitorAPI, read from local files."""

    def _store(self, host):
        if not os.path.isdir(os.path.join(CONF.monitor_path, host)):
            raise exception.NotFound(
                'no archives of host %s under %s: with in-process RPC (--transport_url='
                'inproc://) nova-manage reads the archives of nova-all\'s machine; run it '
                'there with nova-all\'s flagfile' % (host, CONF.monitor_path))
        return archives.ArchiveStore(CONF.monitor_path, host, CONF.monitoring_instances_step)

    def get_statistics(self, ctxt, host, queries):
        return statistics.answer_statistics(self._store(host), queries)

    def get_rates(self, ctxt, host, queries):
        return statistics.answer_rates(self._store(host), queries)
