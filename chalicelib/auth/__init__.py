"""Who is calling: executors by API key (`Authorization: Bearer tsk_…`)."""

from chalicelib.auth.api_keys import ApiKey, NewApiKey, hash_key, new_api_key, parse_key

__all__ = ["ApiKey", "NewApiKey", "hash_key", "new_api_key", "parse_key"]
