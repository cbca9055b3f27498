# The README's two commands: `make run` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
FLAGS   ?= etc/nova/nova.flags
BIN      = $(VENV)/bin
# concurrent pytest processes in make test (tools/run_tests.py), tempest beside them
SHARDS  ?= 2

.PHONY: run test unit functional integration pep8 bench clean venv tempest libvirt-python

venv: $(VENV)/.installed

# the man pages and message catalogs are built by the install: rebuild when they change
$(VENV)/.installed: setup.py pyproject.toml $(wildcard doc/man/*.rst doc/man/include/*) $(wildcard nova/locale/*/LC_MESSAGES/*.po)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	tools/install_build_deps.sh
	$(BIN)/pip install -q -e '.[test]'
	# an editable install leaves setup.py's data_files out: copy the man pages its build
	# made into the venv as a wheel install puts them (man finds them through PATH)
	$(BIN)/python setup.py -q install_data --install-dir=$(VENV) 2>/dev/null
	touch $@

run: venv
	$(BIN)/nova-manage --flagfile=$(FLAGS) db sync
	exec $(BIN)/nova-all --flagfile=$(FLAGS)

# libvirt-python builds against libvirt-dev, which install_deps.sh brings
libvirt-python: venv
	$(BIN)/python -c 'import libvirt' 2>/dev/null || $(BIN)/pip install -q -e '.[libvirt]' \
		|| echo 'libvirt-python did not install: the libvirt tests will be skipped'

test: venv
	tools/install_deps.sh
	$(MAKE) libvirt-python
	$(BIN)/ruff check nova tests tools
	# the daemons the tests start read nova's bytecode instead of compiling each module
	# at each start (an editable install; nothing writes it under PYTHONDONTWRITEBYTECODE)
	$(BIN)/python -m compileall -q -j0 nova
	$(BIN)/python tools/run_tests.py --shards $(SHARDS) --also tools/tempest/run.sh \
		-- -q -rs -p no:cacheprovider --durations=25 tests

unit: venv
	$(BIN)/pytest -q tests/unit

functional: venv
	$(BIN)/pytest -q tests/functional

integration: venv
	tools/install_deps.sh
	$(MAKE) libvirt-python
	$(BIN)/pytest -q -rs tests/integration

# tempest's compute API subset against a fresh nova-all (tools/tempest/run.sh)
tempest: venv
	tools/tempest/run.sh

pep8: venv
	$(BIN)/ruff check nova tests tools

bench: venv
	$(BIN)/python tools/bench/rpc.py

clean:
	rm -rf $(VENV) .venv-tempest *.egg-info
