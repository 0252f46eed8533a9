import pytest

from chalicelib.webhooks import SignatureError, generate_secret, sign, signature_headers, verify

BODY = '{"type":"case.assigned","data":{"case_id":"c_1"}}'


def test_a_signed_message_verifies_and_follows_the_standard_layout():
    secret = generate_secret()
    headers = signature_headers([secret], "msg_1", BODY, timestamp=1_700_000_000)
    assert secret.startswith("whsec_")
    assert headers["webhook-signature"].startswith("v1,")
    verify(secret, headers, BODY, now=1_700_000_010)


def test_the_standard_webhooks_reference_vector():
    # From the Standard Webhooks specification's examples.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")


@pytest.mark.parametrize("tamper", ["body", "id", "old"])
def test_tampered_or_stale_messages_are_refused(tamper):
    secret = generate_secret()
    headers = signature_headers([secret], "msg_1", BODY, timestamp=1_700_000_000)
    body, now = BODY, 1_700_000_000
    if tamper == "body":
        body = BODY.replace("c_1", "c_2")
    elif tamper == "id":
        headers["webhook-id"] = "msg_2"
    else:
        now += 3600
    with pytest.raises(SignatureError):
        verify(secret, headers, body, now=now)


def test_during_rotation_both_secrets_verify():
    old, new = generate_secret(), generate_secret()
    headers = signature_headers([old, new], "msg_1", BODY, timestamp=1_700_000_000)
    verify(old, headers, BODY, now=1_700_000_000)
    verify(new, headers, BODY, now=1_700_000_000)
    with pytest.raises(SignatureError):
        verify(generate_secret(), headers, BODY, now=1_700_000_000)
