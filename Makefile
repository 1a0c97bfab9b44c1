.PHONY: run test lint

# Run Faultline on http://127.0.0.1:8080 (creates .venv and data/ as needed).
run:
	bash scripts/run.sh

# Everything CI runs: ruff, pytest on SQLite and PostgreSQL, alembic check.
test:
	bash scripts/test.sh

lint:
	bash scripts/bootstrap.sh
	.venv/bin/ruff check .
