"""XAPI's failures: an error code and its string parameters, as ErrorDescription carries them."""


class XapiError(Exception):
    """Raised by a handler; the server answers {'Status': 'Failure', 'ErrorDescription':
    [code, *params]} (every parameter a string, as XAPI sends them)."""

    def __init__(self, code, *params):
        super().__init__(code, *params)
        self.description = [code] + [str(p) for p in params]


def handle_invalid(cls, ref):
    return XapiError('HANDLE_INVALID', cls, ref)


def bad_power_state(vm_ref, expected, actual):
    """VM_BAD_POWER_STATE [vm, expected, actual], the states in lower case as XAPI names them."""
    return XapiError('VM_BAD_POWER_STATE', vm_ref, expected.lower(), actual.lower())
