"""Create a user with one of the app's roles from the command line: the first city officer of a
new installation, or a replacement when nobody can sign in as one. Goes through the same service
as the app's 用户 page (scope checks, role group, audit event) and prints the initial password."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from haimen_insurance import services
from haimen_insurance.models import Area, Insurer
from haimen_insurance.roles import Role


class Command(BaseCommand):
    help = (
        "新建一个系统用户（例如第一位市计生委用户），打印初始密码；与“用户”页面同样校验并记审计。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录用户名")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="角色：" + "，".join(f"{role.value}（{role.label}）" for role in Role),
        )
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--area", default=None, help="所属区域的 12 位区划代码（村、乡镇角色）")
        parser.add_argument("--insurer", default=None, help="所属保险公司代码（保险公司人员）")

    def handle(self, *args, username, role, full_name, area, insurer, **options):
        try:
            area_obj = Area.objects.get(code=area) if area else None
            insurer_obj = Insurer.objects.get(code=insurer) if insurer else None
        except (Area.DoesNotExist, Insurer.DoesNotExist):
            raise CommandError("找不到该区划代码或保险公司代码。") from None
        try:
            user, password = services.user_create(
                actor=None,
                username=username,
                full_name=full_name,
                role=role,
                area=area_obj,
                insurer=insurer_obj,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            f"已新建用户 {user.username}（{user.get_role_display()}），初始密码：{password}"
        )
