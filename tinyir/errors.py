"""The error type for user mistakes: tools print its message and exit 1, without a traceback."""


class TinyirError(Exception):
    """A user-facing error (bad input, unsupported feature on a device, ...)."""


class TensorArgumentError(TinyirError):
    """A Tensor API call given a bad argument (a shape, an axis, an index, data, a dtype): the
    message names the call and the argument. Raised as one of the subclasses below, which are also
    the builtin exception Python code expects there, so `except ValueError` keeps working."""


class TensorValueError(TensorArgumentError, ValueError):
    """An argument of the right type with a bad value (a negative size, a ragged list, ...)."""


class TensorTypeError(TensorArgumentError, TypeError):
    """An argument of the wrong type (a float size or axis, a string as data, ...)."""


class TensorIndexError(TensorArgumentError, IndexError):
    """An axis or index out of range."""
