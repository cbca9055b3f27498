"""nova-manage: the admin CLI. ``nova-manage [flags] CATEGORY COMMAND [args]``.

Categories and commands match by unique prefix (``nova-manage serv li``), as
in the classic tool. A command is a method decorated with ``@command`` that
names its arguments in argparse terms; bad arguments print usage and exit 2,
a NovaException prints its message and exits 1.
"""
import argparse
import sys

from nova import exception
from nova import i18n
from nova.i18n import _


class UsageError(Exception):
    """Wrong words on the command line: usage is printed, exit 2."""


def command(help, *arguments):
    """Declare a command: ``@command('Help', (['host'], {'help': ...}), ...)``."""
    def decorator(func):
        func._command_help = help
        func._command_args = arguments
        return func
    return decorator


def arg(*names, **kwargs):
    return (list(names), kwargs)


class Category:
    """A group of commands; subclasses set ``name`` and ``help``."""

    name = None
    help = ''

    @classmethod
    def commands(cls):
        return {name.replace('_', '-'): getattr(cls, name) for name in sorted(dir(cls))
                if hasattr(getattr(cls, name), '_command_help')}


# whole sentences per kind of word, so that each language can say them its own way
AMBIGUOUS = {'category': _('category %r is ambiguous: %s'),
             'command': _('command %r is ambiguous: %s')}
UNKNOWN = {'category': _('unknown category %r; choose from: %s'),
           'command': _('unknown command %r; choose from: %s')}


def match(word, choices, kind):
    """Exact name, else the one choice that starts with word (kind: category|command)."""
    if word in choices:
        return word
    hits = [c for c in choices if c.startswith(word)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise UsageError(AMBIGUOUS[kind] % (word, ', '.join(sorted(hits))))
    raise UsageError(UNKNOWN[kind] % (word, ', '.join(sorted(choices))))


def say(message, out=None):
    """Print a message (nova.i18n._) to the user, in their locale where Nova has a catalog."""
    (out or sys.stdout).write('%s\n' % i18n.translate(message, i18n.user_language()))


def print_table(headers, rows, out=None):
    """Columns padded to their widest cell, a dashed rule under the header."""
    out = out or sys.stdout
    rows = [['' if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = '  '.join('%-*s' % (w, h) for w, h in zip(widths, headers))
    out.write(line.rstrip() + '\n')
    out.write('  '.join('-' * w for w in widths) + '\n')
    for row in rows:
        out.write('  '.join('%-*s' % (w, c) for w, c in zip(widths, row)).rstrip() + '\n')


USAGE = ('usage: nova-manage [--flagfile=PATH] [--name=value ...] [-h | --help] [--version]\n'
         '                   CATEGORY COMMAND [args]\n'
         '       nova-manage CATEGORY --help; nova-manage CATEGORY COMMAND --help\n\n')


def usage(categories, out):
    out.write(USAGE)
    for category in categories:
        category_usage(category, out)


def category_usage(category, out):
    out.write('  %-10s %s\n' % (category.name, category.help))
    for name, func in category.commands().items():
        out.write('      %-14s %s\n' % (name, func._command_help))


HELP_WORDS = ('help', '-h', '--help')


def dispatch(categories, words, out=None, err=None):
    """Run one command; return the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    by_name = {c.name: c for c in categories}
    try:
        if not words or words[0] in HELP_WORDS:
            if len(words) > 1:  # nova-manage help CATEGORY
                words = [words[1], '--help']
            else:
                usage(categories, out if words else err)
                return 0 if words else 2
        category = by_name[match(words[0], by_name, 'category')]
        commands = category.commands()
        if len(words) > 1 and words[1] in HELP_WORDS:
            out.write('usage: nova-manage %s COMMAND [args]  (COMMAND --help for its '
                      'arguments)\n\n' % category.name)
            category_usage(category, out)
            return 0
        if len(words) < 2:
            raise UsageError(_('%s needs a command: %s') % (category.name, ', '.join(commands)))
        name = match(words[1], commands, 'command')
        func = commands[name]
        parser = argparse.ArgumentParser(prog='nova-manage %s %s' % (category.name, name),
                                         description=func._command_help)
        for names, kwargs in func._command_args:
            parser.add_argument(*names, **kwargs)
        try:
            args = parser.parse_args(words[2:])
        except SystemExit as e:  # argparse printed its usage
            return 0 if e.code == 0 else 2
        result = func(category(), **vars(args))
        return result or 0
    except UsageError as e:
        err.write('nova-manage: %s\n' % i18n.translate(e.args[0], i18n.user_language()))
        usage(categories, err)
        return 2
    except exception.NovaException as e:  # in the user's locale where Nova has a catalog
        err.write('nova-manage: %s\n' % i18n.translate(e.format_message(),
                                                        i18n.user_language()))
        return 1
