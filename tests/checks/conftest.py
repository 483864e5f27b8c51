import pytest
from prakan.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The whole control catalog, loaded and compiled once."""
    return load_catalog()
