"""tinyir: a multi-level IR compiler for tensor programs, on xDSL."""

__version__ = "0.1.0"


def __getattr__(name: str):  # lazy: `import tinyir` stays cheap for the command-line tools
    if name in ("Tensor", "dtypes", "nn", "Device"):
        import tinyir.frontend as frontend

        return getattr(frontend, name)
    if name == "TinyJit":
        from tinyir.runtime.jit import TinyJit

        return TinyJit
    raise AttributeError(f"module 'tinyir' has no attribute {name!r}")
