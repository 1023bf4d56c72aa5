"""Made-up but realistic register data for the demo and the benchmark: Chinese names, valid
resident IDs, mostly eligible rural families, some over age, urban, revoked or moved away, and a
share of families whose reward is paid by an employer unit. Deterministic for a given seed."""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from haimen_insurance.models import Area

from .models import Household, PremiumShare, Roster, TownshipReport
from .resident_ids import check_character
from .selectors.rosters import roster_households
from .selectors.shares import report_shares
from .services.campaigns import campaign_create, campaign_open, premium_shares_set
from .services.county_reports import county_report_draft, county_report_submit
from .services.policies import policies_issue, report_insurer, transfer_record
from .services.rosters import (
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_return,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from .services.shares import ShareInput

SURNAMES = (
    "张王李赵刘陈杨黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢"
    "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武"
)
MALE_GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪"
    "心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启"
    "克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
FEMALE_GIVEN = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶"
    "怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希"
    "宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
EMPLOYERS = (
    "海门市人民医院",
    "江苏三星化工有限公司",
    "海门市供电公司",
    "南通中远川崎船舶工程有限公司",
    "海门市自来水公司",
    "海门农村商业银行",
)


@dataclass(frozen=True)
class DemoPlace:
    """Where the demo's families live and bank: the words of addresses, certificate numbers,
    resident IDs' region codes, employer units and the transfers' banks."""

    city: str
    region: str  # the resident IDs' first region code, and the certificates' prefix
    employers: tuple[str, ...]
    voucher: str  # the transfers' voucher prefix
    payer_bank: str
    payee_bank: str
    shared: bool = False  # the premium shared by the city, the counties and the townships


HAIMEN = DemoPlace(
    city="海门市",
    region="320684",
    employers=EMPLOYERS,
    voucher="HMCZ",
    payer_bank="江苏海门农村商业银行",
    payee_bank="中国工商银行海门支行",
)
JIAN = DemoPlace(
    city="吉安市",
    region="360821",
    employers=(
        "吉安市中心人民医院",
        "江西吉安供电公司",
        "吉安市自来水公司",
        "井冈山大学",
        "吉安农村商业银行",
        "江西吉安卷烟厂",
    ),
    voucher="JACZ",
    payer_bank="吉安农村商业银行",
    payee_bank="中国工商银行吉安分行",
    shared=True,
)
# Ji'an's shares of the premium per share: the city 2 yuan, each county 6 to 16 yuan (counties
# in code order, round these amounts), the township the rest. (Ji'an's counties pay 6–20 yuan
# of its 30-yuan policy; on the demo's 20-yuan products the county's part stops at 16, so that
# every township still pays 2 yuan.)
CITY_SHARE = Decimal("2.00")
COUNTY_SHARES = tuple(Decimal(amount) for amount in ("6.00", "8.00", "10.00", "12.00", "16.00"))
# Offices' words on their transfers: (payer name, the account's middle digits).
OFFICE_ORDER = ("township", "county", "city")


def _name(rng: random.Random, surname: str, male: bool) -> str:
    pool = MALE_GIVEN if male else FEMALE_GIVEN
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def _resident_id(birth: date, male: bool, serial: int, region: str = "320684") -> str:
    """A valid ID, unique per serial: 500 serials share a region code (``region`` first, then
    codes of its province)."""
    sequence = (serial % 500) * 2 + (1 if male else 0)
    block = serial // 500
    region = region if block == 0 else f"{region[:2]}{block % 10000:04d}"
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def _birth(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


def demo_households(
    villages,
    *,
    per_village,
    age_date: date,
    today: date | None = None,
    seed=2013,
    start=0,
    place: DemoPlace = HAIMEN,
):
    """Yield unsaved Households for each village; ``start`` offsets certificate numbers.

    Children are born in the 14 years before ``age_date`` (about one in ten earlier, so already
    14 on it), never after ``today``; so for a campaign a year earlier, the youngest are not yet
    born on its age date and some of the eldest were still under 14."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    latest_birth = min(age_date, today - timedelta(days=60))
    serial = start
    for village in villages:
        count = per_village if isinstance(per_village, int) else rng.randint(*per_village)
        for _ in range(count):
            serial += 1
            surname = rng.choice(SURNAMES)
            child_male = rng.random() < 0.52
            # About one child in ten has already reached 14 on the age date.
            if rng.random() < 0.1:
                child_birth = _birth(
                    rng, date(age_date.year - 17, 1, 1), date(age_date.year - 14, 1, 1)
                )
            else:
                child_birth = _birth(rng, date(age_date.year - 14, 1, 2), latest_birth)
            father_birth = _birth(
                rng, date(child_birth.year - 38, 1, 1), date(child_birth.year - 22, 1, 1)
            )
            mother_birth = _birth(
                rng, date(child_birth.year - 36, 1, 1), date(child_birth.year - 21, 1, 1)
            )
            single = rng.random()
            roll = rng.random()
            status, reason = Household.Status.VALID, ""
            if roll < 0.015:
                status, reason = Household.Status.REVOKED, "再生育，证件收回"
            elif roll < 0.03:
                status, reason = Household.Status.MOVED, "全家迁往外地"
            yield Household(
                certificate_no=f"{place.region}-{serial:07d}",
                village=village,
                address=(
                    f"{place.city}{village.parent.name}{village.name}"
                    f"{rng.randint(1, 30)}组{rng.randint(1, 99)}号"
                ),
                phone=f"139{rng.randrange(10**8):08d}",
                hukou=Household.Hukou.URBAN if rng.random() < 0.04 else Household.Hukou.RURAL,
                father_name="" if single < 0.03 else _name(rng, surname, True),
                father_id_number=""
                if single < 0.03
                else _resident_id(father_birth, True, serial, place.region),
                mother_name=""
                if 0.03 <= single < 0.05
                else _name(rng, rng.choice(SURNAMES), False),
                mother_id_number=""
                if 0.03 <= single < 0.05
                else _resident_id(mother_birth, False, serial, place.region),
                child_name=_name(rng, surname, child_male),
                child_id_number=_resident_id(child_birth, child_male, serial, place.region),
                child_birth_date=child_birth,
                child_sex=Household.Sex.MALE if child_male else Household.Sex.FEMALE,
                certificate_date=min(child_birth + timedelta(days=rng.randint(60, 900)), today),
                receives_reward=rng.random() > 0.01,
                employer_name=rng.choice(place.employers) if rng.random() < 0.08 else "",
                status=status,
                status_reason=reason,
            )


# Why families decline, as cadres write it.
DECLINE_REASONS = ("家庭自愿放弃", "已参加其他商业保险", "全家外出务工，联系不上")


# Last year's rosters are made in the first six townships only: all 19 would take seed_demo
# about a minute and a half on SQLite.
LAST_YEAR_TOWNSHIPS = 6


def demo_years(today: date) -> tuple[int, int]:
    """(last year, this year) of the demo on ``today``. This year's campaign is the one covering
    today, except in December: the enrolment for next year runs then, so this year's campaign is
    the one whose cover starts on next 1 January."""
    this_year = today.year + 1 if today.month == 12 else today.year
    return this_year - 1, this_year


@contextmanager
def demo_clock(moment: datetime):
    """Run the services as if it were ``moment``: the demo replays days gone by (last year's
    campaign, this year's first weeks, the claims), and every service, audit event and
    ``auto_now`` field reads the time from ``timezone.now``. For ``seed_demo`` only."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def demo_campaigns(
    *, today: date, users: dict, townships: list, seed: int = 2013, place: DemoPlace = HAIMEN
):
    """Last year's campaign, finished, and this year's, in progress on ``today`` (see
    ``demo_years``); both opened, through the same services the pages call.

    Last year kept the programme's calendar (deadlines 21, 26 and 31 December, review by 15
    January): the first ``LAST_YEAR_TOWNSHIPS`` townships reported by 30 December (天补镇 on 4
    January, so the assessment has something to say), were funded and had their policies issued;
    the others' rosters were left as drafts. This year's deadlines lie around
    ``today`` so that its current phase is 全面实施: the demo users' first township shows every
    roster state (the first cadre half-way through, the second returned, the others submitted or
    approved); the second township has reported and waits for its finance office; the third is
    funded and issued (policies numbered by the system); the fourth is funded and waits for its
    insurer; the rest have not started.

    ``users`` maps the demo usernames to users; ``townships`` are the townships in the demo's
    order (Haimen's: code order; the first is township1's, the second township2's). ``place``
    words the transfers.
    The assessment rules of both years are the roof's (``oversight.demo``).
    """
    rng = random.Random(seed)
    last_year, this_year = demo_years(today)
    last = _open_campaign(
        last_year,
        deadlines=(
            date(last_year - 1, 12, 21),
            date(last_year - 1, 12, 26),
            date(last_year - 1, 12, 31),
            date(last_year, 1, 15),
        ),
        opened=at(date(last_year - 1, 12, 10), 9),
        place=place,
    )
    late = townships[2]
    for serial, township in enumerate(townships[:LAST_YEAR_TOWNSHIPS], start=1):
        day = date(last_year, 1, 4) if township == late else date(last_year - 1, 12, 30)
        _report_fund_issue(
            last,
            township,
            rng,
            serial=serial,
            filled=day - timedelta(days=3),
            reported=day,
            place=place,
        )

    this = _open_campaign(
        this_year,
        deadlines=(
            today - timedelta(days=12),
            today - timedelta(days=6),
            today + timedelta(days=5),
            today + timedelta(days=19),
        ),
        opened=at(today - timedelta(days=20), 9),
        place=place,
    )
    _this_year_rosters(this, users, townships, rng, today, place)
    return last, this


def demo_shares(campaign) -> None:
    """Ji'an's premium shares on each product of ``campaign``: the city, the counties (an
    amount per county) and the township the rest."""
    counties = list(Area.objects.counties().order_by("code"))
    by_county = {
        county.pk: COUNTY_SHARES[index % len(COUNTY_SHARES)]
        for index, county in enumerate(counties)
    }
    Payer = PremiumShare.Payer
    for product in campaign.products.order_by("code"):
        premium_shares_set(
            actor=None,
            product=product,
            shares=[
                ShareInput(Payer.CITY, CITY_SHARE),
                ShareInput(Payer.COUNTY, COUNTY_SHARES[0], by_county=by_county),
                ShareInput(Payer.TOWNSHIP, takes_rest=True),
            ],
        )


def _open_campaign(year: int, *, deadlines: tuple, opened: datetime, place=None):
    verification, mobilisation, implementation, review = deadlines
    with demo_clock(opened):
        campaign = campaign_create(
            actor=None,
            year=year,
            coverage_start=date(year, 1, 1),
            coverage_end=date(year, 12, 31),
            age_limit=14,
            age_date=date(year, 1, 1),
            verification_deadline=verification,
            mobilisation_deadline=mobilisation,
            implementation_deadline=implementation,
            review_deadline=review,
        )
        if place is not None and place.shared:
            demo_shares(campaign)
        return campaign_open(actor=None, campaign=campaign)


def _rosters_of(campaign, township):
    return list(
        Roster.objects.filter(campaign=campaign, village__parent=township)
        .select_related("campaign", "village")
        .order_by("village__code")
    )


def _fill(roster, rng, actor=None, *, share=1.0):
    """Decline a few eligible families with a reason, enrol the rest (or only ``share``)."""
    households = [
        household
        for household in roster_households(roster)
        if household.eligibility == "eligible" and not household.decision
    ]
    for household in households[: int(len(households) * share)]:
        if rng.random() < 0.06:
            reason = rng.choice(DECLINE_REASONS)
            entry_decide(
                actor=actor, roster=roster, household=household, decision="declined", reason=reason
            )
        elif share < 1:
            entry_decide(actor=actor, roster=roster, household=household, decision="enrolled")
    if share >= 1:
        roster_enrol_all(actor=actor, roster=roster)


def _report_fund_issue(
    campaign,
    township,
    rng,
    *,
    serial,
    filled,
    reported,
    funded=True,
    issued=True,
    partly=False,
    place=HAIMEN,
):
    """Every roster of ``township`` filled and approved on ``filled``, the township reported on
    ``reported``, funded the next day (each finance office its own transfer; ``partly``, where
    the premium is shared: the township's finance office only, the others awaited) and its
    policies issued the day after."""
    with demo_clock(at(filled)):
        for roster in _rosters_of(campaign, township):
            _fill(roster, rng)
            roster_submit(actor=None, roster=roster)
            roster_approve(actor=None, roster=roster)
    with demo_clock(at(reported, 16)):
        report = township_report_draft(actor=None, campaign=campaign, township=township)
        report = township_report_submit(actor=None, report=report)
    if funded or (partly and place.shared):
        paid_on = reported + timedelta(days=1)
        due = report_shares(report).by_office
        offices = [office for office in OFFICE_ORDER if due[office] > 0]
        if not funded:  # the township's part in, the county's and the city's awaited
            offices = offices[:1]
        county = township.county
        names = {
            "township": f"{township.name}财政所",
            "county": f"{county.name if county else place.city}财政局",
            "city": f"{place.city}财政局",
        }
        with demo_clock(at(paid_on, 11)):
            for number, office in enumerate(offices):
                transfer_record(
                    actor=None,
                    report=report,
                    payer=office,
                    transfer_date=paid_on,
                    voucher_no=f"{place.voucher}-{campaign.year}-{serial:04d}"
                    + (f"-{number}" if number else ""),
                    amount=due[office],
                    payer_name=names[office],
                    payer_account=f"{place.region}0{number + 1}000{serial:05d}",
                    payer_bank=place.payer_bank,
                    payee_name=report_insurer(report).insurer.name,
                    payee_account=f"11050201090{serial:08d}",
                    payee_bank=place.payee_bank,
                )
    if funded and issued:
        with demo_clock(at(reported + timedelta(days=2), 15)):
            policies_issue(actor=None, report=report)
    return report


def _this_year_rosters(campaign, users, townships, rng, today, place):
    first, second, third, fourth, *_ = townships
    officer = users["township1"]
    with demo_clock(at(today - timedelta(days=4))):
        for index, roster in enumerate(_rosters_of(campaign, first)):
            if roster.village_id == users["cadre1"].area_id:
                _fill(roster, rng, users["cadre1"], share=0.6)
            elif roster.village_id == users["cadre2"].area_id:
                _fill(roster, rng, users["cadre2"])
                roster_submit(actor=users["cadre2"], roster=roster)
                roster_return(
                    actor=officer,
                    roster=roster,
                    reason="请核对自愿放弃家庭的原因，并补录新领证的两户。",
                )
            elif index % 3 == 0:
                continue  # not started
            else:
                _fill(roster, rng)
                roster_submit(actor=None, roster=roster)
                if index % 3 == 1:
                    roster_approve(actor=officer, roster=roster)
    filled = today - timedelta(days=6)
    for serial, (township, funded, issued) in enumerate(
        ((second, False, False), (third, True, True), (fourth, True, False)), start=1
    ):
        partly = township == second  # Ji'an's: the township's part in, the others awaited
        _report_fund_issue(
            campaign,
            township,
            rng,
            serial=serial,
            filled=filled,
            reported=today - timedelta(days=4),
            funded=funded,
            issued=issued,
            partly=partly,
            place=place,
        )


def demo_county_reports(*, campaign, reporting, drafting, seed: int = 2014, place=JIAN) -> list:
    """Where the townships belong to counties (Ji'an's demo), the county reports of
    ``campaign`` (last year's): in the counties of the officers ``reporting`` and ``drafting``
    the townships not reported yet report (funded and issued, as the year's others), then the
    first officer drafts its county report and reports it to the city, the second drafts its
    own and leaves it to be reported; every other county still waits on its townships. The
    year's serials 101 on keep the transfers' voucher numbers apart. Returns the two reports."""
    rng = random.Random(seed)
    serials = iter(range(101, 1000))
    made = []
    for officer, day, reports in ((reporting, 8, True), (drafting, 10, False)):
        county = officer.area
        reported = set(
            TownshipReport.objects.filter(campaign=campaign, township__parent=county).values_list(
                "township", flat=True
            )
        )
        for township in Area.objects.townships().filter(parent=county).order_by("code"):
            if township.pk not in reported:
                _report_fund_issue(
                    campaign,
                    township,
                    rng,
                    serial=next(serials),
                    filled=date(campaign.year - 1, 12, 28),
                    reported=date(campaign.year - 1, 12, 31),
                    place=place,
                )
        with demo_clock(at(date(campaign.year, 1, day), 10)):
            report = county_report_draft(actor=officer, campaign=campaign, county=county)
            if reports:
                report = county_report_submit(actor=officer, report=report)
        made.append(report)
    return made
