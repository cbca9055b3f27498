#!/usr/bin/env python3
"""make test's test stage: concurrent pytest processes, with other jobs beside them.

Why: most of the suite's time is spent waiting on the daemons, clients and guests
it starts, so one pytest process leaves a core idle. pytest-xdist cannot be used
(execnet hangs under the eventlet monkey patching of tests/conftest.py), so
``--shards`` whole pytest processes run the same paths and take test files from a
shared queue, one file at a time (tests/harness/shard_queue.py). Tests are already
isolated from the same tests running in another checkout (free ports, unique
names), which is what running them beside each other needs.

    tools/run_tests.py --shards 2 --also tools/tempest/run.sh -- -q -rs tests

Every job's output goes to its own log, printed whole when the job ends, and a
last table lists each job's result and time; the exit status is non-zero when any
job failed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Job:
    """One command with its output in a log file of its own."""

    def __init__(self, name, argv, logdir, env=None):
        self.name = name
        self.log_path = os.path.join(logdir, re.sub(r'\W+', '-', name) + '.log')
        self.started = time.monotonic()
        self.seconds = None
        with open(self.log_path, 'wb') as log:
            self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env)

    def finished(self):
        if self.seconds is None and self.proc.poll() is not None:
            self.seconds = time.monotonic() - self.started
        return self.seconds is not None

    def summary(self):
        """The last line that sums the job up (pytest's or tempest's totals)."""
        with open(self.log_path, 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').splitlines()
        for line in reversed(lines):
            if re.search(r'\b(passed|failed|errors?|Passed|Failed)\b', line):
                return line.strip('=+ ')
        return lines[-1].strip() if lines else '(no output)'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shards', type=int, default=2,
                        help='concurrent pytest processes (default 2)')
    parser.add_argument('--also', action='append', default=[], metavar='COMMAND',
                        help='another job to run beside them (split on spaces)')
    parser.add_argument('pytest_args', nargs='*',
                        help='after --: the arguments of every pytest process')
    args = parser.parse_args()

    logdir = tempfile.mkdtemp(prefix='nova-tests-')
    jobs = [Job(command, command.split(), logdir) for command in args.also]
    shards = max(args.shards, 1)
    env = dict(os.environ, NOVA_TEST_QUEUE=logdir)
    for i in range(1, shards + 1):
        jobs.append(Job('pytest %d of %d' % (i, shards),
                        [sys.executable, '-m', 'pytest'] + args.pytest_args, logdir, env=env))
    print('%s: logs in %s' % (', '.join(job.name for job in jobs), logdir), flush=True)

    waiting = list(jobs)
    while waiting:
        for job in [job for job in waiting if job.finished()]:
            waiting.remove(job)
            status = 'ok' if job.proc.returncode == 0 else 'FAILED (exit %d)' % job.proc.returncode
            print('\n######## %s: %s in %.0f s\n' % (job.name, status, job.seconds), flush=True)
            with open(job.log_path, 'rb') as f:
                sys.stdout.buffer.write(f.read())
            sys.stdout.flush()
        time.sleep(1)

    print('\n######## every job:')
    for job in jobs:
        print('  %-24s %-9s %5.0f s  %s' % (job.name, 'ok' if job.proc.returncode == 0 else
                                           'FAILED', job.seconds, job.summary()))
    failures = os.path.join(logdir, 'failures')
    if os.path.exists(failures):
        with open(failures) as f:
            print('\n######## tests that failed, as they failed:\n' + f.read(), end='')
    return 1 if any(job.proc.returncode != 0 for job in jobs) else 0


if __name__ == '__main__':
    sys.exit(main())
