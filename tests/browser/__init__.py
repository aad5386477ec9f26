"""Tests that drive headless Chromium; helpers in harness.py, fixtures in conftest.py."""
