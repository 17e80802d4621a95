# The two commands a reader needs are `make book` and `make test`.
# Every target creates .venv on first use and installs the pinned requirements.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
JB_FLAGS := -W -n --keep-going
PYTEST_FLAGS ?= -n 2 --dist loadfile

.PHONY: help venv vendor book test unit bench lab exercises grade notebooks lint clean chapter

help:
	@echo "make book       build the website into _build/html (executes every chapter)"
	@echo "make test       clean build of the book, then every test (what CI runs)"
	@echo "make unit       only the package and checker tests (fast)"
	@echo "make lab        open the book in JupyterLab (chapters open as notebooks)"
	@echo "make exercises  regenerate exercises/ from solutions/ and store outputs"
	@echo "make grade      run every notebook in exercises/ afresh and grade each exercise"
	@echo "make notebooks  regenerate notebooks/, the chapters as .ipynb for Colab"
	@echo "make bench      print build and chapter timings"
	@echo "make chapter N=03 SLUG=sequence_modelling TITLE=\"Sequence modelling\""
	@echo "                write the skeleton of a new chapter (CONTRIBUTING.md)"
	@echo "make clean      remove _build and caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	touch $@

venv: $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Copy the pinned MathJax, require.js and widget manager into _build/vendor,
# which the site serves itself (html_extra_path in _config.yml).
vendor: $(STAMP) $(NODE_STAMP)
	$(PY) tools/vendor_assets.py

book: vendor
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# Lint, then a clean build (the execution cache and old pages never hide a
# change), then every test.
test: vendor
	$(VENV)/bin/ruff check src tests tools benchmarks book/_ext
	rm -rf _build/html _build/.doctrees _build/jupyter_execute _build/screenshots
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)
	$(PY) -m pytest $(PYTEST_FLAGS) --nbval tests exercises solutions

unit: $(STAMP)
	$(PY) -m pytest $(PYTEST_FLAGS) tests -m "not site and not browser and not slow"

bench: vendor
	$(PY) benchmarks/build_times.py

# JupyterLab on the repository root (chapters/, exercises/, solutions/ and
# notebooks/ all reachable), opening the first chapter's reading copy
# (notebooks/, whose markdown reads as the site does). MyST chapters open as
# notebooks because of .jupyter/labconfig/default_setting_overrides.json
# (markdown -> "Jupytext Notebook"): JUPYTER_CONFIG_PATH adds .jupyter/ to the
# folders Jupyter reads settings from, and on Binder, whose home folder is the
# repository, the same file is read as ~/.jupyter. Adding a search path, rather
# than copying the file into .venv or pointing --LabApp.user_settings_dir at the
# repository, keeps one copy of the setting, leaves .venv as pip made it, and
# leaves your own JupyterLab settings where they are and in charge.
LAB_CONFIG := $(CURDIR)/.jupyter
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" notebooks/01_recurrence.ipynb

exercises: $(STAMP)
	$(PY) tools/make_exercises.py

# The skeleton of a new chapter: chapter, module, figures, checker, notebooks,
# tests and _toc.yml entries (tools/new_chapter.py; it never overwrites).
chapter: $(STAMP)
	@test -n "$(N)" -a -n "$(SLUG)" || { echo 'usage: make chapter N=03 SLUG=sequence_modelling TITLE="Sequence modelling"'; exit 2; }
	$(PY) tools/new_chapter.py "$(N)" "$(SLUG)" $(if $(TITLE),--title "$(TITLE)")

# Exits 0 only when every exercise in exercises/ passes its checker.
grade: $(STAMP)
	$(PY) -m textbook_rnn.grade exercises/[0-9][0-9]_*.ipynb

notebooks: $(STAMP)
	$(PY) tools/make_launch_notebooks.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests tools benchmarks book/_ext

clean:
	rm -rf _build .pytest_cache .hypothesis .jupyter_cache
