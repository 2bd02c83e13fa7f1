"""The API tests' fixtures (the seed imported once per module, clients in each role)."""

from tests.api.conftest import (  # noqa: F401 - fixtures, used by name
    anon_api,
    api_client_for,
    member_api,
    observer_api,
    pmo_api,
    seeded,
    seeded_module,
)
