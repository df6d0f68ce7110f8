"""`GET /v1/me`, and for the service key `POST /v1/keys` and `DELETE /v1/keys/{id}`."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from accounts.keys import create_key, revoke_key
from accounts.ninja_auth import caller_of, require_service
from accounts.schemas import ErrorOut, KeyCreatedOut, KeyIn, MeOut

router = Router(tags=["identity"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who the presented key is")
async def me(request: HttpRequest) -> MeOut:
    """Return the caller's kind, user and key."""
    caller = caller_of(request)
    return MeOut(
        kind=caller.kind,
        userId=caller.user_id,
        keyId=caller.key_id,
        name=caller.name,
        prefix=caller.prefix,
    )


@router.post(
    "/keys",
    response={201: KeyCreatedOut, 422: ErrorOut, **ERRORS},
    summary="Create a user key (service key only)",
)
async def create_api_key(request: HttpRequest, body: KeyIn) -> Status[KeyCreatedOut]:
    """Create a key acting as `userId`; the key is in this response only."""
    require_service(request)
    new = await sync_to_async(create_key)(body.userId, body.name)
    row = new.row
    return Status(
        201,
        KeyCreatedOut(
            id=row.pk,
            key=new.secret,
            prefix=row.prefix,
            userId=row.user_id,
            name=row.name,
            createdAt=row.created_at,
        ),
    )


@router.delete(
    "/keys/{key_id}",
    response={204: None, 404: ErrorOut, **ERRORS},
    summary="Revoke a user key (service key only)",
)
async def delete_api_key(request: HttpRequest, key_id: str) -> Status[None]:
    """Revoke a key; it stops working at once, in every process."""
    require_service(request)
    if not await revoke_key(key_id):
        raise HttpError(404, f"Key {key_id!r} not found")
    return Status(204, None)
