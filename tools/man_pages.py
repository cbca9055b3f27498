#!/usr/bin/env python3
"""Rewrite the generated sections of doc/man/*.rst from what the programs declare.

The prose of each man page is written by hand; its OPTIONS (every flag the
program reads, from the registered oslo.config options, as ``--help`` lists
them) and nova-manage's COMMANDS (every category, command and argument) are
generated between ``.. BEGIN GENERATED`` and ``.. END GENERATED`` so that a
page never drifts from the code. ``tools/man_pages.py`` rewrites the pages;
``--check`` exits 1 naming each page that differs (a test runs it, so a flag
or command added without regenerating fails the suite).
"""
import argparse
import os
import re
import sys
import warnings

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, REPO)
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

import nova.conf  # noqa: E402
from nova.cmd import manage as manage_cmd  # noqa: E402
from nova.cmd import usage  # noqa: E402
from nova.conf import paths  # noqa: E402

MAN_DIR = os.path.join(REPO, 'doc', 'man')
BEGIN, END = '.. BEGIN GENERATED', '.. END GENERATED'
# defaults that name this checkout: the page shows where they point, not one machine's path
TOPDIR = os.path.dirname(paths._PYBASEDIR)
_RST_SPECIAL = re.compile(r'([\\*`|_\[\]])')


def pages():
    """{program: rst path} for every program that has a --help (all get a page)."""
    programs = list(usage.PROGRAMS) + ['nova-dhcpbridge']
    return {name: os.path.join(MAN_DIR, name + '.rst') for name in programs}


def escape(text):
    """Text with rst markup characters made literal."""
    return _RST_SPECIAL.sub(r'\\\1', text)


def _default(opt):
    if opt.sample_default is not None:
        value = opt.sample_default
    elif opt.secret and opt.default:
        value = nova.conf.MASK
    elif isinstance(opt.default, list):
        value = ','.join(str(v) for v in opt.default)
    else:
        value = '' if opt.default is None else str(opt.default)
    value = value.replace(TOPDIR, 'TOPDIR')
    if not value or value.strip() != value:
        return '(empty)' if not value.strip() else repr(value)
    # a long list is cut after its separators: man cannot break inside a literal
    pieces = re.split(r'(?<=[,;])', value) if len(value) > 40 else [value]
    return ' '.join('``%s``' % piece.strip() for piece in pieces if piece.strip())


def _spelled(opt):
    kind = type(opt.type).__name__
    if kind == 'Boolean':
        return '``--%s``, ``--no%s``' % (opt.dest, opt.dest)
    metavar = opt.metavar or kind.upper().replace('STRING', 'VALUE')
    return '``--%s=%s``' % (opt.dest, metavar)


def options_rst(binary):
    """The OPTIONS section body: each area's flags as a definition list."""
    lines = []
    for name, module in usage._areas(binary):
        opts = sorted((opt for group in module.list_opts().values() for opt in group),
                      key=lambda o: o.dest)
        if not opts:
            continue
        summary = (module.__doc__ or '').strip().splitlines()[0] if module.__doc__ else ''
        title = '%s: %s' % (name, escape(summary.rstrip('.'))) if summary else name
        lines += [title, '-' * len(title), '']
        for opt in opts:
            help_text = ' '.join((opt.help or '').split())
            body = escape(help_text) + ' ' if help_text else ''
            if getattr(opt.type, 'choices', None):
                body += 'One of %s. ' % ', '.join(
                    '``%s``' % c for c in opt.type.choices if c is not None)
            lines += [_spelled(opt), '    %sDefault: %s.' % (body, _default(opt)), '']
    return '\n'.join(lines)


def _argument(action):
    """How one argparse argument is written on the command line."""
    metavar = action.metavar or (action.dest.upper() if action.option_strings else action.dest)
    if isinstance(metavar, tuple):
        metavar = ' '.join(metavar)
    if not action.option_strings:
        word = metavar
        if action.nargs in ('*', '?'):
            word = '[%s]' % word
        if action.nargs in ('*', '+'):
            word += ' ...'
        return word
    word = action.option_strings[0]
    if action.nargs != 0:
        word += ' ' + metavar
    return word if action.required else '[%s]' % word


def _command_parser(category, name, func):
    parser = argparse.ArgumentParser(prog='nova-manage %s %s' % (category.name, name))
    for names, kwargs in func._command_args:
        parser.add_argument(*names, **kwargs)
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


def commands_rst():
    """nova-manage's COMMANDS section body: each category, command and argument."""
    lines = []
    for category in manage_cmd.CATEGORIES:
        title = '%s: %s' % (category.name, escape(category.help))
        lines += [title, '-' * len(title), '']
        for name, func in category.commands().items():
            actions = _command_parser(category, name, func)
            synopsis = ' '.join(['nova-manage', category.name, name] +
                                [_argument(a) for a in actions])
            lines += ['``%s``' % synopsis, '    %s' % escape(func._command_help), '']
            for action in actions:  # those the synopsis does not explain by itself
                text = escape(' '.join((action.help or '').split()))
                if action.choices:
                    text += ' One of %s.' % ', '.join('``%s``' % c for c in action.choices)
                if text:
                    spelled = ', '.join(action.option_strings) or action.dest
                    lines += ['    ``%s``' % spelled, '        %s' % text.strip(), '']
    return '\n'.join(lines)


def generated(binary):
    body = commands_rst() + '\n\nFLAGS\n=====\n\n' if binary == 'nova-manage' else ''
    return body + options_rst(binary)


def render(path, binary):
    """The page at path with its generated section replaced."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit('%s: no %r ... %r markers' % (path, BEGIN, END))
    head = text[:text.index('\n', start) + 1]
    return '%s\n%s\n\n%s' % (head, generated(binary).rstrip('\n'), text[end:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if a page differs from what it would be rewritten to')
    args = parser.parse_args(argv)
    stale = []
    for binary, path in pages().items():
        if not os.path.exists(path):
            stale.append('%s: missing (every program needs a page)' % path)
            continue
        new = render(path, binary)
        with open(path, encoding='utf-8') as f:
            if f.read() == new:
                continue
        if args.check:
            stale.append('%s: out of date' % path)
        else:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(new)
    if stale:
        sys.stderr.write('\n'.join(stale) + '\nrun tools/man_pages.py to regenerate\n')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
