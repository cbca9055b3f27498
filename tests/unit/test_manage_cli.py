"""nova-manage's command words: prefixes, usage errors, table output."""
import io

from nova import manage
from nova.manage import Category, arg, command


class Fruit(Category):
    name = 'fruit'
    help = 'Fruit'
    seen = []

    @command('List', arg('--colour'))
    def list(self, colour=None):
        Fruit.seen.append(('list', colour))

    @command('Lick')
    def lick(self):
        Fruit.seen.append(('lick',))


class Flower(Category):
    name = 'flower'
    help = 'Flower'


def run(words):
    out, err = io.StringIO(), io.StringIO()
    return manage.dispatch([Fruit, Flower], words, out, err), out.getvalue(), err.getvalue()


def test_unique_prefix_runs_command():
    Fruit.seen.clear()
    assert run(['fru', 'lis', '--colour', 'red'])[0] == 0
    assert Fruit.seen == [('list', 'red')]


def test_ambiguous_prefix_is_usage_error():
    code, _, err = run(['f', 'list'])
    assert code == 2 and 'ambiguous' in err and 'flower' in err
    code, _, err = run(['fruit', 'li'])
    assert code == 2 and 'ambiguous' in err


def test_unknown_words_and_bad_args_exit_2():
    assert run(['nope'])[0] == 2
    assert run(['fruit'])[0] == 2
    assert run(['fruit', 'list', '--bogus'])[0] == 2
    assert run([])[0] == 2


def test_table_aligns_columns():
    out = io.StringIO()
    manage.print_table(['A', 'Long'], [['xyz', 1], [None, 'b']], out)
    assert out.getvalue().splitlines() == ['A    Long', '---  ----', 'xyz  1', '     b']


def test_category_help_lists_its_commands(capsys):
    for words in (['fruit', '--help'], ['fruit', '-h'], ['fru', 'help'], ['help', 'fruit']):
        code, out, _ = run(words)
        assert code == 0, words
        assert 'usage: nova-manage fruit COMMAND' in out and 'lick' in out and 'list' in out
    code, _out, _ = run(['fruit', 'list', '--help'])  # argparse's, for one command
    assert code == 0 and '--colour' in capsys.readouterr().out
