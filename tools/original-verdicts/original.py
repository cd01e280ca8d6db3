"""Loads Nodepool 9.0.0's own configuration validator from its released sources, so that its
verdicts can be recorded. Only the validator runs: the cloud SDKs, paramiko, statsd and the other
libraries its drivers import at module level (but the validator never calls) are replaced by
inert stand-ins. Needs Debian's python3-yaml, python3-voluptuous and python3-kazoo.

    NODEPOOL_REF=/path/to/nodepool-9.0.0 /usr/bin/python3 original.py FILE...   # prints: FILE RC
"""
import importlib.abc
import importlib.machinery
import logging
import os
import sys
import types

REFERENCE = os.environ.get('NODEPOOL_REF', os.path.join(os.path.dirname(__file__), '../../../shared/reference/nodepool-9.0.0'))
sys.path.insert(0, REFERENCE)

# Imported for real: what the validator itself uses.
REAL = {'yaml', 'voluptuous', 'kazoo', 'nodepool'}
# Python's own optional imports that must keep failing as usual.
NEVER = {'org', 'java', 'winreg', 'nt', 'msvcrt', '_winapi'}


class _Inert(type):
    """A class whose every attribute is another such class: stands for any SDK object."""

    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Inert(name, (_Anything,), {})


class _Anything(metaclass=_Inert):
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Inert(name, (_Anything,), {})

    def __iter__(self):
        return iter(())

    def __str__(self):
        return '9.0.0'


class _StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        qualified = f'{self.__name__}.{name}'
        if qualified in sys.modules:
            return sys.modules[qualified]
        stand_in = _Inert(name, (_Anything,), {})
        setattr(self, name, stand_in)
        return stand_in


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a stand-in for any third-party module that is not installed."""

    def find_spec(self, name, path, target=None):
        top = name.split('.')[0]
        if top in REAL or top in NEVER or top in sys.stdlib_module_names or name in sys.modules:
            return None
        if path is None and importlib.machinery.PathFinder.find_spec(top) is not None:
            return None
        if path is not None and not isinstance(sys.modules.get(name.rpartition('.')[0]), _StandInModule):
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = _StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _StandIns())

from nodepool.cmd.config_validator import ConfigValidator  # noqa: E402


def verdict(path):
    """`nodepool config-validate`'s exit code: 0 valid, 1 invalid (a crash, too, exits 1)."""
    try:
        return ConfigValidator(path).validate()
    except Exception:
        return 1


if __name__ == '__main__':
    logging.basicConfig(level=logging.ERROR, format='%(message)s', stream=sys.stderr)
    for file in sys.argv[1:]:
        print(file, verdict(file), flush=True)
