from umis.api.tests.factories import agency_key, screening_key

__all__ = ["agency_key", "screening_key"]
