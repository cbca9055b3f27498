"""Record how long each test file took, for tools/run_tests.py's shard balancing.

Active only when NOVA_TEST_TIMES names a file: at the end of the session it
gets a JSON object {test file: seconds}, the sum of every phase (setup, call,
teardown) of that file's tests, so a module's daemon start-up counts too.
"""
import collections
import json
import os

_times = collections.Counter()


def pytest_runtest_logreport(report):
    if os.environ.get('NOVA_TEST_TIMES'):
        _times[report.nodeid.split('::', 1)[0]] += report.duration


def pytest_sessionfinish(session):
    path = os.environ.get('NOVA_TEST_TIMES')
    if path and _times:
        with open(path, 'w') as f:
            json.dump({name: round(seconds, 2) for name, seconds in sorted(_times.items())},
                      f, indent=0)
