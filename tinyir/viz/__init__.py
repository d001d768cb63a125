"""Looking at what the compiler did: the rewrite page (VIZ=1, `tinyir-viz`), graph drawings
(GRAPH=1) and, in tinyir/runtime/profile.py, the Chrome trace (PROFILE=1). See docs/viz.md."""
