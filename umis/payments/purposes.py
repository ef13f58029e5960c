"""What each paying domain wants done when its order is paid (registered from its AppConfig)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from umis.payments.models import PaymentOrder


@dataclass(frozen=True)
class Purpose:
    code: str
    on_paid: Callable[[PaymentOrder], None]  # runs in the transaction that marks the order paid
    # where the payer's browser lands afterwards: (order, cancelled), cancelled when the payer
    # cancelled on the gateway's page (their browser's word: it changes what the page says,
    # never the order, which only the gateway's signed notification marks paid)
    return_path: Callable[[PaymentOrder, bool], str]
    # the session key under which the domain lists the subjects a browser has open (the
    # payer's own browser): an unsigned return (a payment started before the return address
    # was signed) of such a subject is sent to its page, recording nothing
    session_key: str = ""
    # where a browser that does not have the subject open (by `session_key`) lands instead,
    # with the same arguments; None: at `return_path` too
    return_path_elsewhere: Callable[[PaymentOrder, bool], str] | None = None


_purposes: dict[str, Purpose] = {}


def register(purpose: Purpose) -> None:
    _purposes[purpose.code] = purpose


def get(code: str) -> Purpose | None:
    return _purposes.get(code)


def all_registered() -> list[Purpose]:
    return list(_purposes.values())
