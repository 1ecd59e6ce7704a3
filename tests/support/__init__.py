"""Helpers and fixtures shared by the tests; no tests here."""
