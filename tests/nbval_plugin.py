"""pytest plugin for nbval, loaded with ``-p tests.nbval_plugin`` (see the Makefile).

TensorFlow writes log lines to stderr at moments that vary from run to run; they are not
part of what a notebook teaches, so checked cells compare stdout and results only.
"""


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):
        collector.skip_compare += ("stderr",)
