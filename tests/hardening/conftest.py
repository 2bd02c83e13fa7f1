"""The API tests' fixtures (the seed imported once a module, clients by role), reused."""

from tests.api.conftest import (  # noqa: F401
    api_client_for,
    observer_api,
    pmo_api,
    seeded,
    seeded_module,
)
