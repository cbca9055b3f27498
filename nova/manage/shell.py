"""nova-manage shell: a Python prompt with the flags loaded and nova imported."""
import code

from nova.manage import Category, arg, command


class ShellCommands(Category):
    name = 'shell'
    help = 'Interactive shell: python'

    @command('Start a Python shell (or run a script) with the flags loaded',
             arg('script', nargs='?', help='run this file instead of a prompt'))
    def python(self, script=None):
        from nova import context as nova_context
        from nova.db import api as db
        namespace = {'db': db, 'context': nova_context.get_admin_context(),
                     '__name__': '__main__'}
        if script:
            with open(script, encoding='utf-8') as f:
                exec(compile(f.read(), script, 'exec'), namespace)
            return
        code.interact(banner='nova shell: db, context are loaded', local=namespace)
