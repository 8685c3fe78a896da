# make help       this list
# make test       unit tests, the browser test and every notebook under nbval, quick mode (what CI runs)
# make notebooks  execute every notebook top to bottom in full mode, saving the outputs;
#                 NB="04 05": only those (prints their last committed times first)
# make browser    the browser test alone: JupyterLab + Debian's chromium through Playwright
# make bench      a benchmark, WHAT= one of: speed (the default: every tutorial model and 07's, four ways,
#                 long), probe (where the small models' epoch goes -> results/input_paths.json),
#                 input (what feeding 60,000 images costs), kernels (convolution GMAC/s, fused
#                 batch norm's gain), rerun (T3b on native kernels and held to AVX2), live (what
#                 helpers.live costs per epoch), explorers (the explorers' response times)
# make full-run   the whole committed record in order: notebooks, seeds, 04 and 06 again
#                 (they print the seed table), slide boundaries, the site pages' tables
# make seeds      train the seven tutorial models with 4 more seeds -> results/seeds.json;
#                 NB=04 SEEDS="8 9": only notebook 04's models, only those seeds (they accumulate)
# make ensemble   train notebook 07's extra ensemble members (each roughly as long as 07's own);
#                 SEEDS="8": only those, one or two at a time, on any day and machine
# make lab        JupyterLab on notebooks/, with RISE: Alt+R presents a notebook as slides
# make student    the notebooks without their exercises' solutions -> student/
# make pages      regenerate the site pages' tables (docs/) from results/
# make site       the website of the series from the committed notebooks -> build/site/html/
# make teach      install requirements-teach.txt (the site and the slides) into .venv
# make unit       the unit tests alone, without the browser test
# make venv       create .venv from requirements.txt (the first target that needs Python does it)
# make clean      remove artifacts/ (trained models, quick runs) and pytest's cache
# The first target that needs Python creates .venv from requirements.txt.
# `python -m tools.slides` rewrites the notebooks' slide boundaries after new sections.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
TEST_ARGS ?=
# Which notebooks (numbers) `make notebooks` and `make seeds` run, and which seeds.
NB ?=
SEEDS ?=

export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: help venv teach test unit browser notebooks full-run seeds ensemble bench lab student pages site clean

help:
	@sed -n 's/^# make /make /p' Makefile

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
	MNIST_QUICK=0 $(PY) -m tools.execute_notebooks $(if $(strip $(NB)),--nb $(NB),$(NOTEBOOKS))

# 04 and 06 print results/seeds.json, which `make seeds` writes after the seed-7 run
# they belong to: they run again (the same numbers: fixed seed, deterministic ops).
full-run: venv
	MNIST_QUICK=0 $(PY) -m tools.execute_notebooks $(NOTEBOOKS)
	MNIST_QUICK=0 $(PY) -m tools.seeds
	MNIST_QUICK=0 $(PY) -m tools.execute_notebooks notebooks/04_*.ipynb notebooks/06_*.ipynb
	$(PY) -m tools.slides
	$(PY) -m tools.pages

seeds: venv
	MNIST_QUICK=0 $(PY) -m tools.seeds $(if $(strip $(NB)),--notebooks $(NB)) $(if $(strip $(SEEDS)),--seeds $(SEEDS))

ensemble: venv
	MNIST_QUICK=0 $(PY) -m tools.ensemble $(if $(strip $(SEEDS)),--seeds $(SEEDS))

# One benchmark per WHAT (make bench WHAT=kernels); each writes its record in results/.
WHAT ?= speed
BENCH_speed = $(PY) benchmarks/train_speed.py
BENCH_probe = $(PY) benchmarks/train_speed.py --probe --models T2 T3a T3b T5 --repeats 2
BENCH_input = $(PY) benchmarks/input_pipeline.py
BENCH_kernels = $(PY) benchmarks/kernels.py
BENCH_rerun = $(PY) benchmarks/rerun_spread.py
BENCH_live = MNIST_QUICK=0 $(PY) benchmarks/live_overhead.py
BENCH_explorers = $(PY) benchmarks/explorer_latency.py

bench: venv
	$(if $(BENCH_$(WHAT)),$(BENCH_$(WHAT)),$(error WHAT=$(WHAT) is not a benchmark: choose speed, probe, input, kernels, rerun, live or explorers))

lab: teach
	$(VENV)/bin/jupyter lab notebooks/

student: venv
	$(PY) -m tools.student

pages: venv
	$(PY) -m tools.pages

site: teach
	$(PY) -m tools.site

clean:
	rm -rf artifacts .pytest_cache
