# lit tests of the C target plugin: `lit -v examples/c_target/test` (the plugin must be installed).
import os
import sys

import lit.formats

config.name = "tinyir-c-target"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")
config.environment["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
for var in ("HOME", "TMPDIR", "CC"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
config.substitutions.append(("%roundtrip", "tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s"))
