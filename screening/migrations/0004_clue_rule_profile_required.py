import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Clues registered before rule profiles were kept: the profile in force when found."""
    Clue = apps.get_model("screening", "Clue")
    RuleProfile = apps.get_model("rules", "RuleProfile")
    for clue in Clue.objects.filter(rule_profile__isnull=True).select_related("jurisdiction"):
        profile = (RuleProfile.objects
                   .filter(rule_set_id=clue.jurisdiction.rule_set_id, status="active",
                           effective_from__lte=clue.found_on)
                   .filter(models.Q(effective_to__isnull=True)
                           | models.Q(effective_to__gte=clue.found_on))
                   .order_by("-version").first())
        if profile is None:
            raise RuntimeError(f"线索 {clue.number}：发现之日没有生效的规则版本")
        Clue.objects.filter(pk=clue.pk).update(rule_profile=profile)


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_decisions_referrals"), ("rules", "0003_load_profiles")]
    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clue",
            name="rule_profile",
            field=models.ForeignKey(
                help_text="发现线索之日赔偿权利人适用的规则版本（DOMAIN §2）",
                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="rules.ruleprofile", verbose_name="适用规则版本"),
        ),
    ]
