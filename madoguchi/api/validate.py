"""POST /api/v1/validate and GET /api/v1/networks: the support form's crypto checks."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from madoguchi.api.errors import ErrorOut, ValidationErrorOut
from madoguchi.api.throttling import AddressThrottle
from madoguchi.tickets.networks import (
    NETWORKS,
    CheckCode,
    CheckResult,
    get_network,
    validate_address,
    validate_txid,
)
from madoguchi.tickets.networks.errors import MESSAGES

router = Router(tags=["validation"])


class ValidateIn(Schema):
    # Plain strings, so an unknown network or kind gets a translated 400 rather than a 422.
    network: str = Field(description="A network id from GET /api/v1/networks.", examples=["ETH"])
    kind: str = Field(description='"address" or "txid".', examples=["address"])
    value: str = Field(
        description="What the customer pasted, as is.",
        examples=["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"],
    )


class ValidateOut(Schema):
    valid: bool
    code: str
    message: str
    normalized: str | None


class MemoOut(Schema):
    required: bool
    name: str
    format: str


class NetworkOut(Schema):
    id: str
    name: str
    coins: list[str]
    memo_required: bool
    memo: MemoOut | None
    address_format: str
    txid_format: str


class NetworksOut(Schema):
    networks: list[NetworkOut]


# Checks per client address: settings.MADOGUCHI_VALIDATE_RATE (default 600/m); over it,
# 429 rate_limited with Retry-After (madoguchi.api.errors).
VALIDATE_THROTTLE = AddressThrottle("validate", setting="MADOGUCHI_VALIDATE_RATE")


def _error(status: int, code: CheckCode) -> Status:
    return Status(status, {"code": code.value, "message": str(MESSAGES[code])})


def _answer(result: CheckResult) -> dict[str, object]:
    return {
        "valid": result.valid,
        "code": result.code.value,
        "message": result.message,
        "normalized": result.normalized,
    }


@router.post(
    "/validate",
    response={200: ValidateOut, 400: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    throttle=VALIDATE_THROTTLE,
    summary="Check an address or a transaction ID for a network",
    description=(
        "Side-effect free. `kind` is `address` or `txid`; `network` an id from GET "
        "/api/v1/networks. 200 answers every check, valid or not: `code` says what is wrong "
        "and `message` explains it in the user's language (Accept-Language, ja or en); "
        "`normalized` is the value to store (trimmed, canonical case, EIP-55 checksummed) "
        "and null when invalid. 400: unknown network or kind. 422: the body is not JSON "
        "with the three string fields. 429: too many checks from one address."
    ),
)
def validate_endpoint(request: HttpRequest, payload: ValidateIn) -> Status:
    network = get_network(payload.network[:32])
    if network is None:
        return _error(400, CheckCode.UNKNOWN_NETWORK)
    kind = payload.kind.strip().lower()
    if kind == "address":
        return Status(200, _answer(validate_address(network, payload.value)))
    if kind == "txid":
        return Status(200, _answer(validate_txid(network, payload.value)))
    return _error(400, CheckCode.UNKNOWN_KIND)


@router.get(
    "/networks",
    response={200: NetworksOut},
    summary="The networks with their rules",
    description=(
        "Each network with the coins it carries, whether a memo or destination tag is "
        "required (and its name and format), and what addresses and transaction IDs look "
        "like, in the user's language."
    ),
)
def networks_endpoint(request: HttpRequest) -> Status:
    networks = [
        {
            "id": network.id,
            "name": network.name,
            "coins": list(network.coins),
            "memo_required": bool(network.memo and network.memo.required),
            "memo": network.memo
            and {
                "required": network.memo.required,
                "name": str(network.memo.name),
                "format": str(network.memo.description),
            },
            "address_format": str(network.address.description),
            "txid_format": str(network.txid.description),
        }
        for network in NETWORKS.values()
    ]
    return Status(200, {"networks": networks})
