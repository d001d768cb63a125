import os
import shutil
import sys

import lit.formats

config.name = "tinyir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["Inputs", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")
root = os.path.dirname(os.path.dirname(config.test_source_root))
bindir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
config.environment["PYTHONPATH"] = root
for var in ("HOME", "TMPDIR", "POCL_CACHE_DIR", "XDG_CACHE_HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%root", root))
# Round-trip: print generic, parse back, print custom again and compare with FileCheck input.
config.substitutions.append(
    ("%roundtrip", "tinyir-opt %s --mlir-print-op-generic | tinyir-opt | filecheck %s")
)
if shutil.which("ptxas"):
    config.available_features.add("ptxas")
