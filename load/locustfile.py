"""Locust's entry point for the mock-okta scenarios: only imports, no side effects.

    locust -f load/locustfile.py ImportUser --headless -u 10 -r 10 --host http://127.0.0.1:8080 \
        --dataset data/ --csv out/locust --html out/locust.html
    locust -f load/locustfile.py,load/shapes.py LoginUser --shape go-live ...   # a shape table

Options (`--dataset`, `--oracle`, `--mix`, `--token`, …) are listed by `locust -f … --help`.
"""

from mock_okta.load.oidc import OidcLoginUser
from mock_okta.load.users import AdminReader, DeltaUser, ImportUser, LoginUser

__all__ = ["AdminReader", "DeltaUser", "ImportUser", "LoginUser", "OidcLoginUser"]
