"""Verka's framework-free core: FEEL, DMN, BPMN, the process runtime and form validation.

Nothing under this package may import Django, a database driver or do network I/O; the build
checks it (tests/test_layering.py).
"""
