# stackha: the two commands of the README are `make lab` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export STACKHA_ROOT := $(CURDIR)
LAB ?= lab

.PHONY: help venv lab site lab-status lab-down test lint unit molecule bench clean

help:
	@echo "make lab        create the venv, bring the lab up (LAB=$(LAB)) and run playbooks/site.yml on it"
	@echo "make test       lint (ruff, mypy, ansible-lint production), pytest, every Molecule scenario"
	@echo "make site       run playbooks/site.yml on the running lab again"
	@echo "make lab-down   remove the lab's hosts, network, key and inventory"
	@echo "make bench      run the benchmarks in bench/ (figures printed and written to bench/results/)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "stackha needs Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

lab: venv
	stackha lab up --name $(LAB)
	$(MAKE) --no-print-directory site

site: venv
	ansible-playbook -i inventory/$(LAB) playbooks/site.yml

lab-status: venv
	stackha lab status --name $(LAB)

lab-down: venv
	stackha lab down --name $(LAB)

test: lint unit molecule

lint: venv
	ruff check .
	ruff format --check .
	mypy
	ansible-lint

unit: venv
	pytest -ra

molecule: venv
	molecule test --all 2>&1 | $(BIN)/python scripts/stage_times.py

bench: venv
	$(BIN)/python -m bench.lab_up
	$(BIN)/python -m bench.galera_failover
	$(BIN)/python -m bench.rabbitmq_failover
	$(BIN)/python -m bench.deploy --linear

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
