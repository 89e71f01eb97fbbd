"""Staff passwords: scrypt hashes kept in settings (COUNTY_RAG_STAFF_USERS), never plain text.

Make a hash with `county-rag hash-password`.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, base64 parts."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@lru_cache(maxsize=1)
def _stand_in() -> str:
    """A hash checked for unknown user names, so that they take as long as a wrong password."""
    return hash_password(os.urandom(16).hex())


def check_login(users: dict[str, str], user: str, password: str) -> bool:
    """True when the user exists and the password matches its hash."""
    stored = users.get(user.strip())
    if not stored:
        verify_password(password, _stand_in())
        return False
    return verify_password(password, stored)
