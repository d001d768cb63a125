"""The error type for user mistakes: tools print its message and exit 1, without a traceback."""


class TinyirError(Exception):
    """A user-facing error (bad input, unsupported feature on a device, ...)."""
