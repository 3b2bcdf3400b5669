"""Every error is JSON: {"detail": 中文说明, "errors": {字段: [中文错误, …]}} with the HTTP status
that means it: 401 no or bad token, 403 an operation the client may not do, 404 a record out of
its scope (never 403: existence does not leak), 409 a conflict, 422 invalid fields, 429 too
many calls."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

STATUS_DETAIL = {
    400: "请求格式有误：请求体须为有效的 JSON。",
    401: "未提供有效的接口令牌，或令牌已被吊销。",
    403: "该接口客户端无权执行此操作。",
    404: "未找到该记录，或不在本客户端可查看的范围内。",
    405: "不支持该请求方法。",
    409: "请求与现有记录冲突。",
    422: "请求内容有误，请按字段说明修改。",
    429: "调用过于频繁，请稍后再试。",
}


class ApiError(Exception):
    def __init__(self, status: int, detail: str = "", errors: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail or STATUS_DETAIL.get(status, "")
        self.errors = errors or {}


# pydantic's error types, said in Chinese next to the field
_MESSAGES = {
    "missing": "此项为必填项。",
    "string_type": "应为文本。",
    "string_too_short": "不能为空。",
    "string_too_long": "过长，最多{max_length}个字符。",
    "text_unstorable": "含有无法保存的字符（空字符或不成对的代理字符），请删除后重新提交。",
    "string_unicode": "含有无法保存的字符（空字符或不成对的代理字符），请删除后重新提交。",
    "bool_type": "应为 true 或 false。",
    "bool_parsing": "应为 true 或 false。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "date_type": "请按“年-月-日”（YYYY-MM-DD）填写日期。",
    "date_parsing": "请按“年-月-日”（YYYY-MM-DD）填写日期。",
    "date_from_datetime_parsing": "请按“年-月-日”（YYYY-MM-DD）填写日期。",
    "date_from_datetime_inexact": "请按“年-月-日”（YYYY-MM-DD）填写日期。",
    "list_type": "应为数组。",
    "too_long": "最多{max_length}项。",
    "model_type": "应为对象。",
    "dict_type": "应为对象。",
    "model_attributes_type": "应为对象。",
}


def _field_path(loc) -> str:
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("payload",) and not path:
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "__all__"


def _message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        return f"取值无效，可选：{ctx.get('expected', '')}。"
    template = _MESSAGES.get(kind)
    if template is None:
        return "取值无效。"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_errors(errors: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(_field_path(error.get("loc", ())), []).append(_message(error))
    return out


def install(api) -> None:
    def respond(request, status, detail=None, errors=None):
        return api.create_response(
            request, {"detail": detail or STATUS_DETAIL[status], "errors": errors or {}},
            status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return respond(request, exc.status, exc.detail, exc.errors)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return respond(request, 422, errors=field_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(request, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, str(exc) or None)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404)

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return respond(request, 429)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return respond(request, exc.status_code, STATUS_DETAIL.get(exc.status_code, str(exc)))
