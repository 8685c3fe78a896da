# make test       unit tests, the browser test and every notebook under nbval, quick mode (what CI runs)
# make notebooks  execute every notebook top to bottom in full mode, saving the outputs
# make browser    the browser test alone: JupyterLab + Debian's chromium through Playwright
# make bench      benchmarks/train_speed.py: every tutorial model four ways (~30 min)
# make bench-kernels  benchmarks/kernels.py: convolution GMAC/s, fused batch norm's gain
# make bench-live benchmarks/live_overhead.py: what helpers.live costs per epoch (T1, T3b)
# make bench-explorers  the explorers' response times in Chromium -> results/explorer_latency.json
# make seeds      train the six tutorial models with 4 more seeds -> results/seeds.json (~1 h)
# make ensemble   train notebook 07's extra ensemble members (about 15 min each on 2 cores)
# make lab        JupyterLab on notebooks/
# make student    the notebooks without their exercises' solutions -> student/
# make site       the website of the series from the committed notebooks -> build/site/html/
# make slides     JupyterLab with RISE: present any notebook as slides (Alt+R)
# make teach      install requirements-teach.txt (the site and the slides) into .venv
# The first target that needs Python creates .venv from requirements.txt.
# `python -m tests.slides` rewrites the notebooks' slide boundaries after new sections.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
TUTORIALS := $(sort $(wildcard notebooks/0[1-5]_*.ipynb))
TEST_ARGS ?=

export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: venv teach test unit browser notebooks tutorials seeds ensemble bench bench-kernels bench-live bench-explorers lab student site slides clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

teach: $(VENV)/.teach-installed

$(VENV)/.teach-installed: requirements-teach.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-teach.txt
	touch $@

test: venv
	MNIST_QUICK=1 $(PY) -m pytest -p tests.nbval_plugin tests $(NOTEBOOKS) \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=900 $(TEST_ARGS)

unit: venv
	$(PY) -m pytest tests --ignore=tests/test_browser.py $(TEST_ARGS)

browser: venv
	MNIST_QUICK=1 $(PY) -m pytest tests/test_browser.py $(TEST_ARGS)

notebooks: venv
	MNIST_QUICK=0 $(PY) -m tests.execute_notebooks $(NOTEBOOKS)

tutorials: venv
	MNIST_QUICK=0 $(PY) -m tests.execute_notebooks $(TUTORIALS)

seeds: venv
	MNIST_QUICK=0 $(PY) -m tests.seeds

ensemble: venv
	MNIST_QUICK=0 $(PY) -m helpers.further

bench: venv
	$(PY) benchmarks/train_speed.py

bench-kernels: venv
	$(PY) benchmarks/kernels.py

bench-live: venv
	MNIST_QUICK=0 $(PY) benchmarks/live_overhead.py

bench-explorers: venv
	rm -f results/explorer_latency.json
	MNIST_QUICK=1 EXPLORER_LATENCY_OUT=$(CURDIR)/results/explorer_latency.json \
		$(PY) -m pytest tests/test_browser.py -k explore -s -q

lab: venv
	$(VENV)/bin/jupyter lab notebooks/

student: venv
	$(PY) -m tests.student

site: teach
	$(PY) -m tests.site

slides: teach
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf artifacts .pytest_cache
