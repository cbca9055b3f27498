#!/usr/bin/env python3
"""make test's test stage: pytest in concurrent shards, with other jobs beside them.

Why shards: most of the suite's time is spent waiting on the daemons, clients and
guests it starts, so one pytest process leaves a core idle. pytest-xdist cannot be
used (execnet hangs under the eventlet monkey patching of tests/conftest.py), so each
shard is a whole pytest process given whole test files (a module's daemons start
once, in one shard), balanced by the per-file times in tests/file_times.json (a file
missing there is estimated from its test count). Tests are already isolated from the
same tests running in another checkout (free ports, unique names), which is what
running them beside each other needs.

    tools/run_tests.py --shards 2 --also tools/tempest/run.sh -- -q -rs tests

Every job's output goes to its own log, printed whole when the job ends; the exit
status is non-zero when any job failed. --record writes the measured per-file
times back to tests/file_times.json.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMES = os.path.join(ROOT, 'tests', 'file_times.json')
# seconds per test function for files with no recorded time, by directory
ESTIMATE = {'unit': 0.05, 'functional': 0.5, 'clients': 5.0, 'integration': 8.0}
TEST_DEF = re.compile(rb'^\s*(?:async\s+)?def test_', re.M)


def test_files(paths):
    """The test files under ``paths`` (files or directories), relative to ROOT."""
    found = []
    for path in paths:
        path = os.path.relpath(os.path.join(ROOT, path), ROOT)
        if os.path.isfile(os.path.join(ROOT, path)):
            found.append(path)
            continue
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, path)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(('.', '_')))
            found.extend(os.path.relpath(os.path.join(dirpath, name), ROOT)
                         for name in sorted(filenames)
                         if name.startswith('test_') and name.endswith('.py'))
    return found


def estimated_seconds(path, recorded):
    if path in recorded:
        return recorded[path]
    with open(os.path.join(ROOT, path), 'rb') as f:
        count = len(TEST_DEF.findall(f.read()))
    parts = path.split(os.sep)
    per_test = ESTIMATE.get(parts[1] if len(parts) > 2 else '', 1.0)
    return max(count, 1) * per_test


def balance(files, shards, recorded):
    """Whole files onto ``shards`` lists, longest first onto the least loaded shard."""
    loads = [[0.0, []] for _ in range(shards)]
    for path in sorted(files, key=lambda p: -estimated_seconds(p, recorded)):
        lightest = min(loads, key=lambda load: load[0])
        lightest[0] += estimated_seconds(path, recorded)
        lightest[1].append(path)
    # each shard runs its files in the suite's own order (unit before functional...)
    order = {path: i for i, path in enumerate(files)}
    return [(seconds, sorted(paths, key=order.get)) for seconds, paths in loads if paths]


class Job:
    def __init__(self, name, argv, logdir, env=None):
        self.name = name
        self.log_path = os.path.join(logdir, re.sub(r'\W+', '-', name) + '.log')
        self.started = time.monotonic()
        self.log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL)
        self.seconds = None

    def summary(self):
        """pytest's or tempest's last summary line, for the progress report."""
        with open(self.log_path, 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').splitlines()
        for line in reversed(lines):
            if re.search(r'\b(passed|failed|error|Totals|Passed)\b', line):
                return line.strip('= ')
        return lines[-1] if lines else ''


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shards', type=int, default=2)
    parser.add_argument('--also', action='append', default=[], metavar='COMMAND',
                        help='another job to run beside the shards (split on spaces)')
    parser.add_argument('--record', action='store_true',
                        help='write the measured per-file times to %s' % TIMES)
    parser.add_argument('pytest_args', nargs='*',
                        help='after --: pytest options and the test files or directories')
    args = parser.parse_args()
    # the arguments naming test files or directories are split; the rest go to every shard
    paths = [a for a in args.pytest_args
             if not a.startswith('-') and os.path.exists(os.path.join(ROOT, a))]
    options = [a for a in args.pytest_args if a not in paths]
    paths = paths or ['tests']
    files = test_files(paths)
    recorded = {}
    if os.path.exists(TIMES):
        with open(TIMES) as f:
            recorded = json.load(f)

    logdir = tempfile.mkdtemp(prefix='nova-tests-')
    shards = balance(files, max(args.shards, 1), recorded)
    jobs = []
    for command in args.also:
        jobs.append(Job(command, command.split(), logdir))
    for i, (seconds, shard_files) in enumerate(shards, 1):
        env = dict(os.environ, NOVA_TEST_TIMES=os.path.join(logdir, 'times-%d.json' % i))
        name = 'pytest shard %d of %d' % (i, len(shards))
        print('%s: %d files, about %.0f s' % (name, len(shard_files), seconds), flush=True)
        jobs.append(Job(name, [sys.executable, '-m', 'pytest'] + options + shard_files,
                        logdir, env=env))

    failed = []
    running = list(jobs)
    while running:
        for job in list(running):
            if job.proc.poll() is None:
                continue
            running.remove(job)
            job.log.close()
            job.seconds = time.monotonic() - job.started
            status = 'ok' if job.proc.returncode == 0 else 'FAILED (exit %d)' % job.proc.returncode
            print('\n######## %s: %s in %.0f s: %s\n' % (job.name, status, job.seconds,
                                                     job.summary()), flush=True)
            with open(job.log_path, 'rb') as f:
                sys.stdout.buffer.write(f.read())
            sys.stdout.flush()
            if job.proc.returncode != 0:
                failed.append(job.name)
        time.sleep(1)

    print('\n######## jobs:')
    for job in jobs:
        print('  %-28s %6.0f s  %s' % (job.name, job.seconds, job.summary()))
    measured = {}
    for i in range(1, len(shards) + 1):
        path = os.path.join(logdir, 'times-%d.json' % i)
        if os.path.exists(path):
            with open(path) as f:
                measured.update(json.load(f))
    if args.record and measured:
        recorded.update(measured)
        with open(TIMES, 'w') as f:
            json.dump(dict(sorted(recorded.items())), f, indent=0)
            f.write('\n')
        print('recorded the times of %d files in %s' % (len(measured), TIMES))
    if failed:
        print('FAILED: %s' % ', '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
