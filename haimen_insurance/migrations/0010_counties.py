"""Counties: the county kinds (区, 县, 县级市) and township kinds 农场, 林场; the county roles;
each kind's code shape as a check constraint; and on PostgreSQL a trigger that refuses an area
whose code does not start with its parent's prefix or whose kind does not fit under its parent's
(``Area.tree_error`` is the same rule in Python, checked on every save)."""

from django.db import migrations, models

# The kinds as of this migration (a later kind changes the function in a migration of its own).
TREE = """
CREATE OR REPLACE FUNCTION haimen_area_prefix(code varchar) RETURNS varchar AS $$
    SELECT CASE
        WHEN substr(code, 3) = '0000000000' THEN left(code, 2)
        WHEN substr(code, 5) = '00000000' THEN left(code, 4)
        WHEN substr(code, 7) = '000000' THEN left(code, 6)
        WHEN substr(code, 10) = '000' THEN left(code, 9)
        ELSE code
    END
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION haimen_area_fits(
    code varchar, kind varchar, parent_code varchar, parent_kind varchar
) RETURNS boolean AS $$
    SELECT (
        (kind IN ('村', '社区') AND parent_kind IN ('镇', '乡', '街道', '园区', '农场', '林场'))
        OR (kind IN ('镇', '乡', '街道', '园区', '农场', '林场')
            AND parent_kind IN ('市', '区', '县', '县级市'))
        OR (kind IN ('区', '县', '县级市') AND parent_kind = '市')
    )
    AND code <> parent_code
    AND left(code, length(haimen_area_prefix(parent_code))) = haimen_area_prefix(parent_code)
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION haimen_area_tree() RETURNS trigger AS $$
DECLARE
    parent haimen_insurance_area%ROWTYPE;
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM haimen_insurance_area WHERE id = NEW.parent_id;
        IF NOT haimen_area_fits(NEW.code, NEW.kind, parent.code, parent.kind) THEN
            RAISE EXCEPTION '区划 % (%) 不能属于上级 % (%)', NEW.code, NEW.kind, parent.code,
                parent.kind USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.code <> OLD.code OR NEW.kind <> OLD.kind) AND EXISTS (
        SELECT 1 FROM haimen_insurance_area child
        WHERE child.parent_id = NEW.id
          AND NOT haimen_area_fits(child.code, child.kind, NEW.code, NEW.kind)
    ) THEN
        RAISE EXCEPTION '区划 % 的下级区划不再属于它', NEW.code USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER haimen_area_tree
    BEFORE INSERT OR UPDATE OF code, kind, parent_id ON haimen_insurance_area
    FOR EACH ROW EXECUTE FUNCTION haimen_area_tree();
"""

DROP = """
DROP TRIGGER IF EXISTS haimen_area_tree ON haimen_insurance_area;
DROP FUNCTION IF EXISTS haimen_area_tree();
DROP FUNCTION IF EXISTS haimen_area_fits(varchar, varchar, varchar, varchar);
DROP FUNCTION IF EXISTS haimen_area_prefix(varchar);
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TREE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("haimen_insurance", "0009_job"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="user",
            name="user_scope_matches_role",
        ),
        migrations.AlterField(
            model_name="area",
            name="kind",
            field=models.CharField(
                choices=[
                    ("市", "市"),
                    ("区", "区"),
                    ("县", "县"),
                    ("县级市", "县级市"),
                    ("镇", "镇"),
                    ("乡", "乡"),
                    ("街道", "街道"),
                    ("园区", "园区"),
                    ("农场", "农场"),
                    ("林场", "林场"),
                    ("村", "村"),
                    ("社区", "社区"),
                ],
                max_length=4,
                verbose_name="类别",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("village_cadre", "村（社区）计生专干"),
                    ("township_officer", "乡镇（园区）计生办"),
                    ("township_finance", "镇财政所"),
                    ("county_officer", "县（区）计生委"),
                    ("county_finance", "县财政局"),
                    ("insurer_staff", "保险公司"),
                    ("city_officer", "市人口计生委"),
                    ("leader", "市领导 / 审计"),
                ],
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("code__regex", "^[0-9]{2}(0[1-9]|[1-9][0-9])[0-9]{2}0{6}$"),
                        ("kind__in", ("市",)),
                    ),
                    models.Q(
                        ("code__regex", "^[0-9]{4}(0[1-9]|[1-9][0-9])0{6}$"),
                        ("kind__in", ("区", "县", "县级市")),
                    ),
                    models.Q(
                        ("code__regex", "^[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})000$"),
                        ("kind__in", ("镇", "乡", "街道", "园区", "农场", "林场")),
                    ),
                    models.Q(
                        (
                            "code__regex",
                            "^[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$",
                        ),
                        ("kind__in", ("村", "社区")),
                    ),
                    _connector="OR",
                ),
                name="area_code_fits_kind",
                violation_error_message="区划代码与类别不符：县（区）代码后 6 位为 0，乡镇（园区）后 3 位为 0，村（社区）后 3 位不全为 0。",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        (
                            "role__in",
                            [
                                "village_cadre",
                                "township_officer",
                                "township_finance",
                                "county_officer",
                                "county_finance",
                            ],
                        ),
                        ("area__isnull", False),
                        ("insurer__isnull", True),
                    ),
                    models.Q(
                        ("area__isnull", True),
                        ("insurer__isnull", False),
                        ("role", "insurer_staff"),
                    ),
                    models.Q(
                        ("area__isnull", True),
                        ("insurer__isnull", True),
                        ("role__in", ["city_officer", "leader", ""]),
                    ),
                    _connector="OR",
                ),
                name="user_scope_matches_role",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
