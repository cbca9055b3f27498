"""TCP forwarding between network namespaces, for tests (no eventlet, plain threads).

Each rule ``LNS,LHOST,LPORT,CNS,CHOST,CPORT`` listens on LHOST:LPORT inside
namespace LNS and forwards every connection to CHOST:CPORT inside namespace
CNS ('-' is the namespace this process started in). A socket belongs to the
namespace its thread was in when it was made, and setns changes only the
calling thread, so each thread enters the namespace it needs. Prints
'ready' once every listener is bound; stops on SIGTERM.
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_HOME = os.open('/proc/self/ns/net', os.O_RDONLY)


def _enter(ns):
    fd = _HOME if ns == '-' else os.open('/run/netns/%s' % ns, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns %s' % ns)
    finally:
        if fd != _HOME:
            os.close(fd)


def _pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(listener, cns, chost, cport):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_connect, args=(client, cns, chost, cport), daemon=True).start()


def _connect(client, cns, chost, cport):
    _enter(cns)
    try:
        upstream = socket.create_connection((chost, cport), timeout=10)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
    _pipe(upstream, client)


def main(rules):
    threads = []
    for rule in rules:
        lns, lhost, lport, cns, chost, cport = rule.split(',')
        _enter(lns)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((lhost, int(lport)))
        listener.listen(64)
        _enter('-')
        threads.append(threading.Thread(target=_serve, args=(listener, cns, chost, int(cport)),
                                        daemon=True))
    for thread in threads:
        thread.start()
    print('ready', flush=True)
    threading.Event().wait()


if __name__ == '__main__':
    main(sys.argv[1:])
