"""Parents registered on more than one valid certificate (一个不多): groups for review.

The same resident ID as father or mother (either field) on two or more valid certificates is a
group. A reader sees the groups that touch their scope; within a group the other certificates are
shown too (village and child, no link when outside scope), so the officer knows whom to call.
Two queries in all, however many groups: one for the parent IDs, one for their households.
(The same child on two valid certificates cannot happen: the database refuses it.)
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from ..models import Household


@dataclass(frozen=True)
class DuplicateCertificate:
    household: Household
    as_parent: str  # 父亲 / 母亲
    in_scope: bool


@dataclass
class DuplicateGroup:
    id_number: str
    names: list[str] = field(default_factory=list)
    certificates: list[DuplicateCertificate] = field(default_factory=list)


def duplicate_parent_ids(user) -> list[str]:
    """Parent IDs on 2+ valid certificates where at least one certificate is in ``user``'s scope.

    One query: the father and mother columns stacked, grouped by ID.
    """
    try:
        scoped_sql, scoped_params = (
            Household.objects.for_user(user).order_by().values("pk").query.sql_with_params()
        )
    except EmptyResultSet:
        return []
    table = connection.ops.quote_name(Household._meta.db_table)
    valid = Household.Status.VALID
    # Only the table name and Django's own compiled (parameterised) subquery are interpolated.
    # "Any certificate in scope" is MAX over a CASE, which SQLite (the demo) runs as well as
    # PostgreSQL; bool_or is PostgreSQL's alone.
    sql = f"""
        WITH parent AS (
            SELECT father_id_number AS id_number, id FROM {table}
             WHERE status = %s AND father_id_number <> ''
            UNION ALL
            SELECT mother_id_number, id FROM {table}
             WHERE status = %s AND mother_id_number <> ''
        )
        SELECT id_number FROM parent
         GROUP BY id_number
        HAVING COUNT(DISTINCT id) > 1
           AND MAX(CASE WHEN id IN ({scoped_sql}) THEN 1 ELSE 0 END) = 1
         ORDER BY id_number
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [valid, valid, *scoped_params])
        return [row[0] for row in cursor.fetchall()]


def duplicate_groups(user, id_numbers: list[str]) -> list[DuplicateGroup]:
    """The groups for ``id_numbers`` (in that order), each with its valid certificates.

    One query; ``in_scope`` says which certificates ``user`` may open.
    """
    if not id_numbers:
        return []
    wanted = set(id_numbers)
    households = (
        Household.objects.valid()
        .filter(Q(father_id_number__in=wanted) | Q(mother_id_number__in=wanted))
        .select_related("village__parent")
        .annotate(in_scope=Exists(Household.objects.for_user(user).filter(pk=OuterRef("pk"))))
        .order_by("village__code", "certificate_no")
    )
    groups = {number: DuplicateGroup(id_number=number) for number in id_numbers}
    for household in households:
        for number, name, label in (
            (household.father_id_number, household.father_name, "父亲"),
            (household.mother_id_number, household.mother_name, "母亲"),
        ):
            if number not in wanted:
                continue
            group = groups[number]
            if name and name not in group.names:
                group.names.append(name)
            group.certificates.append(
                DuplicateCertificate(
                    household=household, as_parent=label, in_scope=household.in_scope
                )
            )
    return list(groups.values())
