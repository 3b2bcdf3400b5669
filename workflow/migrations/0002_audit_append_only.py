from django.db import migrations

# On PostgreSQL the database itself refuses to change or remove audit rows, so neither the
# admin, a shell nor a bug can rewrite history. (TRUNCATE, used only to reset test databases,
# fires no row trigger.)
FORWARD = """
CREATE OR REPLACE FUNCTION workflow_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '审计记录不可修改或删除 (audit events are append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_auditevent_append_only
  BEFORE UPDATE OR DELETE ON workflow_auditevent
  FOR EACH ROW EXECUTE FUNCTION workflow_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS workflow_auditevent_append_only ON workflow_auditevent;
DROP FUNCTION IF EXISTS workflow_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
