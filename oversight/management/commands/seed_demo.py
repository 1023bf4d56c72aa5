"""Seed the demo: the programme's areas (Haimen's unless ``--programme jian``), two insurers, one
user per role for a few areas (Ji'an's county roles too), a
one-child-certificate register of 20 to 40 families in every village, and two campaigns
relative to the day it runs (``enrollment.demo.demo_years``): last year's finished, with claims,
and this year's in progress."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from claims.demo import demo_claims
from enrollment.demo import (
    HAIMEN,
    JIAN,
    LAST_YEAR_TOWNSHIPS,
    demo_campaigns,
    demo_county_reports,
    demo_households,
    demo_years,
)
from enrollment.models import Campaign, Household
from enrollment.tasks import start_policy_list
from haimen_insurance import services
from haimen_insurance.models import Area, Insurer, User
from haimen_insurance.programmes import PROGRAMMES
from haimen_insurance.roles import Role
from oversight.demo import demo_assessment_rules

DEMO_PASSWORD = "Haimen2013"  # every demo login's, Ji'an's too
DEMO_USERS = [
    "city",
    "leader",
    "township1",
    "finance1",
    "cadre1",
    "cadre2",
    "township2",
    "finance2",
    "cadre3",
    "cadre4",
    "insurer1",
    "insurer2",
    "cityfin",
]
INSURERS = [
    ("PICC", "中国人民财产保险股份有限公司海门支公司", "95518"),
    ("CLIC", "中国人寿保险股份有限公司海门支公司", "95519"),
]

# Ji'an: China Life leads; Taikang covers three southern counties.
JIAN_INSURERS = [
    ("CLIC", "中国人寿保险股份有限公司吉安分公司", "95519"),
    ("TKLIFE", "泰康人寿保险有限责任公司吉安中心支公司", "95522"),
]
JIAN_TAIKANG_COUNTIES = ("泰和县", "遂川县", "万安县")
# The demo's places: 吉安县 (China Life) and 泰和县 (Taikang), each with its officer and finance
# office; township1 works in 吉安县's seat, township2 in 泰和县's; cadre4's 永阳镇 (吉安县)
# has last year's claims; 碧溪镇 (泰和县) waits for its insurer. Last year's six townships
# (``LAST_YEAR_TOWNSHIPS``) are these two counties' every township, so that the city's
# assessment of last year ranks counties that did everything (泰和县 on time, 吉安县 with
# 永阳镇 late) above those that did nothing.
JIAN_COUNTY_A, JIAN_COUNTY_B = "吉安县", "泰和县"
JIAN_TOWNSHIPS = ("敦厚镇", "澄江镇", "永阳镇", "碧溪镇", "北源乡", "石山乡")
JIAN_USERS = [
    "city",
    "leader",
    "county1",
    "countyfin1",
    "county2",
    "countyfin2",
    *DEMO_USERS[2:],
]


def demo_usernames(programme: str) -> list[str]:
    return JIAN_USERS if programme == "jian" else DEMO_USERS


class Command(BaseCommand):
    help = (
        "写入演示数据：区划、保险公司、各角色的演示用户（并打印登录名和密码）；"
        "默认海门市（--programme jian 为吉安市）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo"],
            default="demo",
            help="数据规模：demo（演示，默认）。",
        )
        parser.add_argument(
            "--programme",
            choices=sorted(PROGRAMMES),
            default=None,
            help="演示哪个项目：haimen（海门市，县级市，三级）或 jian（吉安市，设区的市，"
            "四级）；默认取设置 DJANGO_PROGRAMME（未设置为 haimen）。",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库中已有区划时不写入任何数据，只打印演示登录名。",
        )

    def handle(self, *args, scale, programme, if_empty, **options):
        programme = programme or settings.PROGRAMME
        if if_empty and Area.objects.exists():
            self.stdout.write("数据库中已有数据，未写入演示数据。")
        else:
            try:
                self.seed(programme)
            except Exception as error:
                raise CommandError(f"写入演示数据失败：{error}") from error
        self.print_logins(programme)

    @transaction.atomic
    def seed(self, programme: str = "haimen"):
        areas = PROGRAMMES[programme].areas
        counts = services.areas_load_csv(path=settings.BASE_DIR / "fixtures" / areas)
        self.stdout.write(f"区划：新增 {counts['created']}，更新 {counts['updated']}。")
        if programme == "jian":
            townships, demo_users, place = self.jian_areas_and_users()
        else:
            townships, demo_users, place = self.haimen_areas_and_users()
        for username, full_name, role, area, insurer in demo_users:
            if User.objects.filter(username=username).exists():
                continue
            services.user_create(
                actor=None,
                username=username,
                full_name=full_name,
                role=role,
                area=area,
                insurer=insurer,
                password=DEMO_PASSWORD,
            )

        today = timezone.localdate()
        last_year, this_year = demo_years(today)
        if not Household.objects.exists():
            villages = Area.objects.villages().select_related("parent").order_by("code")
            # Made for this year's age date; each campaign judges ages on its own.
            households = Household.objects.bulk_create(
                demo_households(
                    villages,
                    per_village=(20, 40),
                    age_date=date(this_year, 1, 1),
                    today=today,
                    place=place,
                ),
                batch_size=2000,
            )
            self.stdout.write(f"独生子女证登记：{len(households)} 户。")
        if not Campaign.objects.exists():
            usernames = demo_usernames(programme)
            users = {user.username: user for user in User.objects.filter(username__in=usernames)}
            last, this = demo_campaigns(today=today, users=users, townships=townships, place=place)
            demo_assessment_rules(last=last, this=this, today=today)
            claims = demo_claims(
                campaign=last,
                township=townships[2],
                cadre=users["cadre4"],
                insurer_user=users["insurer1"],
                today=today,
                place=place,
            )
            self.stdout.write(
                f"上一年度：{last}，前 {LAST_YEAR_TOWNSHIPS} 个乡镇已上报、保费已划拨、保单已出具。"
                f"本年度：{this}，进行中：各村名册处于填报、提交、退回、审核通过和上报等状态；"
                "一个乡镇保费已划拨、保单已出具，一个等待出具保单，一个等待财政所划拨。"
            )
            self.stdout.write(
                f"理赔：{townships[2].name}（{last}）{len(claims)} 件，处于报案到结案的各个阶段。"
            )
            if programme == "jian":
                reported, drafted = demo_county_reports(
                    campaign=last, reporting=users["county1"], drafting=users["county2"]
                )
                self.stdout.write(
                    f"县级汇总：{last}{reported.county.name}已上报市计生委，"
                    f"{drafted.county.name}已汇总待上报；其余县（区）尚有乡镇未上报。"
                )
            # One finished background job, so the 后台任务 page has something to show.
            job, _ = start_policy_list(actor=users["city"], campaign=last, now=True)
            self.stdout.write(f"后台任务：{job}，{job.result_note}")

    def _insurers(self, rows) -> list[Insurer]:
        insurers = []
        for code, name, phone in rows:
            insurer, _ = Insurer.objects.update_or_create(
                code=code, defaults={"name": name, "phone": phone}
            )
            insurers.append(insurer)
        return insurers

    def haimen_areas_and_users(self):
        """Haimen: two insurers taking the townships in turn; the users of the first three
        townships (in code order, the order of the demo's year)."""
        insurers = self._insurers(INSURERS)
        townships = list(Area.objects.townships().order_by("code"))
        for index, insurer in enumerate(insurers):
            services.insurer_assign_townships(
                actor=None, insurer=insurer, townships=townships[index :: len(insurers)]
            )
        first, second = townships[0], townships[1]
        first_villages = list(first.children.order_by("code")[:2])
        second_village = second.children.order_by("code").first()
        issued_village = townships[2].children.order_by("code").first()  # funded and issued
        demo_users = [
            ("city", "陈志刚", Role.CITY_OFFICER, None, None),
            ("leader", "王建国", Role.LEADER, None, None),
            ("township1", "李秀英", Role.TOWNSHIP_OFFICER, first, None),
            ("finance1", "赵丽华", Role.TOWNSHIP_FINANCE, first, None),
            ("cadre1", "张美兰", Role.VILLAGE_CADRE, first_villages[0], None),
            ("cadre2", "刘红梅", Role.VILLAGE_CADRE, first_villages[1], None),
            ("township2", "黄晓东", Role.TOWNSHIP_OFFICER, second, None),
            ("finance2", "钱卫东", Role.TOWNSHIP_FINANCE, second, None),
            ("cadre3", "周桂芳", Role.VILLAGE_CADRE, second_village, None),
            ("cadre4", "郭春燕", Role.VILLAGE_CADRE, issued_village, None),
            ("insurer1", "吴海燕", Role.INSURER_STAFF, None, insurers[0]),
            ("insurer2", "孙立新", Role.INSURER_STAFF, None, insurers[1]),
            # Haimen's city pays no share: its finance office has nothing to transfer.
            ("cityfin", "沈玉清", Role.CITY_FINANCE, None, None),
        ]
        return townships, demo_users, HAIMEN

    def jian_areas_and_users(self):
        """Ji'an: China Life insures every county but three, Taikang those three; the users of
        two counties (吉安县, 泰和县), of a township in each and of their villages. The demo's
        year runs in the order of ``JIAN_TOWNSHIPS``, then the other townships in code order."""
        life, taikang = self._insurers(JIAN_INSURERS)
        townships = list(Area.objects.townships().select_related("parent").order_by("code"))
        southern = [t for t in townships if t.parent.name in JIAN_TAIKANG_COUNTIES]
        services.insurer_assign_townships(
            actor=None, insurer=life, townships=[t for t in townships if t not in southern]
        )
        services.insurer_assign_townships(actor=None, insurer=taikang, townships=southern)
        named = {township.name: township for township in townships}
        ordered = [named[name] for name in JIAN_TOWNSHIPS]
        townships = ordered + [t for t in townships if t not in ordered]
        first, second, issued = townships[0], townships[1], townships[2]
        county_a = Area.objects.counties().get(name=JIAN_COUNTY_A)
        county_b = Area.objects.counties().get(name=JIAN_COUNTY_B)
        first_villages = list(first.children.order_by("code")[:2])
        demo_users = [
            ("city", "刘建华", Role.CITY_OFFICER, None, None),
            ("leader", "肖国平", Role.LEADER, None, None),
            ("county1", "罗文斌", Role.COUNTY_OFFICER, county_a, None),
            ("countyfin1", "曾丽萍", Role.COUNTY_FINANCE, county_a, None),
            ("county2", "郭小军", Role.COUNTY_OFFICER, county_b, None),
            ("countyfin2", "彭秀兰", Role.COUNTY_FINANCE, county_b, None),
            ("township1", "胡美华", Role.TOWNSHIP_OFFICER, first, None),
            ("finance1", "李春生", Role.TOWNSHIP_FINANCE, first, None),
            ("cadre1", "王冬梅", Role.VILLAGE_CADRE, first_villages[0], None),
            ("cadre2", "陈桂英", Role.VILLAGE_CADRE, first_villages[1], None),
            ("township2", "钟志强", Role.TOWNSHIP_OFFICER, second, None),
            ("finance2", "彭建军", Role.TOWNSHIP_FINANCE, second, None),
            ("cadre3", "康小燕", Role.VILLAGE_CADRE, second.children.order_by("code")[0], None),
            ("cadre4", "尹秋菊", Role.VILLAGE_CADRE, issued.children.order_by("code")[0], None),
            ("insurer1", "邹海涛", Role.INSURER_STAFF, None, life),
            ("insurer2", "段丽娟", Role.INSURER_STAFF, None, taikang),
            ("cityfin", "龙秀琴", Role.CITY_FINANCE, None, None),
        ]
        return townships, demo_users, JIAN

    def print_logins(self, programme: str = "haimen"):
        users = (
            User.objects.filter(username__in=demo_usernames(programme))
            .select_related("area__parent", "insurer")
            .order_by("pk")
        )
        self.stdout.write(f"\n演示登录（密码均为 {DEMO_PASSWORD}）：")
        for user in users:
            scope = user.scope_label
            if user.area_id and user.area.is_village:
                scope = f"{user.area.parent.name} / {user.area.name}"
            self.stdout.write(
                f"  {user.username:<10} {user.get_role_display():<12} {user.full_name}  {scope}"
            )
