"""Accounts: sign-up, sign-in, sessions and tokens, throttles, password reset, the signed-in user's checks."""
