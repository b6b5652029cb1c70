.PHONY: run test bench bench-scale cluster

run:
	@bash scripts/bootstrap.sh
	.venv/bin/python scripts/serve.py

test:
	@bash scripts/bootstrap.sh test
	.venv/bin/python -m pytest

bench:
	@bash scripts/bootstrap.sh test
	.venv/bin/python bench/run.py

bench-scale:
	@bash scripts/bootstrap.sh test
	.venv/bin/python bench/scale.py

cluster:
	@bash scripts/bootstrap.sh cluster
	.venv/bin/python scripts/cluster.py
