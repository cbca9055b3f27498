"""Test files handed out one at a time to the concurrent pytest processes of make test.

tools/run_tests.py starts several pytest processes on the same test paths with
NOVA_TEST_QUEUE naming a directory they share. Each collects everything, then runs
only the test files it claims, in collection order, the next unclaimed file at a
time: whichever process is free takes the next file, so the processes end together
without anyone keeping a table of test times. A file is never split, so a module's
daemons start once; session fixtures (the client tests' cloud) start once per
process that needs them. Each failure is also written to the directory's
``failures`` as it happens, so that a process killed before its summary (a
pytest-timeout expiry ends it with os._exit) still says what failed. Without
NOVA_TEST_QUEUE this plugin does nothing.
"""
import collections
import fcntl
import os

import pytest


class FileQueue:
    """The files claimed so far, one per line in ``claimed``, under an flock."""

    def __init__(self, directory, files):
        self.path = os.path.join(directory, 'claimed')
        self.files = files

    def claim(self):
        """The first file nobody has claimed yet, now ours; None when all are taken."""
        with open(self.path, 'a+') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            taken = set(f.read().splitlines())
            for name in self.files:
                if name not in taken:
                    f.write(name + '\n')
                    f.flush()
                    return name
            return None


def pytest_runtest_logreport(report):
    directory = os.environ.get('NOVA_TEST_QUEUE')
    if directory and report.failed:
        with open(os.path.join(directory, 'failures'), 'a') as f:
            f.write('%s (%s)\n' % (report.nodeid, report.when))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    directory = os.environ.get('NOVA_TEST_QUEUE')
    if not directory:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted('%d error(s) during collection' % session.testsfailed)
    if session.config.option.collectonly:
        return True
    by_file = collections.OrderedDict()
    for item in session.items:
        by_file.setdefault(item.nodeid.split('::', 1)[0], []).append(item)
    queue = FileQueue(directory, list(by_file))
    current = queue.claim()
    while current is not None:
        # claim the next file before the last test of this one, so that its nextitem
        # keeps session fixtures up instead of tearing everything down
        following = queue.claim()
        items = by_file[current]
        for i, item in enumerate(items):
            if i + 1 < len(items):
                nextitem = items[i + 1]
            else:
                nextitem = by_file[following][0] if following is not None else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        current = following
    return True
