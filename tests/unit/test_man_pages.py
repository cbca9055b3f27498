"""The man pages (doc/man/*.rst) are complete, current, render cleanly and are installed.

A flag or nova-manage command added without regenerating the pages
(tools/man_pages.py) fails here, as does markup that man warns about; markup
rst2man warns about already fails the build (setup.py's build_man_pages).
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, os.path.join(REPO, 'tools'))
try:
    import man_pages
finally:
    sys.path.remove(os.path.join(REPO, 'tools'))

from nova.cmd import manage as manage_cmd  # noqa: E402

MAN = shutil.which('man')
needs_man = pytest.mark.skipif(not MAN, reason='man (man-db) is not installed: '
                               'tools/install_deps.sh installs it')


def _render(page):
    """(text, warnings) of `man -l page`, wide so that no name is hyphenated."""
    env = dict(os.environ, MANWIDTH='250', LC_ALL='C.UTF-8', MAN_DISABLE_SECCOMP='1')
    result = subprocess.run([MAN, '--warnings', '-l', page], capture_output=True,
                            text=True, env=env, check=True)
    return result.stdout, result.stderr


@pytest.fixture(scope='module')
def installed():
    """{program: page} as `man PROGRAM` finds it after install (make venv): the venv's
    bin on PATH is how man finds the venv's share/man."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep +
               os.environ.get('PATH', ''))
    env.pop('MANPATH', None)
    pages = {}
    for program in man_pages.pages():
        found = subprocess.run([MAN, '-w', program], capture_output=True, text=True, env=env)
        assert found.returncode == 0, '%s is not installed: run make venv (%s)' % (
            program, found.stderr.strip())
        pages[program] = found.stdout.strip()
    return pages


def test_pages_are_what_the_code_declares_today():
    stale = [path for program, path in man_pages.pages().items()
             if open(path, encoding='utf-8').read() != man_pages.render(path, program)]
    assert not stale, 'run tools/man_pages.py: %s' % stale


@needs_man
def test_installed_pages_render_without_warnings_and_name_every_flag(installed):
    """Complete and current: every flag each program reads today is on its page."""
    for program, page in installed.items():
        text, warnings = _render(page)
        assert warnings == '', '%s: %s' % (page, warnings)
        text = ' '.join(text.split())  # a long synopsis wraps
        assert 'SYNOPSIS' in text and 'EXIT STATUS' in text and 'EXAMPLES' in text
        flags = {opt.dest for _name, module in man_pages.usage._areas(program)
                 for group in module.list_opts().values() for opt in group}
        missing = sorted(f for f in flags if '--%s' % f not in text)
        assert not missing, '%s lacks %s: run make venv' % (page, missing)
        if program == 'nova-manage':
            commands = ['nova-manage %s %s' % (category.name, command)
                        for category in manage_cmd.CATEGORIES
                        for command in category.commands()]
            assert [c for c in commands if c not in text] == [], page


def test_flags_named_in_the_prose_exist():
    """A hand-written --flag in a page's prose or examples is a real one."""
    known = {opt.dest for _group, opts in man_pages.nova.conf.list_opts() for opt in opts}
    known |= {'flagfile', 'config-file', 'help', 'version'}
    known |= {'leasefile-ro', 'dhcp-script', 'serial'}  # dnsmasq's and the openstack CLI's
    for program, path in man_pages.pages().items():
        with open(path, encoding='utf-8') as f:
            prose = f.read().split(man_pages.BEGIN)[0]  # what is written by hand
        for name in re.findall(r'(?<![\w-])--([a-z][\w-]*)', prose):
            assert name in known or name[2:] in known, '%s names --%s' % (program, name)
