"""Prometheus metrics of the auth service."""

from prometheus_client import Counter

# ok; wrong_password (a wrong password, an unknown username or a disabled account: alike, as the caller sees them);
# locked (the username or address is locked after too many failures); busy (no time left to check the password)
LOGIN_OUTCOMES = ("ok", "wrong_password", "locked", "busy")
LOGINS = Counter("easel_auth_logins_total", "Password sign-ins, by outcome.", ["outcome"])
for _outcome in LOGIN_OUTCOMES:  # every outcome from the start, so that rate() sees the first of each
    LOGINS.labels(_outcome)
