"""Sleeps until a concurrency 429's suggested X-Rate-Limit-Reset, as SDKs do: within the
contract, but every such 429 costs a minute or two in a real org (okta-sdk-python#270)."""

from __future__ import annotations

from mock_okta.tools import migrate, okta_client

_observe = okta_client.Pacer._observe


def _stall(self: okta_client.Pacer, bucket: str, response: okta_client.requests.Response) -> None:
    if response.status_code == 429 and response.headers.get("X-Rate-Limit-Limit") == "0":
        self.pause_until(float(response.headers["X-Rate-Limit-Reset"]))
        return
    _observe(self, bucket, response)


okta_client.Pacer._observe = _stall  # type: ignore[method-assign]
okta_client.OktaClient._after_429 = lambda self, response, count: None  # type: ignore[method-assign]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
