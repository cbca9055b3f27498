"""Run the XAPI test server as a process: prints one JSON line ({"url", "port"}) when ready."""
import argparse
import json
import signal
import sys
import threading

from tests.harness.xapi.server import XapiServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.harness.xapi')
    parser.add_argument('--listen', action='append', default=[],
                        help='address of a pool host (repeat; the first is the master)')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--data-dir', required=True)
    parser.add_argument('--bridge', action='append', default=[],
                        help='a network record on this bridge (repeat)')
    parser.add_argument('--memory-mb', type=int, default=32768)
    parser.add_argument('--cpus', type=int, default=8)
    parser.add_argument('--disk-gb', type=int, default=200)
    parser.add_argument('--username', default='root')
    parser.add_argument('--password', default='secret')
    parser.add_argument('--real-iscsi', action='store_true',
                        help='PBD.plug logs into real iSCSI targets (qemu-img, libiscsi)')
    args = parser.parse_args(argv)
    server = XapiServer(addresses=tuple(args.listen or ['127.0.0.1']), port=args.port,
                        data_dir=args.data_dir, bridges=tuple(args.bridge or ['xenbr0']),
                        memory_mb=args.memory_mb, cpus=args.cpus, disk_gb=args.disk_gb,
                        username=args.username, password=args.password,
                        real_iscsi=args.real_iscsi).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(json.dumps({'url': server.url(), 'port': server.port}), flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
