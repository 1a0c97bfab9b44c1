"""The lengths an account's email and password may have: the API's schemas and the account
rules both check them."""

MIN_PASSWORD_LENGTH = 8
# Long enough for any passphrase or generated password, short enough that hashing stays cheap.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
