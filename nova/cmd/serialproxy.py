"""nova-serialproxy daemon: websockets to instances' serial consoles (:6083)."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-serialproxy', argv, need_rpc=False)
    from nova import service
    return common.run([lambda: service.WSGIService('serialproxy')])
