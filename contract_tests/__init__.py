"""The migration contract harness (shipped as mock_okta.harness)."""
