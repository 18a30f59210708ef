.PHONY: dev test migrations-check
dev:
	./scripts/run
test:
	./scripts/test
migrations-check:
	DEBUG=true .venv/bin/python manage.py makemigrations --check --dry-run
