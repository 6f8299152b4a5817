"""The Aliyun Dysms adapter: the documented signature, and sending to a loopback gateway."""

from __future__ import annotations

import pytest

from market.notifications.aliyun import AliyunSms, SmsFailed, signature, signed_query
from tests.sms_gateway import ILLEGAL, THROTTLED, SmsGateway

# The worked example of Alibaba Cloud's SMS signature documentation ("HTTP协议及签名",
# https://help.aliyun.com/document_detail/101343.html): its sample key, parameters, and
# the signature and query it prints.
DOC_SECRET = "testSecret"
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
DOC_QUERY = (
    "Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms&Format=XML"
    "&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
    "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466"
    "&SignatureVersion=1.0&TemplateCode=SMS_71390007"
    "&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z"
    "&Version=2017-05-25"
)


def test_signature_matches_the_documented_example() -> None:
    assert signature(DOC_SECRET, DOC_PARAMS) == DOC_SIGNATURE


def test_signed_query_matches_the_documented_url() -> None:
    assert signed_query(DOC_SECRET, DOC_PARAMS) == DOC_QUERY


def test_the_loopback_gateway_checks_with_the_documented_example_too() -> None:
    from tests.sms_gateway import expected_signature

    assert expected_signature(DOC_SECRET, DOC_PARAMS) == DOC_SIGNATURE


def adapter(gateway: SmsGateway, *, secret: str | None = None) -> AliyunSms:
    return AliyunSms(
        access_key_id=gateway.access_key_id,
        access_key_secret=secret or gateway.secret,
        sign_name="零工",
        templates={"hired": "SMS_400000001"},
        endpoint=gateway.endpoint,
    )


def test_a_message_reaches_the_gateway_signed_and_its_id_comes_back() -> None:
    with SmsGateway() as gateway:
        sent_id = adapter(gateway).send("13800000001", "hired", {"job": "新房刷墙 ~ 50%+"})

    assert sent_id == "000001^0"
    assert gateway.refused == []
    [got] = gateway.received
    assert (got.phone, got.template_code, got.sign_name) == ("13800000001", "SMS_400000001", "零工")
    assert got.params == {"job": "新房刷墙 ~ 50%+"}


def test_a_wrong_secret_is_refused_as_a_signature_mismatch() -> None:
    with SmsGateway() as gateway, pytest.raises(SmsFailed) as caught:
        adapter(gateway, secret="not-the-secret").send("13800000001", "hired", {"job": "x"})
    assert caught.value.code == "SignatureDoesNotMatch"
    assert not caught.value.permanent
    assert gateway.received == []


def test_flow_control_is_a_failure_to_retry_and_a_bad_number_one_to_give_up() -> None:
    with SmsGateway() as gateway:
        with pytest.raises(SmsFailed) as throttled:
            adapter(gateway).send(THROTTLED, "hired", {"job": "x"})
        with pytest.raises(SmsFailed) as illegal:
            adapter(gateway).send(ILLEGAL, "hired", {"job": "x"})
    assert (throttled.value.code, throttled.value.permanent) == (
        "isv.BUSINESS_LIMIT_CONTROL",
        False,
    )
    assert "流控" in throttled.value.message
    assert (illegal.value.code, illegal.value.permanent) == ("isv.MOBILE_NUMBER_ILLEGAL", True)


def test_an_unreachable_gateway_is_a_failure_to_retry() -> None:
    with SmsGateway() as gateway:
        endpoint = gateway.endpoint
    dead = AliyunSms(
        access_key_id="k",
        access_key_secret="s",
        sign_name="零工",
        templates={"hired": "SMS_1"},
        endpoint=endpoint,
    )
    with pytest.raises(SmsFailed) as caught:
        dead.send("13800000001", "hired", {"job": "x"})
    assert caught.value.code == "Unreachable" and not caught.value.permanent


def test_a_template_without_a_gateway_code_fails_for_good() -> None:
    with SmsGateway() as gateway, pytest.raises(SmsFailed) as caught:
        adapter(gateway).send("13800000001", "shift_soon", {})
    assert caught.value.permanent and gateway.received == []
