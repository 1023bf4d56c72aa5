"""Password rules, with their messages in Chinese: Django's own validators, of which the length
rule has no Chinese translation of its message, and one that refuses the demo password (it is
printed in the README and on every demo login page, so no real account may use it)."""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError

DEMO_PASSWORDS = frozenset({"haimen2013"})


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少要有 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少要有 {self.min_length} 个字符。"

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")


class DemoPasswordValidator:
    """Refuses the demo's published password, in any mix of capitals."""

    def validate(self, password, user=None):
        if password.strip().lower() in DEMO_PASSWORDS:
            raise ValidationError("不能使用演示系统的公开密码，请另设密码。", code="demo_password")

    def get_help_text(self):
        return "不能使用演示系统的公开密码。"
