import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    # exits with SystemExit(1) when a model change has no migration
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
