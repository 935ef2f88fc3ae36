"""Tools for migration teams (shipped as mock_okta.tools): datasets, hashes, planning, migrating."""
